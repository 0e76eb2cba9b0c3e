/*
 * path.c - dfsum_describe_path: picks the reader of a path's format.
 */
#include "engine.h"

dfsum_status dfsum_describe_path(dfsum *d, const char *path, dfsum_result **out)
{
    if (!d || !path || !out)
        return d ? engine_fail(d, DFSUM_EINVAL, "missing argument")
                 : DFSUM_EINVAL;
    return engine_describe_csv(d, path, out);
}
