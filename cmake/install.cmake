# Installation: the CLI, static and shared libraries with their headers, a CMake package config
# (find_package(mcsim) gives mcsim::stack, mcsim::pcap, mcsim::sim), a pkg-config file, and
# a Debian package through CPack (cpack -G DEB).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# Exported targets: mcsim::stack, mcsim::pcap, mcsim::sim are the shared libraries and
# mcsim::stack_static, mcsim::pcap_static, mcsim::sim_static the static ones (with
# MCSIM_BUILD_SHARED=OFF only the static ones are built, exported as mcsim::stack ...).
set(mcsim_lib_targets)
foreach(lib stack pcap sim)
  if(MCSIM_BUILD_SHARED)
    set_target_properties(mcsim_${lib}_shared PROPERTIES EXPORT_NAME ${lib})
    set_target_properties(mcsim_${lib} PROPERTIES EXPORT_NAME ${lib}_static)
    list(APPEND mcsim_lib_targets mcsim_${lib}_shared mcsim_${lib})
  else()
    set_target_properties(mcsim_${lib} PROPERTIES EXPORT_NAME ${lib})
    list(APPEND mcsim_lib_targets mcsim_${lib})
  endif()
endforeach()
set_target_properties(mcsim_warnings PROPERTIES EXPORT_NAME warnings)

install(TARGETS mcsim RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS ${mcsim_lib_targets} mcsim_warnings EXPORT mcsimTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} NAMELINK_COMPONENT Unspecified
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
configure_file(${CMAKE_SOURCE_DIR}/cmake/mcsim-static.pc.in ${CMAKE_BINARY_DIR}/mcsim-static.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/mcsim.pc ${CMAKE_BINARY_DIR}/mcsim-static.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

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
# The shared libraries: ldconfig through libc-bin's trigger (cmake/deb/triggers); the
# postinst/postrm given here do nothing and keep CPack from writing ones that call ldconfig
# (which would also need a shell inside `dpkg --root`'s scratch root).
if(MCSIM_BUILD_SHARED)
  set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${CMAKE_SOURCE_DIR}/cmake/deb/triggers
    ${CMAKE_SOURCE_DIR}/cmake/deb/postinst ${CMAKE_SOURCE_DIR}/cmake/deb/postrm)
  set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
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
