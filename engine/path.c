/*
 * path.c - dfsum_describe_path: picks the reader of a path's format.
 *
 * A file is HDF5 by its signature, whatever its name. "FILE:/object" is
 * an HDF5 object when the whole path names no file but FILE does (a ':'
 * may also sit in a directory name, so the whole path is tried first).
 * Everything else, standard input included, is CSV.
 */
#include "engine.h"

#include <string.h>
#include <sys/stat.h>

/* 1: HDF5, 0: CSV, -1: an "x:/object" path whose file is missing (the
 * message is in d). */
static int is_hdf5_path(dfsum *d, const char *path)
{
    struct stat st;
    if (strcmp(path, "-") == 0)
        return 0;
    if (stat(path, &st) == 0)
        return !S_ISDIR(st.st_mode) && io_h5_is_hdf5(path);
    if (!strstr(path, ":/"))
        return 0; /* the CSV reader names the missing file */
    io_error err = {0};
    io_h5_path p;
    if (io_h5_path_split(path, &p, &err) != IO_OK) {
        engine_fail_io(d, &err);
        return -1;
    }
    io_h5_path_free(&p);
    return 1;
}

dfsum_status dfsum_describe_path(dfsum *d, const char *path, dfsum_result **out)
{
    if (!d || !path || !out)
        return d ? engine_fail(d, DFSUM_EINVAL, "missing argument")
                 : DFSUM_EINVAL;
    switch (is_hdf5_path(d, path)) {
    case 1:
        return engine_describe_h5(d, path, out);
    case 0:
        return engine_describe_csv(d, path, out);
    default:
        return DFSUM_EIO;
    }
}
