/*
 * rusage_run: runs a command and writes its wall time, CPU time and peak
 * resident memory to a report file.
 *
 *     rusage_run REPORT COMMAND [ARG...]
 *
 * REPORT gets one line: "exit wall_s user_s sys_s maxrss_kb".  The exit
 * status of rusage_run is the command's (128 + signal when killed).
 *
 * Why not os.wait4() from Python directly: Linux keeps a process's peak RSS
 * across execve(), and a child spawned from Python starts as (a vfork of)
 * the interpreter, so every tool would be charged the interpreter's own
 * resident memory.  Forked from this small program, the command's peak
 * RSS is its own.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double seconds(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int exit_code(int status)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return 255;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: rusage_run REPORT COMMAND [ARG...]\n");
        return 2;
    }
    FILE *report = fopen(argv[1], "w");
    if (!report) {
        fprintf(stderr, "rusage_run: %s: %s\n", argv[1], strerror(errno));
        return 2;
    }
    double start = now();
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "rusage_run: fork: %s\n", strerror(errno));
        return 2;
    }
    if (pid == 0) {
        execvp(argv[2], argv + 2);
        fprintf(stderr, "rusage_run: %s: %s\n", argv[2], strerror(errno));
        _exit(127);
    }
    int status = 0;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0) {
        if (errno != EINTR) {
            fprintf(stderr, "rusage_run: wait4: %s\n", strerror(errno));
            return 2;
        }
    }
    double wall = now() - start;
    int code = exit_code(status);
    fprintf(report, "%d %.6f %.6f %.6f %ld\n", code, wall, seconds(ru.ru_utime),
            seconds(ru.ru_stime), ru.ru_maxrss);
    return fclose(report) == 0 ? code : 2;
}
