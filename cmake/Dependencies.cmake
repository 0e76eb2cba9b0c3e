# Third-party libraries, all from Debian packages (see setup.sh).
find_package(PkgConfig REQUIRED)
pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET libxxhash)

# libcsv ships no pkg-config file.
find_path(CSV_INCLUDE_DIR csv.h REQUIRED)
find_library(CSV_LIBRARY csv REQUIRED)
add_library(dfsum::csv UNKNOWN IMPORTED)
set_target_properties(dfsum::csv PROPERTIES
  IMPORTED_LOCATION ${CSV_LIBRARY}
  INTERFACE_INCLUDE_DIRECTORIES ${CSV_INCLUDE_DIR})

# fast_float is a header-only C++ library (libfast-float-dev).
find_path(FAST_FLOAT_INCLUDE_DIR fast_float/fast_float.h REQUIRED)
