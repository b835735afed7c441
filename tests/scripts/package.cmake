# cmake --install into a scratch prefix, then build and run a separate project against it
# with find_package(mcsim) (issue: packaging). Skipped in sanitizer builds.
if(NOT MCSIM_SANITIZE)
  add_test(NAME package_find_package
    COMMAND ${CMAKE_COMMAND} -DBUILD_DIR=${CMAKE_BINARY_DIR} -DSOURCE_DIR=${CMAKE_SOURCE_DIR}
            -DWORK_DIR=${CMAKE_BINARY_DIR}/package-test -P ${CMAKE_SOURCE_DIR}/tests/package/run.cmake)
  set_tests_properties(package_find_package PROPERTIES TIMEOUT 300)
endif()
