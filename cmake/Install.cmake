# cmake --install: libraries, header, pkg-config file, CMake package.
include(CMakePackageConfigHelpers)
install(TARGETS dfsum dfsum_static EXPORT dfsumTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  PUBLIC_HEADER DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS dfsum_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(EXPORT dfsumTargets NAMESPACE dfsum::
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/dfsum)
# The static library's link interface names the imported targets of its
# private dependencies (OpenMP, MPI, maybe HDF5): dfsumConfig.cmake finds
# them again in the consumer's project.
get_target_property(_dfsum_static_libs dfsum_static LINK_LIBRARIES)
set(DFSUM_CONFIG_HDF5 "")
if("PkgConfig::HDF5" IN_LIST _dfsum_static_libs)
  set(DFSUM_CONFIG_HDF5 "find_dependency(PkgConfig)
pkg_check_modules(HDF5 REQUIRED QUIET IMPORTED_TARGET hdf5-mpich)")
endif()
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
if(ISAL_FOUND)
  set(DFSUM_PC_ISAL "-lisal")
endif()
file(RELATIVE_PATH DFSUM_PC_TO_PREFIX
  /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
configure_file(${PROJECT_SOURCE_DIR}/cmake/dfsum.pc.in
  ${PROJECT_BINARY_DIR}/dfsum.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/dfsum.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
install(FILES ${PROJECT_SOURCE_DIR}/cli/dfsum.1
  DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
