# Installation: the CLI, static libraries with their headers, a CMake package config
# (find_package(mcsim) gives mcsim::stack, mcsim::pcap, mcsim::sim), a pkg-config file, and
# a Debian package through CPack (cpack -G DEB).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set_target_properties(mcsim_stack PROPERTIES EXPORT_NAME stack)
set_target_properties(mcsim_pcap PROPERTIES EXPORT_NAME pcap)
set_target_properties(mcsim_sim PROPERTIES EXPORT_NAME sim)
set_target_properties(mcsim_warnings PROPERTIES EXPORT_NAME warnings)

install(TARGETS mcsim RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS mcsim_stack mcsim_pcap mcsim_sim mcsim_warnings EXPORT mcsimTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/mcsim)

# Headers keep their paths below the include root: #include "stack/addr.hpp".
foreach(dir stack pcap sim)
  install(DIRECTORY ${CMAKE_SOURCE_DIR}/${dir}/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/mcsim/${dir}
    FILES_MATCHING PATTERN "*.hpp" PATTERN "*.h")
endforeach()

install(EXPORT mcsimTargets NAMESPACE mcsim:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/mcsim)
configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/mcsimConfig.cmake.in
  ${CMAKE_BINARY_DIR}/mcsimConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/mcsim)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/mcsimConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/mcsimConfig.cmake ${CMAKE_BINARY_DIR}/mcsimConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/mcsim)

file(RELATIVE_PATH MCSIM_PC_TO_PREFIX /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
string(REGEX REPLACE "/$" "" MCSIM_PC_TO_PREFIX "${MCSIM_PC_TO_PREFIX}")
configure_file(${CMAKE_SOURCE_DIR}/cmake/mcsim.pc.in ${CMAKE_BINARY_DIR}/mcsim.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/mcsim.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# The man page (gzip-compressed, as Debian installs them), bash completion (loaded on first use
# by bash-completion from share/bash-completion/completions/<command>) and the example scenarios
# with a capture (share/mcsim/scenarios; the man page's FILES section).
add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/mcsim.1.gz
  COMMAND gzip -9 -n -c ${CMAKE_SOURCE_DIR}/docs/mcsim.1 > ${CMAKE_BINARY_DIR}/mcsim.1.gz
  DEPENDS ${CMAKE_SOURCE_DIR}/docs/mcsim.1 VERBATIM)
add_custom_target(mcsim_man_page ALL DEPENDS ${CMAKE_BINARY_DIR}/mcsim.1.gz)
install(FILES ${CMAKE_BINARY_DIR}/mcsim.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${CMAKE_SOURCE_DIR}/cli/completion/mcsim.bash
  DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME mcsim)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/scenarios/ DESTINATION ${CMAKE_INSTALL_DATADIR}/mcsim/scenarios)

set(CPACK_PACKAGE_NAME mcsim)
set(CPACK_PACKAGE_VENDOR "mcsim developers")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "IGMP/MLD protocol stack, network simulator and capture analyser")
set(CPACK_PACKAGE_CONTACT "mcsim developers <mcsim@invalid>")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
# Depends: dpkg-shlibdeps reads the ELF files (mcsim, the Python extension) and names the
# libraries' packages with their minimum versions; the extension is built for one Python
# minor version (its file name says cpython-3XY), hence the python3 range.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
if(TARGET _core)
  set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "python3 (>= ${Python_VERSION_MAJOR}.${Python_VERSION_MINOR}), python3 (<< ${Python_VERSION_MAJOR}.${MCSIM_PY_NEXT_MINOR})")
endif()
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_COMPRESSION_TYPE gzip)
# Stripped: the build is RelWithDebInfo (tens of MB of DWARF); the package is for running.
set(CPACK_STRIP_FILES ON)
set(CPACK_PRE_BUILD_SCRIPTS ${CMAKE_SOURCE_DIR}/cmake/cpack-strip-archives.cmake)
# One package of every component but `python` (the Python package at the install prefix's
# site-packages for cmake --install) and with `python_deb` (the same files in Debian's
# lib/python3/dist-packages; bindings/CMakeLists.txt).
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING ALL_COMPONENTS_IN_ONE)
set(CPACK_COMPONENTS_ALL Unspecified)
if(TARGET _core)
  list(APPEND CPACK_COMPONENTS_ALL python_deb)
endif()
set(CPACK_GENERATOR DEB)
include(CPack)
