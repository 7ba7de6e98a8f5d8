/* Runs every test, each in a child process with a 30-second limit.  The
 * tests are every TEST(name) of the .c files here, which the build
 * collects into build/ctest/test_list.h (tests/c/collect_tests.awk), so
 * none can be left out.  `runner NAME` runs one test in this process (for
 * gdb and valgrind); `runner --inline` runs all in this process.
 *
 * The child is a fork on POSIX systems.  Windows has no fork: there the
 * runner starts itself again as `runner.exe NAME` for each test, which
 * gives the same isolation (a crash fails one test, not the run).
 *
 * A test that cannot run on this platform says so with SKIP(reason)
 * (runner.h): it is counted and its reason printed, never passed. */
#include <stdio.h>
#include <string.h>

#ifdef _WIN32
#define WIN32_LEAN_AND_MEAN
#include <direct.h>
#include <windows.h>
#else
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

#include "runner.h"
/* <>, not "": only the generated list on the -I path, never a stale copy
 * beside this file. */
#include <test_list.h>

#define DECLARE(name) void test_##name(void);
AP_TEST_LIST(DECLARE)
#undef DECLARE

typedef struct test_case {
    const char *name;
    void (*fn)(void);
} test_case;

static const test_case tests[] = {
#define ENTRY(name) {#name, test_##name},
    AP_TEST_LIST(ENTRY)
#undef ENTRY
};

/* A child's exit status for a skipped test (as automake's). */
#define SKIP_STATUS 77

static const char *skip_reason;

void ap_test_skip(const char *reason)
{
    skip_reason = reason;
}

/* Runs one test in this process; SKIP_STATUS when it skipped, else 0 (a
 * failed check exits the process). */
static int run_here(const test_case *t)
{
    skip_reason = NULL;
    t->fn();
    if (skip_reason != NULL) {
        printf("skip %s: %s\n", t->name, skip_reason);
        return SKIP_STATUS;
    }
    return 0;
}

/* ---- temporary files ---------------------------------------------------- */

#ifdef _WIN32
void ap_test_temp_dir(const char *stem, char *buf, size_t size)
{
    char tmp[MAX_PATH + 1];
    DWORD n = GetTempPathA(sizeof tmp, tmp);
    CHECK(n > 0 && n < sizeof tmp);
    /* GetTempPath ends with a backslash; the tests join with '/', which
     * Windows takes as well. */
    for (char *p = tmp; *p; p++)
        if (*p == '\\')
            *p = '/';
    static unsigned serial;
    for (int tries = 0; tries < 100; tries++) {
        int len = snprintf(buf, size, "%s%s_%lu_%u", tmp, stem,
                           (unsigned long)GetCurrentProcessId(), serial++);
        CHECK(len > 0 && (size_t)len < size);
        if (CreateDirectoryA(buf, NULL))
            return;
        CHECK(GetLastError() == ERROR_ALREADY_EXISTS);
    }
    CHECK(!"no free name for a temporary folder");
}

void ap_test_remove_dir(const char *path)
{
    CHECK(_rmdir(path) == 0);
}
#else
void ap_test_temp_dir(const char *stem, char *buf, size_t size)
{
    const char *tmp = getenv("TMPDIR");
    if (tmp == NULL || *tmp == '\0')
        tmp = "/tmp";
    int len = snprintf(buf, size, "%s/%s_XXXXXX", tmp, stem);
    CHECK(len > 0 && (size_t)len < size);
    CHECK(mkdtemp(buf) != NULL);
}

void ap_test_remove_dir(const char *path)
{
    CHECK(rmdir(path) == 0);
}
#endif

void ap_test_remove(const char *path)
{
    CHECK(remove(path) == 0);
}

const char *ap_test_base_name(const char *path)
{
    const char *base = path;
    for (const char *p = path; *p; p++)
        if (*p == '/' || *p == '\\')
            base = p + 1;
    return base;
}

/* ---- running the tests ----------------------------------------------------- */

enum outcome { PASSED, FAILED, SKIPPED, BROKEN };

#ifdef _WIN32
/* This program again with the test's name, waited for at most 30 s. */
static enum outcome run_child(const test_case *t)
{
    wchar_t exe[32768];
    DWORD n = GetModuleFileNameW(NULL, exe, sizeof exe / sizeof exe[0]);
    if (n == 0 || n >= sizeof exe / sizeof exe[0]) {
        fprintf(stderr, "cannot find the runner's own path (error %lu)\n",
                (unsigned long)GetLastError());
        return BROKEN;
    }
    /* Test names are C identifiers: nothing in them needs quoting. */
    size_t len = wcslen(exe) + strlen(t->name) + 4;
    wchar_t *cmd = malloc(len * sizeof *cmd);
    if (cmd == NULL)
        return BROKEN;
    swprintf(cmd, len, L"\"%ls\" %hs", exe, t->name);
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    BOOL started = CreateProcessW(exe, cmd, NULL, NULL, FALSE, 0, NULL, NULL,
                                  &si, &pi);
    free(cmd);
    if (!started) {
        fprintf(stderr, "cannot start the runner for %s (error %lu)\n",
                t->name, (unsigned long)GetLastError());
        return BROKEN;
    }
    CloseHandle(pi.hThread);
    DWORD code = 1;
    if (WaitForSingleObject(pi.hProcess, 30000) == WAIT_TIMEOUT) {
        TerminateProcess(pi.hProcess, 1);
        WaitForSingleObject(pi.hProcess, INFINITE);
        fprintf(stderr, "  (stopped after 30 s)\n");
    } else if (GetExitCodeProcess(pi.hProcess, &code) && code >= 0xC0000000u) {
        fprintf(stderr, "  (ended by exception 0x%08lx)\n",
                (unsigned long)code);
    }
    CloseHandle(pi.hProcess);
    return code == 0 ? PASSED : code == SKIP_STATUS ? SKIPPED : FAILED;
}
#else
/* A fork running the test, with an alarm at 30 s. */
static enum outcome run_child(const test_case *t)
{
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return BROKEN;
    }
    if (pid == 0) {
        alarm(30);
        int status = run_here(t);
        fflush(NULL);
        exit(status); /* not _exit: LeakSanitizer checks at exit */
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFSIGNALED(status))
        fprintf(stderr, "  (killed by signal %d)\n", WTERMSIG(status));
    if (!WIFEXITED(status))
        return FAILED;
    return WEXITSTATUS(status) == 0             ? PASSED
           : WEXITSTATUS(status) == SKIP_STATUS ? SKIPPED
                                                : FAILED;
}
#endif

int main(int argc, char **argv)
{
    size_t n = sizeof tests / sizeof tests[0];
    int inline_all = argc > 1 && strcmp(argv[1], "--inline") == 0;
#ifdef _WIN32
    /* A crash ends the child with its exception code, with no dialog box
     * (the children inherit this). */
    SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX);
#endif
    if (argc > 1 && !inline_all) {
        for (size_t i = 0; i < n; i++)
            if (strcmp(tests[i].name, argv[1]) == 0) {
                int status = run_here(&tests[i]);
                fflush(NULL);
                return status;
            }
        fprintf(stderr, "no test named %s\n", argv[1]);
        return 2;
    }
    int failed = 0, skipped = 0;
    for (size_t i = 0; i < n; i++) {
        enum outcome o;
        fflush(NULL);
        if (inline_all)
            o = run_here(&tests[i]) == SKIP_STATUS ? SKIPPED : PASSED;
        else
            o = run_child(&tests[i]);
        if (o == BROKEN)
            return 2;
        if (o != SKIPPED)
            printf("%s %s\n", o == PASSED ? "ok  " : "FAIL", tests[i].name);
        failed += o == FAILED;
        skipped += o == SKIPPED;
    }
    if (skipped)
        printf("%zu tests, %d failed, %d skipped\n", n, failed, skipped);
    else
        printf("%zu tests, %d failed\n", n, failed);
    return failed ? 1 : 0;
}
