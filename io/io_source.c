/*
 * io_source.c - the bytes of one input, readable at any offset.
 *
 * Every later stage reads by offset (pread), twice for the header and data
 * and later from several threads, so a source must be a seekable regular
 * file. Anything that can only be read once - standard input ("-") when it
 * is not a regular file, a pipe, a FIFO - is first copied to an unlinked
 * temporary file in $TMPDIR, which the system removes on close. Compressed
 * input (io_decompress.c) is decompressed into such a file the same way.
 * Processes sharing one decompression (io_source_open_shared) open the
 * first one's file through /proc/<pid>/fd/<fd>, so that it never has a
 * name that a killed run would leave behind; where the file system has no
 * O_TMPFILE, it is a named file that the others open before its name
 * goes.
 */
#include "io.h"
#include "io_reader_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SPOOL_BUF_SIZE (1u << 20)

/* A decompression still writing the source's temporary file, on a thread
 * of its own (io_source_open_streaming). Readers wait under lock for the
 * bytes they want, or for the end. */
typedef struct {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t more;
    int packed;           /* the compressed file, read by the thread */
    uint64_t packed_size; /* its size, for estimates */
    const char *format;
    uint64_t written; /* bytes in the temporary file so far */
    int done;         /* the thread has finished (s->size is then final) */
    int cancel;       /* the source is closing: stop early */
    io_status status; /* the decompression's outcome, once done */
    io_error err;     /* its message when it failed */
} stream;

/* How compressed input is decompressed (see io.h): before the open
 * returns, into a file other processes may open (a named one, for
 * OPEN_SHARED_NAMED, even where O_TMPFILE works), or on a thread. */
typedef enum {
    OPEN_PLAIN,
    OPEN_SHARED,
    OPEN_SHARED_NAMED,
    OPEN_STREAMING
} open_how;

struct io_source {
    int fd;
    uint64_t size;
    char *name;
    open_how how;
    char *shared; /* the path others open it by while they may, or NULL */
    int has_name; /* shared is the file's own name (else /proc's) */
    stream *grow; /* the decompressing thread's state while it may run */
};

static io_status fail_errno(io_error *err, const char *name, int e)
{
    char buf[128];
    return io_fail(err, IO_EIO, "%s: %s", name, strerror_r(e, buf, sizeof buf));
}

/* Where temporary files go: $TMPDIR, else /tmp. */
static const char *temp_dir(void)
{
    const char *dir = getenv("TMPDIR");
    return dir == NULL || *dir == '\0' ? "/tmp" : dir;
}

/* An unlinked O_TMPFILE in temp_dir(), or -1 where the file system has
 * none. */
static int open_unnamed_temp(void)
{
    return open(temp_dir(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
}

/* A new file temp_dir()/dfsum-XXXXXX, its path in *path (malloc'd).
 * Returns -1 with errno set. */
static int open_named_temp(char **path)
{
    const char *dir = temp_dir();
    size_t cap = strlen(dir) + sizeof "/dfsum-XXXXXX";
    char *p = malloc(cap);
    if (p == NULL) {
        errno = ENOMEM;
        return -1;
    }
    snprintf(p, cap, "%s/dfsum-XXXXXX", dir);
    int fd = mkostemp(p, O_CLOEXEC);
    if (fd < 0) {
        free(p);
        return -1;
    }
    *path = p;
    return fd;
}

/* An unlinked file in temp_dir(): an O_TMPFILE, else a named file
 * unlinked at once. Returns -1 with errno set. */
static int open_temp_file(void)
{
    int fd = open_unnamed_temp();
    char *path;
    if (fd >= 0 || (fd = open_named_temp(&path)) < 0)
        return fd;
    unlink(path);
    free(path);
    return fd;
}

/* A file in temp_dir() that other processes can open by *path
 * (malloc'd): /proc/<pid>/fd/<fd> of an unlinked O_TMPFILE, or, where the
 * file system has none or named is set, a named file (*has_name).
 * Returns -1 with errno set. */
static int open_shared_temp_file(int named, char **path, int *has_name)
{
    int fd = named ? -1 : open_unnamed_temp();
    *has_name = fd < 0;
    if (fd < 0)
        return open_named_temp(path);
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/%ld/fd/%d", (long)getpid(), fd);
    if ((*path = strdup(proc)) == NULL) {
        close(fd);
        errno = ENOMEM;
        return -1;
    }
    return fd;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Copies everything readable from `from` to `to`; returns the number of
 * bytes copied, or -1 with *reading telling which side failed. */
static int64_t copy_stream(int from, int to, char *buf, int *reading)
{
    int64_t total = 0;
    for (;;) {
        ssize_t n = read(from, buf, SPOOL_BUF_SIZE);
        if (n == 0)
            return total;
        if (n < 0 && errno == EINTR)
            continue;
        *reading = n < 0;
        if (n < 0 || write_all(to, buf, (size_t)n) != 0)
            return -1;
        total += n;
    }
}

static io_status spool(io_source *s, int from, io_error *err)
{
    char text[128];
    int tmp = open_temp_file();
    if (tmp < 0)
        return io_fail(err, IO_EIO, "%s: cannot create a temporary file: %s",
                       s->name, strerror_r(errno, text, sizeof text));
    char *buf = malloc(SPOOL_BUF_SIZE);
    if (buf == NULL) {
        close(tmp);
        return io_fail(err, IO_ENOMEM, "%s: out of memory", s->name);
    }
    int reading = 1;
    int64_t total = copy_stream(from, tmp, buf, &reading);
    int e = errno;
    free(buf);
    if (total < 0) {
        close(tmp);
        if (reading)
            return fail_errno(err, s->name, e);
        return io_fail(err, IO_EIO, "%s: cannot copy to a temporary file: %s",
                       s->name, strerror_r(e, text, sizeof text));
    }
    s->fd = tmp;
    s->size = (uint64_t)total;
    return IO_OK;
}

static io_status write_to_temp(void *ctx, const char *p, size_t n,
                               io_error *err)
{
    const io_source *s = ctx;
    char text[128];
    if (write_all(s->fd, p, n) == 0)
        return IO_OK;
    return io_fail(err, IO_EIO,
                   "%s: cannot write the decompressed data to a "
                   "temporary file: %s",
                   s->name, strerror_r(errno, text, sizeof text));
}

/* ---- decompressing on a thread while the source is read ---------------- */

/* The sink of a streaming decompression: the bytes go to the file, then
 * readers waiting for them are woken. */
static io_status write_and_publish(void *ctx, const char *p, size_t n,
                                   io_error *err)
{
    io_source *s = ctx;
    stream *g = s->grow;
    pthread_mutex_lock(&g->lock);
    int cancel = g->cancel;
    pthread_mutex_unlock(&g->lock);
    if (cancel)
        return io_fail(err, IO_EIO, "%s: closed while decompressing", s->name);
    io_status st = write_to_temp(ctx, p, n, err);
    if (st != IO_OK)
        return st;
    pthread_mutex_lock(&g->lock);
    g->written += n;
    pthread_cond_broadcast(&g->more);
    pthread_mutex_unlock(&g->lock);
    return IO_OK;
}

static void *decompress_thread(void *arg)
{
    io_source *s = arg;
    stream *g = s->grow;
    io_error err = {0};
    uint64_t size = 0;
    io_status st = io_decompress(g->packed, s->name, g->format,
                                 write_and_publish, s, &size, &err);
    pthread_mutex_lock(&g->lock);
    g->status = st;
    g->err = err;
    s->size = size;
    g->done = 1;
    pthread_cond_broadcast(&g->more);
    pthread_mutex_unlock(&g->lock);
    return NULL;
}

/* Starts the thread that decompresses g->packed into s->fd. */
static io_status start_stream(io_source *s, int packed, const char *format,
                              io_error *err)
{
    stream *g = calloc(1, sizeof *g);
    struct stat st;
    if (g == NULL)
        return io_fail(err, IO_ENOMEM, "%s: out of memory", s->name);
    g->packed = packed;
    g->packed_size = fstat(packed, &st) == 0 ? (uint64_t)st.st_size : 0;
    g->format = format;
    if (pthread_mutex_init(&g->lock, NULL) != 0) {
        free(g);
        return io_fail(err, IO_ENOMEM, "%s: out of memory", s->name);
    }
    pthread_cond_init(&g->more, NULL);
    s->grow = g;
    sigset_t all, old; /* the thread takes no signals */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int e = pthread_create(&g->thread, NULL, decompress_thread, s);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (e == 0)
        return IO_OK;
    pthread_cond_destroy(&g->more);
    pthread_mutex_destroy(&g->lock);
    free(g);
    s->grow = NULL;
    return io_fail(err, IO_ENOMEM, "%s: cannot start decompressing", s->name);
}

/* Waits until the thread has written up to byte `upto`, or has finished;
 * returns whether that many bytes are there. On failure sets *err when
 * the decompression failed short of them. */
static int wait_for(stream *g, uint64_t upto, io_status *failed, io_error *err)
{
    pthread_mutex_lock(&g->lock);
    while (!g->done && g->written < upto)
        pthread_cond_wait(&g->more, &g->lock);
    int there = g->written >= upto;
    *failed = !there && g->status != IO_OK ? g->status : IO_OK;
    if (*failed != IO_OK)
        *err = g->err;
    pthread_mutex_unlock(&g->lock);
    return there;
}

/* Stops the thread (early when it still runs) and frees its state. */
static void end_stream(io_source *s)
{
    stream *g = s->grow;
    if (g == NULL)
        return;
    pthread_mutex_lock(&g->lock);
    g->cancel = 1;
    pthread_mutex_unlock(&g->lock);
    pthread_join(g->thread, NULL);
    close(g->packed);
    pthread_cond_destroy(&g->more);
    pthread_mutex_destroy(&g->lock);
    free(g);
    s->grow = NULL;
}

/* When s holds compressed data, s becomes its decompressed bytes, in a
 * temporary file: written before the call returns, or, streaming, by a
 * thread while the source is read. */
static io_status decompress(io_source *s, io_error *err)
{
    const char *format = io_compression_of(s->fd);
    if (format == NULL)
        return IO_OK;
    char text[128];
    int tmp = s->how == OPEN_SHARED || s->how == OPEN_SHARED_NAMED
                  ? open_shared_temp_file(s->how == OPEN_SHARED_NAMED,
                                          &s->shared, &s->has_name)
                  : open_temp_file();
    if (tmp < 0)
        return io_fail(err, IO_EIO, "%s: cannot create a temporary file: %s",
                       s->name, strerror_r(errno, text, sizeof text));
    int packed = s->fd;
    s->fd = tmp; /* the sink writes there; s owns it from now on */
    s->size = 0;
    if (s->how == OPEN_STREAMING) {
        io_status st = start_stream(s, packed, format, err);
        if (st != IO_OK)
            close(packed);
        return st;
    }
    io_status st =
        io_decompress(packed, s->name, format, write_to_temp, s, &s->size, err);
    close(packed);
    return st;
}

/* Takes ownership of fd: keeps it when it is a regular file read from its
 * start, copies it to a temporary file otherwise. */
static io_status adopt(io_source *s, int fd, io_error *err)
{
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return fail_errno(err, s->name, e);
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return fail_errno(err, s->name, EISDIR);
    }
    io_status status = IO_OK;
    if (S_ISREG(st.st_mode) && lseek(fd, 0, SEEK_CUR) == 0) {
        s->fd = fd;
        s->size = (uint64_t)st.st_size;
    } else {
        status = spool(s, fd, err);
        close(fd);
    }
    return status == IO_OK ? decompress(s, err) : status;
}

static io_status open_fd(io_source *s, const char *path, io_error *err)
{
    /* Standard input is duplicated so that closing the source leaves the
     * process's own descriptor 0 alone. */
    int fd = path == NULL ? fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 0)
                          : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fail_errno(err, s->name, errno);
    return adopt(s, fd, err);
}

/* A source with no bytes yet, named name; NULL when out of memory. */
static io_source *new_source(const char *name, open_how how)
{
    io_source *s = calloc(1, sizeof *s);
    if (s == NULL || (s->name = strdup(name)) == NULL) {
        free(s);
        return NULL;
    }
    s->fd = -1;
    s->how = how;
    return s;
}

static io_status open_source(const char *path, open_how how, io_source **out,
                             io_error *err)
{
    int is_stdin = strcmp(path, "-") == 0;
    const char *name = is_stdin ? "<stdin>" : path;
    io_source *s = new_source(name, how);
    if (s == NULL)
        return io_fail(err, IO_ENOMEM, "%s: out of memory", name);
    io_status status = open_fd(s, is_stdin ? NULL : path, err);
    if (status != IO_OK) {
        io_source_close(s);
        return status;
    }
    *out = s;
    return IO_OK;
}

io_status io_source_open(const char *path, io_source **out, io_error *err)
{
    return open_source(path, OPEN_PLAIN, out, err);
}

io_status io_source_open_shared(const char *path, int named, io_source **out,
                                io_error *err)
{
    return open_source(path, named ? OPEN_SHARED_NAMED : OPEN_SHARED, out, err);
}

io_status io_source_open_streaming(const char *path, io_source **out,
                                   io_error *err)
{
    return open_source(path, OPEN_STREAMING, out, err);
}

int io_source_growing(const io_source *s)
{
    return s->grow != NULL;
}

uint64_t io_source_size_bound(io_source *s)
{
    return s->grow != NULL ? UINT64_MAX : io_source_size(s);
}

uint64_t io_source_size_estimate(io_source *s)
{
    stream *g = s->grow;
    if (g == NULL)
        return s->size;
    pthread_mutex_lock(&g->lock);
    uint64_t written = g->written, size = g->done ? s->size : 0;
    pthread_mutex_unlock(&g->lock);
    if (size > 0 || written == 0)
        return size > 0 ? size : written;
    off_t taken = lseek(g->packed, 0, SEEK_CUR); /* the thread reads it */
    if (taken <= 0 || g->packed_size == 0)
        return written;
    long double ratio = (long double)g->packed_size / (long double)taken;
    uint64_t guess = (uint64_t)((long double)written * ratio);
    return guess > written ? guess : written;
}

const char *io_source_shared_path(const io_source *s)
{
    return s->shared;
}

void io_source_unlink_shared(io_source *s)
{
    if (s->shared == NULL)
        return;
    if (s->has_name)
        unlink(s->shared);
    free(s->shared);
    s->shared = NULL;
}

io_status io_source_open_decompressed(const char *shared_path, const char *name,
                                      io_source **out, io_error *err)
{
    io_source *s = new_source(name, 0);
    if (s == NULL)
        return io_fail(err, IO_ENOMEM, "%s: out of memory", name);
    struct stat st;
    s->fd = open(shared_path, O_RDONLY | O_CLOEXEC);
    if (s->fd < 0 || fstat(s->fd, &st) != 0) {
        int e = errno;
        io_source_close(s);
        char text[128];
        return io_fail(err, IO_EIO,
                       "%s: cannot open its decompressed data (%s): %s", name,
                       shared_path, strerror_r(e, text, sizeof text));
    }
    s->size = (uint64_t)st.st_size;
    *out = s;
    return IO_OK;
}

const char *io_source_name(const io_source *s)
{
    return s->name;
}

uint64_t io_source_size(io_source *s)
{
    stream *g = s->grow;
    if (g != NULL) {
        io_status failed;
        io_error ignored;
        wait_for(g, UINT64_MAX, &failed, &ignored); /* until the end */
    }
    return s->size;
}

int io_source_fd(const io_source *s)
{
    return s->fd;
}

ssize_t io_source_pread(io_source *s, void *buf, size_t len, uint64_t offset,
                        io_error *err)
{
    if (len > SSIZE_MAX)
        len = SSIZE_MAX;
    io_status failed;
    if (s->grow != NULL && !wait_for(s->grow, offset + len, &failed, err) &&
        failed != IO_OK)
        return -1;
    size_t done = 0;
    while (done < len) {
        ssize_t n = pread(s->fd, (char *)buf + done, len - done,
                          (off_t)(offset + done));
        if (n == 0)
            break;
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            fail_errno(err, s->name, errno);
            return -1;
        }
        done += (size_t)n;
    }
    return (ssize_t)done;
}

void io_source_close(io_source *s)
{
    if (s == NULL)
        return;
    end_stream(s);
    if (s->fd >= 0)
        close(s->fd);
    io_source_unlink_shared(s);
    free(s->name);
    free(s);
}
