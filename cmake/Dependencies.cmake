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

# The async reader runs on threads, and on io_uring where liburing
# (liburing-dev) is installed; without it, pread on a helper thread.
set(THREADS_PREFER_PTHREAD_FLAG ON)
find_package(Threads REQUIRED)
pkg_check_modules(URING IMPORTED_TARGET liburing)

# Compressed input, as read_csv takes it (io/ only): libarchive
# (libarchive-dev) decodes bzip2, xz, zstd, LZ4 and a ZIP of one file;
# gzip, whose members' CRC-32 libarchive does not check, goes to ISA-L's
# igzip (libisal-dev, several times zlib's speed) where it is installed,
# else to zlib (zlib1g-dev).
# libarchive is loaded at run time, when a file needs it (dlopen): only its
# headers are used here.
pkg_check_modules(ARCHIVE REQUIRED IMPORTED_TARGET libarchive)
pkg_check_modules(ZLIB REQUIRED IMPORTED_TARGET zlib)
pkg_check_modules(ISAL IMPORTED_TARGET libisal)

# fast_float is a header-only C++ library (libfast-float-dev).
find_path(FAST_FLOAT_INCLUDE_DIR fast_float/fast_float.h REQUIRED)

# OpenMP threads run the chunk pipeline (engine/ only).
find_package(OpenMP REQUIRED COMPONENTS C)

# MPI (MPICH) is the distributed engine: ranks split the input and reduce
# their partials (engine/ only). A program that never sets a communicator
# makes no MPI call.
find_package(MPI REQUIRED COMPONENTS C)

# HDF5, the MPICH-parallel build (libhdf5-mpich-dev), reads HDF5 input
# (io/ only); Debian installs it under its own prefix, found by pkg-config.
pkg_check_modules(HDF5 REQUIRED IMPORTED_TARGET hdf5-mpich)
