# cmake --install into a scratch prefix, then build and run a separate project against it
# with find_package(mcsim) (issue: packaging). Skipped in sanitizer builds.
if(NOT MCSIM_SANITIZE)
  add_test(NAME package_find_package
    COMMAND ${CMAKE_COMMAND} -DBUILD_DIR=${CMAKE_BINARY_DIR} -DSOURCE_DIR=${CMAKE_SOURCE_DIR}
            -DWORK_DIR=${CMAKE_BINARY_DIR}/package-test -DSHARED=${MCSIM_BUILD_SHARED}
            -DMCSIM_VERSION_MAJOR_MINOR=${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR}
            -P ${CMAKE_SOURCE_DIR}/tests/package/run.cmake)
  set_tests_properties(package_find_package PROPERTIES TIMEOUT 300)
  # What cmake --install puts in place, used as installed: man page (man -w through MANPATH),
  # bash completion (bash-completion's loader), Python package (/usr/bin/python3 with
  # PYTHONPATH at the prefix), CLI on the installed scenario and capture, pkg-config.
  add_test(NAME package_install
    COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/package/install_test.py
            ${CMAKE_BINARY_DIR} ${CMAKE_SOURCE_DIR} ${CMAKE_BINARY_DIR}/install-test)
  # cpack -G DEB: control fields, Depends satisfied here, file list, dpkg -i/-r into a scratch
  # --root (this machine's /usr and dpkg database are not touched: safe beside other tests).
  add_test(NAME package_deb
    COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/package/deb_test.py
            ${CMAKE_BINARY_DIR} ${CMAKE_BINARY_DIR}/deb-test)
  set_tests_properties(package_install package_deb PROPERTIES TIMEOUT 120)
endif()
