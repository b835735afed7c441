# Each library (mcsim_stack, mcsim_pcap, mcsim_sim) is compiled once, as position-independent
# objects, and linked twice from them: a static library (what the CLI, the Python extension,
# tests, benches and fuzzers in this tree link, so they need no RPATH) and, with
# MCSIM_BUILD_SHARED, a shared library of the same name with a SONAME (docs/packaging.md).
#
#   mcsim_library(NAME SOURCES...)            -> NAME_objects, NAME (static), NAME_shared
#   mcsim_library_link(NAME PUBLIC|PRIVATE ...) links NAME, NAME_objects (usage requirements)
#                                             and NAME_shared; a dependency `mcsim_X` becomes
#                                             `mcsim_X_shared` for the shared library.
function(mcsim_library name)
  add_library(${name}_objects OBJECT ${ARGN})
  set_target_properties(${name}_objects PROPERTIES POSITION_INDEPENDENT_CODE ON)
  target_include_directories(${name}_objects PUBLIC $<BUILD_INTERFACE:${CMAKE_SOURCE_DIR}>)
  target_link_libraries(${name}_objects PRIVATE mcsim_warnings)
  set(variants ${name})
  add_library(${name} STATIC $<TARGET_OBJECTS:${name}_objects>)
  if(MCSIM_BUILD_SHARED)
    add_library(${name}_shared SHARED $<TARGET_OBJECTS:${name}_objects>)
    # libmcsim_stack.so -> .so.0.1 -> .so.0.1.0: before 1.0 every minor version may change
    # the ABI, so the SONAME carries major.minor.
    set_target_properties(${name}_shared PROPERTIES OUTPUT_NAME ${name} VERSION ${PROJECT_VERSION}
      SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})
    # Every symbol a shared library uses is in it or in a library it names (ldd -r clean).
    target_link_options(${name}_shared PRIVATE -Wl,--no-undefined)
    list(APPEND variants ${name}_shared)
  endif()
  foreach(t ${variants})
    target_include_directories(${t} PUBLIC $<BUILD_INTERFACE:${CMAKE_SOURCE_DIR}> $<INSTALL_INTERFACE:include/mcsim>)
  endforeach()
endfunction()

function(mcsim_library_link name)
  set(scope PUBLIC)
  set(static_deps)
  set(shared_deps)
  foreach(a ${ARGN})
    if(a STREQUAL "PUBLIC" OR a STREQUAL "PRIVATE")
      list(APPEND static_deps ${a})
      list(APPEND shared_deps ${a})
      set(scope ${a})
    elseif(a MATCHES "^mcsim_(stack|pcap|sim)$")
      list(APPEND static_deps ${a})
      list(APPEND shared_deps ${a}_shared)
    else()
      list(APPEND static_deps ${a})
      list(APPEND shared_deps ${a})
    endif()
  endforeach()
  target_link_libraries(${name} ${static_deps})
  # The objects need the dependencies' include directories and definitions, not their code.
  string(REPLACE "PUBLIC" "PRIVATE" object_deps "${static_deps}")
  target_link_libraries(${name}_objects ${object_deps})
  if(TARGET ${name}_shared)
    target_link_libraries(${name}_shared ${shared_deps})
  endif()
endfunction()
