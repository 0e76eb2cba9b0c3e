/*
 * scratch_dir.h - a test's own directory for the files it writes: made
 * fresh under $TMPDIR (or /tmp), removed with everything in it.
 */
#ifndef DFSUM_TEST_SCRATCH_DIR_H
#define DFSUM_TEST_SCRATCH_DIR_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

/* dir[0..size) gets a new directory "$TMPDIR/name.XXXXXX". 0, or -1. */
static inline int scratch_dir_make(char *dir, size_t size, const char *name)
{
    const char *tmp = getenv("TMPDIR");
    int n = snprintf(dir, size, "%s/%s.XXXXXX",
                     tmp != NULL && *tmp ? tmp : "/tmp", name);
    if (n < 0 || (size_t)n >= size)
        return -1;
    return mkdtemp(dir) != NULL ? 0 : -1;
}

static inline int scratch_dir_remove_one(const char *path,
                                         const struct stat *st, int type,
                                         struct FTW *at)
{
    (void)st;
    (void)type;
    (void)at;
    return remove(path);
}

/* Removes dir and everything below it (depth first). 0, or -1. */
static inline int scratch_dir_remove(const char *dir)
{
    return nftw(dir, scratch_dir_remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
