/*
 * progress.c - the progress bar. It writes only to stderr, and only when
 * stderr is a terminal (unless --progress), so pipes and files never see
 * it. Small inputs finish before a bar would help and draw nothing.
 */
#include "progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

#define PROGRESS_MIN_BYTES ((uint64_t)64 << 20)
#define PROGRESS_BAR_WIDTH 24

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void cli_progress_init(cli_progress *p, cli_progress_mode mode)
{
    *p = (cli_progress){0};
    p->forced = mode == CLI_PROGRESS_ON;
    p->enabled = p->forced || (mode == CLI_PROGRESS_AUTO && isatty(2));
}

void cli_progress_begin(cli_progress *p, const char *name)
{
    p->name = name;
    p->start = now_seconds();
    p->last = 0;
}

/* "512.0 MB" style sizes. */
static void format_bytes(double bytes, char *out, size_t n)
{
    static const char *const units[] = {"B", "KB", "MB", "GB", "TB"};
    size_t u = 0;
    while (bytes >= 1000 && u + 1 < sizeof units / sizeof units[0]) {
        bytes /= 1000;
        u++;
    }
    snprintf(out, n, u ? "%.1f %s" : "%.0f %s", bytes, units[u]);
}

static void draw(cli_progress *p, uint64_t done, uint64_t total, double t)
{
    double frac = total ? (double)done / (double)total : 1.0;
    double elapsed = t - p->start, rate = elapsed > 0 ? done / elapsed : 0;
    double eta = rate > 0 ? (double)(total - done) / rate : 0;
    char bar[PROGRESS_BAR_WIDTH + 1], d[32], tot[32], r[32];
    int filled = (int)(frac * PROGRESS_BAR_WIDTH + 0.5);
    for (int i = 0; i < PROGRESS_BAR_WIDTH; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[PROGRESS_BAR_WIDTH] = '\0';
    format_bytes((double)done, d, sizeof d);
    format_bytes((double)total, tot, sizeof tot);
    format_bytes(rate, r, sizeof r);
    fprintf(stderr, "\r\033[K%s [%s] %3.0f%% %s / %s  %s/s  ETA %.0fs", p->name,
            bar, frac * 100, d, tot, r, eta);
    fflush(stderr);
    p->drawn = 1;
}

void cli_progress_update(void *ctx, uint64_t done, uint64_t total)
{
    cli_progress *p = ctx;
    if (!p->enabled || (!p->forced && total < PROGRESS_MIN_BYTES))
        return;
    double t = now_seconds();
    if (done < total && t - p->last < 0.1)
        return;
    p->last = t;
    draw(p, done > total ? total : done, total, t);
}

void cli_progress_end(cli_progress *p)
{
    if (p->drawn)
        fputs("\r\033[K", stderr);
    p->drawn = 0;
}
