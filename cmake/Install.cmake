# cmake --install: libraries, header, pkg-config file, CMake package.
include(CMakePackageConfigHelpers)
install(TARGETS dfsum dfsum_static EXPORT dfsumTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  PUBLIC_HEADER DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS dfsum_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(EXPORT dfsumTargets NAMESPACE dfsum::
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/dfsum)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/dfsumConfig.cmake.in
  ${PROJECT_BINARY_DIR}/dfsumConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/dfsum)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/dfsumConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/dfsumConfig.cmake
  ${PROJECT_BINARY_DIR}/dfsumConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/dfsum)
if(URING_FOUND)
  set(DFSUM_PC_URING "-luring")
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/dfsum.pc.in
  ${PROJECT_BINARY_DIR}/dfsum.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/dfsum.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
install(FILES ${PROJECT_SOURCE_DIR}/cli/dfsum.1
  DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
