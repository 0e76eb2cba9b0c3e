/*
 * describe_arrays.c - describe a program's own arrays, as
 * pd.DataFrame({...}).describe(include="all") would.
 *
 *   cc describe_arrays.c $(pkg-config --cflags --libs dfsum) -o describe_arrays
 */
#include <dfsum.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>

#define ROWS 8

/* Prints the message of a failed call and says whether it failed. */
static int failed(dfsum_status st, const char *msg)
{
    if (st != DFSUM_OK)
        fprintf(stderr, "describe_arrays: %s: %s\n", dfsum_strerror(st), msg);
    return st != DFSUM_OK;
}

/* Adds the table's four columns; NaN and a zero in `valid` are missing. */
static dfsum_status add_columns(dfsum_frame *f)
{
    const double temp[ROWS] = {12.5, 14.0, NAN, 9.75, 11.0, 13.5, 10.25, 8.0};
    const int32_t station[ROWS] = {3, 1, 4, 1, 5, 9, 2, 6};
    const uint8_t station_ok[ROWS] = {1, 1, 1, 1, 1, 1, 0, 1};
    const uint8_t rain[ROWS] = {1, 0, 0, 1, 1, 0, 1, 1};
    const char *city[ROWS] = {"Oslo", "Lima", "Oslo", NULL,
                              "Kyiv", "Lima", "Oslo", "Pune"};
    dfsum_status st = dfsum_frame_add_double(f, "temp", temp, ROWS, NULL);
    if (st == DFSUM_OK)
        st = dfsum_frame_add_int32(f, "station", station, ROWS, station_ok);
    if (st == DFSUM_OK)
        st = dfsum_frame_add_bool(f, "rain", rain, ROWS, NULL);
    if (st == DFSUM_OK)
        st = dfsum_frame_add_text(f, "city", city, ROWS);
    return st;
}

int main(void)
{
    dfsum *d = NULL;
    dfsum_frame *f = NULL;
    dfsum_result *r = NULL;
    int rc = 1;
    if (failed(dfsum_create(&d), "cannot create a session"))
        return 1;
    if (failed(dfsum_set_include(d, DFSUM_INCLUDE_ALL), dfsum_errmsg(d)) ||
        failed(dfsum_frame_create(d, &f), dfsum_errmsg(d)))
        goto done;
    if (failed(add_columns(f), dfsum_frame_errmsg(f)) ||
        failed(dfsum_frame_describe(f, &r), dfsum_frame_errmsg(f)))
        goto done;
    if (!failed(dfsum_result_write(r, DFSUM_FORMAT_TABLE, 0, 0, stdout),
                "cannot write"))
        rc = 0;
done:
    dfsum_result_free(r);
    dfsum_frame_free(f);
    dfsum_free(d);
    return rc;
}
