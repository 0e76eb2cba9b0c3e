/*
 * consumer.c - a program built against the installed library: describes
 * a column of its own and prints describe().to_csv().
 */
#include <dfsum.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    const double x[] = {1.5, 2.25, NAN, -3.0, 4.0, 7.125};
    dfsum *d = NULL;
    dfsum_frame *f = NULL;
    dfsum_result *r = NULL;
    if (strcmp(dfsum_version(), DFSUM_VERSION_STRING) != 0 ||
        dfsum_create(&d) != DFSUM_OK)
        return 1;
    dfsum_status st = dfsum_frame_create(d, &f);
    if (st == DFSUM_OK)
        st = dfsum_frame_add_double(f, "x", x, 6, NULL);
    if (st == DFSUM_OK)
        st = dfsum_frame_describe(f, &r);
    if (st == DFSUM_OK)
        st = dfsum_result_write(r, DFSUM_FORMAT_CSV, 0, 0, stdout);
    if (st != DFSUM_OK)
        fprintf(stderr, "consumer: %s\n", dfsum_strerror(st));
    dfsum_result_free(r);
    dfsum_frame_free(f);
    dfsum_free(d);
    return st != DFSUM_OK;
}
