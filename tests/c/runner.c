/* Runs every test, each in a child process with a 30-second alarm.  The
 * tests are every TEST(name) of the .c files here, which the build
 * collects into build/ctest/test_list.h (tests/c/collect_tests.awk), so
 * none can be left out.  `runner NAME` runs one test in this process (for
 * gdb and valgrind); `runner --inline` runs all in this process. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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

int main(int argc, char **argv)
{
    size_t n = sizeof tests / sizeof tests[0];
    int inline_all = argc > 1 && strcmp(argv[1], "--inline") == 0;
    if (argc > 1 && !inline_all) {
        for (size_t i = 0; i < n; i++)
            if (strcmp(tests[i].name, argv[1]) == 0) {
                tests[i].fn();
                return 0;
            }
        fprintf(stderr, "no test named %s\n", argv[1]);
        return 2;
    }
    int failed = 0;
    for (size_t i = 0; i < n; i++) {
        int ok;
        if (inline_all) {
            tests[i].fn(); /* a failure exits the process */
            ok = 1;
        } else {
            fflush(NULL);
            pid_t pid = fork();
            if (pid < 0) {
                perror("fork");
                return 2;
            }
            if (pid == 0) {
                alarm(30);
                tests[i].fn();
                fflush(NULL);
                exit(0); /* not _exit: LeakSanitizer checks at exit */
            }
            int status = 0;
            waitpid(pid, &status, 0);
            ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
            if (WIFSIGNALED(status))
                fprintf(stderr, "  (killed by signal %d)\n",
                        WTERMSIG(status));
        }
        printf("%s %s\n", ok ? "ok  " : "FAIL", tests[i].name);
        failed += !ok;
    }
    printf("%zu tests, %d failed\n", n, failed);
    return failed ? 1 : 0;
}
