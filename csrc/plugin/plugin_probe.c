/* The probe: loading and initialising a plugin first in a child process,
 * so that a plugin whose loading or init crashes kills the child, which
 * the host reports, and not the host.
 *
 * The host forks; the child runs dlopen, the info block's checks and init
 * (ap__plugin_trial), writes the outcome to a pipe and leaves with _exit.
 * Only the forking thread lives on in the child, so the child must not
 * need a lock another thread may have held at the fork: it calls no
 * Python (the glue holds the GIL across the fork, and the child never
 * touches the interpreter), the loader's path takes no lock of the
 * registry's but in registration's duplicate check, and the registry's
 * lock is held across fork() so that the child's copy is free; glibc
 * resets its own loader and malloc locks in the child.  The child's fault
 * signals are reset to their default action (the host's handlers, such
 * as Python's faulthandler, are not for it) and it writes no core file. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "apportion/plugin.h"
#include "plugin/plugin_internal.h"

/* What the child writes: its status and error. */
typedef struct outcome {
    ap_status status;
    ap_error err;
} outcome;

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
static void child(const char *real, int fd)
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

    outcome out;
    memset(&out, 0, sizeof out);
    out.status = ap__plugin_trial(real, &out.err);
    const char *p = (const char *)&out;
    size_t left = sizeof out;
    while (left > 0) {
        ssize_t n = write(fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            _exit(2);
        p += n;
        left -= (size_t)n;
    }
    _exit(out.status == AP_OK ? 0 : 1);
}

static long elapsed_ms(const struct timespec *since)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long)(now.tv_sec - since->tv_sec) * 1000 +
           (long)(now.tv_nsec - since->tv_nsec) / 1000000;
}

/* Reads the child's outcome until the pipe closes or the time is up.
 * Returns the bytes read, or -1 on a timeout. */
static long read_outcome(int fd, outcome *out, long timeout_ms)
{
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    char *p = (char *)out;
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
        char extra[64]; /* more than an outcome: read and dropped */
        ssize_t n = got < sizeof *out
                        ? read(fd, p + got, sizeof *out - got)
                        : read(fd, extra, sizeof extra);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return (long)got; /* closed: the child is gone */
        if (got < sizeof *out)
            got += (size_t)n;
    }
}

ap_status ap_plugin_probe(const char *path, long timeout_ms, ap_error *err)
{
    ap_error_clear(err);
    char *real;
    ap_status st = ap__plugin_resolve(path, &real, err);
    if (st != AP_OK)
        return st;
    int already;
    st = ap__plugin_checked(real, &already, err);
    if (st != AP_OK || already) {
        free(real);
        return st;
    }
    int fds[2];
    if (pipe(fds) != 0) {
        st = ap_error_set(err, AP_E_PLUGIN, "plugin %s cannot be probed: no "
                          "pipe: %s", real, strerror(errno));
        free(real);
        return st;
    }
    /* Held across the fork, so the child's copy is not held by a thread
     * the child does not have. */
    ap__registry_lock();
    pid_t pid = fork();
    ap__registry_unlock();
    if (pid == 0) {
        close(fds[0]);
        child(real, fds[1]);
    }
    close(fds[1]);
    if (pid < 0) {
        st = ap_error_set(err, AP_E_PLUGIN, "plugin %s cannot be probed: "
                          "fork failed: %s", real, strerror(errno));
        close(fds[0]);
        free(real);
        return st;
    }
    outcome out;
    memset(&out, 0, sizeof out);
    long got = read_outcome(fds[0], &out, timeout_ms);
    close(fds[0]);
    if (got < 0)
        kill(pid, SIGKILL);
    int status = 0;
    pid_t w;
    while ((w = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
        ;
    if (got < 0) {
        st = ap_error_set(err, AP_E_PLUGIN, "plugin %s is refused: the probe "
                          "process did not finish loading it within %ld ms "
                          "(its init may never return), and was stopped",
                          real, timeout_ms);
    } else if (w == pid && WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        const char *name = signal_name(sig);
        if (name != NULL)
            st = ap_error_set(err, AP_E_PLUGIN, "plugin %s is refused: the "
                              "plugin crashed the probe process with %s",
                              real, name);
        else
            st = ap_error_set(err, AP_E_PLUGIN, "plugin %s is refused: the "
                              "plugin crashed the probe process with signal "
                              "%d", real, sig);
    } else if ((size_t)got == sizeof out) {
        /* The child's own word, whatever its exit. */
        st = out.status;
        if (st != AP_OK && err != NULL)
            *err = out.err;
    } else if (w == pid && WIFEXITED(status)) {
        st = ap_error_set(err, AP_E_PLUGIN, "plugin %s is refused: the "
                          "plugin ended the probe process (exit status %d) "
                          "before its init returned", real,
                          WEXITSTATUS(status));
    } else {
        st = ap_error_set(err, AP_E_PLUGIN, "plugin %s cannot be probed: the "
                          "probe process's end could not be seen", real);
    }
    free(real);
    return st;
}
