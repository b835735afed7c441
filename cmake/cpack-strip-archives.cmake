# CPack pre-build script: CPACK_STRIP_FILES strips executables and shared objects but not the
# static libraries, which carry the RelWithDebInfo build's DWARF (about 60 MB); strip their
# debug sections in the staging tree before the package is made.
file(GLOB_RECURSE archives ${CPACK_TEMPORARY_INSTALL_DIRECTORY}/*.a)
foreach(a ${archives})
  execute_process(COMMAND strip --strip-debug ${a} RESULT_VARIABLE rc)
  if(rc)
    message(FATAL_ERROR "strip --strip-debug ${a} failed: ${rc}")
  endif()
endforeach()
