/* The platform layer on POSIX systems: Linux and the other ELF systems,
 * and macOS (platform.h says what each function does).  The whole file is
 * empty on Windows, where platform_windows.c stands instead. */
#if !defined(_WIN32)

#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE /* dl_iterate_phdr */
#endif

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if defined(__APPLE__)
#include <mach-o/dyld.h>
#include <mach-o/loader.h>
#include <sys/sysctl.h>
#else
#include <link.h>
#endif

#include "platform/platform.h"

/* The reason, copied into a caller's buffer. */
static void say(char *why, size_t why_size, const char *text)
{
    if (why_size > 0)
        snprintf(why, why_size, "%s", text != NULL ? text : "no reason given");
}

/* ---- threads and mutexes ---------------------------------------------------- */

void ap__plat_mutex_lock(ap__plat_mutex *m)
{
    pthread_mutex_lock(&m->m);
}

void ap__plat_mutex_unlock(ap__plat_mutex *m)
{
    pthread_mutex_unlock(&m->m);
}

static void *thread_main(void *arg)
{
    ap__plat_thread *t = arg;
    t->fn(t->arg);
    return NULL;
}

int ap__plat_thread_start(ap__plat_thread *t, ap__plat_thread_fn fn,
                          void *arg)
{
    t->id = 0;
    t->fn = fn;
    t->arg = arg;
    return pthread_create(&t->handle, NULL, thread_main, t) != 0;
}

void ap__plat_thread_join(ap__plat_thread *t)
{
    pthread_join(t->handle, NULL);
}

void ap__plat_thread_self(ap__plat_thread *t)
{
    t->handle = pthread_self();
    t->id = 0;
    t->fn = NULL;
    t->arg = NULL;
}

int ap__plat_thread_is_current(const ap__plat_thread *t)
{
    return pthread_equal(pthread_self(), t->handle) != 0;
}

int ap__plat_cpu_count(void)
{
#if defined(__APPLE__)
    int n = 0;
    size_t len = sizeof n;
    if (sysctlbyname("hw.activecpu", &n, &len, NULL, 0) != 0 || n < 1)
        return 1;
    return n;
#else
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 4096 ? 4096 : (int)n;
#endif
}

/* ---- files ------------------------------------------------------------------ */

int ap__plat_file_info_get(const char *path, ap__plat_file_info *info,
                           char *why, size_t why_size)
{
    memset(info, 0, sizeof *info);
    struct stat sb;
    if (stat(path, &sb) != 0) {
        say(why, why_size, strerror(errno));
        return AP__PLAT_FAILED;
    }
    info->kind = S_ISREG(sb.st_mode)   ? AP__PLAT_FILE_REGULAR
                 : S_ISDIR(sb.st_mode) ? AP__PLAT_FILE_DIRECTORY
                                       : AP__PLAT_FILE_OTHER;
    info->size = sb.st_size > 0 ? (uint64_t)sb.st_size : 0;
    info->id.volume = (uint64_t)sb.st_dev;
    info->id.index = (uint64_t)sb.st_ino;
    info->others_may_write = (sb.st_mode & S_IWOTH) != 0;
    info->mode = (unsigned)(sb.st_mode & 07777);
    return 0;
}

void ap__plat_others_write_fix(const char *path,
                               const ap__plat_file_info *info, char *buf,
                               size_t size)
{
    snprintf(buf, size, "(mode %04o); remove that permission (chmod o-w %s)",
             info->mode, path);
}

int ap__plat_realpath(const char *path, char **out, char *why,
                      size_t why_size)
{
    *out = realpath(path, NULL);
    if (*out != NULL)
        return 0;
    int e = errno;
    say(why, why_size, strerror(e));
    return e == ENOMEM ? AP__PLAT_NOMEM : AP__PLAT_FAILED;
}

const char *ap__plat_last_separator(const char *path)
{
    return strrchr(path, '/');
}

FILE *ap__plat_fopen(const char *path, const char *mode)
{
    /* fopen's modes as open flags: r, w or a, with + to read and write
     * (b means nothing here). */
    int plus = strchr(mode, '+') != NULL;
    int flags = mode[0] == 'r'   ? (plus ? O_RDWR : O_RDONLY)
                : mode[0] == 'a' ? (plus ? O_RDWR : O_WRONLY) | O_CREAT |
                                       O_APPEND
                                 : (plus ? O_RDWR : O_WRONLY) | O_CREAT |
                                       O_TRUNC;
    int fd = open(path, flags | O_CLOEXEC, 0666);
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, mode);
    if (f == NULL) {
        int e = errno;
        close(fd);
        errno = e;
    }
    return f;
}

int ap__plat_stream_size(FILE *f, uint64_t *size)
{
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode))
        return 0;
    *size = sb.st_size > 0 ? (uint64_t)sb.st_size : 0;
    return 1;
}

/* ---- shared libraries ------------------------------------------------------- */

void *ap__plat_library_open(const char *path, char *why, size_t why_size)
{
    dlerror();
    void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        const char *reason = dlerror();
        say(why, why_size, reason != NULL ? reason : "dlopen gave no reason");
    }
    return lib;
}

ap__plat_function ap__plat_library_function(void *library, const char *name)
{
    dlerror();
    void *p = dlsym(library, name);
    /* POSIX guarantees that dlsym's object pointer converts to the
     * function's; memcpy says so without a cast C leaves undefined. */
    ap__plat_function fn;
    memcpy(&fn, &p, sizeof fn);
    return p != NULL ? fn : NULL;
}

void ap__plat_library_close(void *library)
{
    dlclose(library);
}

#if defined(__APPLE__)
int ap__plat_loaded_span(const void *p, uintptr_t *start, uintptr_t *end)
{
    uintptr_t at = (uintptr_t)p;
    if (p == NULL)
        return 0;
    uint32_t n = _dyld_image_count();
    for (uint32_t i = 0; i < n; i++) {
        const struct mach_header *h = _dyld_get_image_header(i);
        if (h == NULL || h->magic != MH_MAGIC_64)
            continue;
        intptr_t slide = _dyld_get_image_vmaddr_slide(i);
        const unsigned char *cmd =
            (const unsigned char *)h + sizeof(struct mach_header_64);
        for (uint32_t c = 0; c < h->ncmds; c++) {
            const struct load_command *lc = (const void *)cmd;
            if (lc->cmd == LC_SEGMENT_64) {
                const struct segment_command_64 *s = (const void *)cmd;
                uintptr_t from = (uintptr_t)s->vmaddr + (uintptr_t)slide;
                if ((s->initprot & VM_PROT_READ) && s->vmsize > 0 &&
                    at >= from && at - from < s->vmsize) {
                    *start = from;
                    *end = from + (uintptr_t)s->vmsize;
                    return 1;
                }
            }
            cmd += lc->cmdsize;
        }
    }
    return 0;
}
#else
typedef struct span_search {
    uintptr_t at, start, end;
} span_search;

static int find_span(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    span_search *s = data;
    for (size_t i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t from = (uintptr_t)info->dlpi_addr + ph->p_vaddr;
        if (ph->p_type == PT_LOAD && (ph->p_flags & PF_R) && s->at >= from &&
            s->at - from < ph->p_memsz) {
            s->start = from;
            s->end = from + ph->p_memsz;
            return 1;
        }
    }
    return 0;
}

int ap__plat_loaded_span(const void *p, uintptr_t *start, uintptr_t *end)
{
    span_search s = {(uintptr_t)p, 0, 0};
    if (p == NULL || dl_iterate_phdr(find_span, &s) == 0)
        return 0;
    *start = s.start;
    *end = s.end;
    return 1;
}
#endif

/* ---- running a function in a child process ---------------------------------- */

int ap__plat_child_available(void)
{
    return 1;
}

static const char *signal_name(int sig)
{
    switch (sig) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGILL: return "SIGILL";
    case SIGFPE: return "SIGFPE";
    case SIGABRT: return "SIGABRT";
    case SIGTRAP: return "SIGTRAP";
    case SIGSYS: return "SIGSYS";
    case SIGKILL: return "SIGKILL";
    case SIGTERM: return "SIGTERM";
    case SIGPIPE: return "SIGPIPE";
    case SIGXCPU: return "SIGXCPU";
    case SIGXFSZ: return "SIGXFSZ";
    default: return NULL;
    }
}

/* The child: never returns. */
static void child(ap__plat_child_fn fn, void *arg, void *out, size_t size,
                  int fd)
{
    static const int faults[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE,
                                 SIGABRT, SIGTRAP, SIGSYS};
    for (size_t i = 0; i < sizeof faults / sizeof *faults; i++)
        signal(faults[i], SIG_DFL);
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);
    struct rlimit none = {0, 0};
    setrlimit(RLIMIT_CORE, &none);

    int code = fn(arg, out);
    const char *p = out;
    size_t left = size;
    while (left > 0) {
        ssize_t n = write(fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            _exit(2);
        p += n;
        left -= (size_t)n;
    }
    _exit(code);
}

static long elapsed_ms(const struct timespec *since)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long)(now.tv_sec - since->tv_sec) * 1000 +
           (long)(now.tv_nsec - since->tv_nsec) / 1000000;
}

/* Reads the child's bytes until the pipe closes or the time is up.
 * Returns the bytes read, or -1 on a timeout. */
static long read_child(int fd, void *out, size_t size, long timeout_ms)
{
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    char *p = out;
    size_t got = 0;
    for (;;) {
        long left = timeout_ms - elapsed_ms(&start);
        if (left <= 0)
            return -1;
        struct pollfd pfd = {.fd = fd, .events = POLLIN, .revents = 0};
        int r = poll(&pfd, 1, left > 1000000 ? 1000000 : (int)left);
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0)
            return -1;
        if (r < 0)
            return (long)got;
        char extra[64]; /* more than was asked for: read and dropped */
        ssize_t n = got < size ? read(fd, p + got, size - got)
                               : read(fd, extra, sizeof extra);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return (long)got; /* closed: the child is gone */
        if (got < size)
            got += (size_t)n;
    }
}

void ap__plat_run_in_child(ap__plat_child_fn fn, void *arg, void *out,
                           size_t size, long timeout_ms, void (*before)(void),
                           void (*after)(void), ap__plat_child_result *res)
{
    memset(res, 0, sizeof *res);
    int fds[2];
    if (pipe(fds) != 0) {
        res->end = AP__PLAT_CHILD_FAILED;
        snprintf(res->why, sizeof res->why, "no pipe: %s", strerror(errno));
        return;
    }
    if (before != NULL)
        before();
    pid_t pid = fork();
    int fork_errno = errno;
    /* In the parent and the child alike: the child's copy of a lock held
     * across the fork is freed too. */
    if (after != NULL)
        after();
    if (pid == 0) {
        close(fds[0]);
        child(fn, arg, out, size, fds[1]);
    }
    close(fds[1]);
    if (pid < 0) {
        res->end = AP__PLAT_CHILD_FAILED;
        snprintf(res->why, sizeof res->why, "fork failed: %s",
                 strerror(fork_errno));
        close(fds[0]);
        return;
    }
    long got = read_child(fds[0], out, size, timeout_ms);
    close(fds[0]);
    if (got < 0)
        kill(pid, SIGKILL);
    int status = 0;
    pid_t w;
    while ((w = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
        ;
    if (got < 0) {
        res->end = AP__PLAT_CHILD_TIMEOUT;
    } else if (w == pid && WIFSIGNALED(status)) {
        res->end = AP__PLAT_CHILD_SIGNAL;
        res->code = WTERMSIG(status);
        res->signal = signal_name(res->code);
    } else if ((size_t)got == size) {
        res->end = AP__PLAT_CHILD_DONE; /* its own word, whatever its exit */
    } else if (w == pid && WIFEXITED(status)) {
        res->end = AP__PLAT_CHILD_EXITED;
        res->code = WEXITSTATUS(status);
    } else {
        res->end = AP__PLAT_CHILD_UNSEEN;
    }
}

#endif /* !_WIN32 */
