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

configure_file(${CMAKE_SOURCE_DIR}/cmake/mcsim.pc.in ${CMAKE_BINARY_DIR}/mcsim.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/mcsim.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

set(CPACK_PACKAGE_NAME mcsim)
set(CPACK_PACKAGE_VENDOR "mcsim developers")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "IGMP/MLD protocol stack, network simulator and capture analyser")
set(CPACK_PACKAGE_CONTACT "mcsim developers <mcsim@invalid>")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libpcap0.8, libyaml-cpp0.7, libstdc++6")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_GENERATOR DEB)
include(CPack)
