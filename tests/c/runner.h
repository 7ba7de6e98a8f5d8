/* A small C test harness: each test runs in its own process (so a crash
 * fails one test, not the run) with a timeout.  runner.c has the main and
 * the few helpers below that differ between platforms. */
#ifndef AP_TEST_RUNNER_H
#define AP_TEST_RUNNER_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
                    #cond);                                                  \
            exit(1);                                                         \
        }                                                                    \
    } while (0)

#define CHECK_EQ_I64(a, b)                                                   \
    do {                                                                     \
        long long a_ = (long long)(a), b_ = (long long)(b);                  \
        if (a_ != b_) {                                                      \
            fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n",        \
                    __FILE__, __LINE__, #a, #b, a_, b_);                     \
            exit(1);                                                         \
        }                                                                    \
    } while (0)

#define CHECK_STR(a, b)                                                      \
    do {                                                                     \
        const char *a_ = (a), *b_ = (b);                                     \
        if (strcmp(a_, b_) != 0) {                                           \
            fprintf(stderr, "%s:%d: %s == %s failed: \"%s\" != \"%s\"\n",    \
                    __FILE__, __LINE__, #a, #b, a_, b_);                     \
            exit(1);                                                         \
        }                                                                    \
    } while (0)

#define CHECK_CONTAINS(haystack, needle)                                     \
    do {                                                                     \
        const char *h_ = (haystack), *n_ = (needle);                         \
        if (strstr(h_, n_) == NULL) {                                        \
            fprintf(stderr, "%s:%d: \"%s\" does not contain \"%s\"\n",       \
                    __FILE__, __LINE__, h_, n_);                             \
            exit(1);                                                         \
        }                                                                    \
    } while (0)

#define TEST(name) void test_##name(void)

/* Ends the test as skipped, printing the reason: only for what this
 * platform cannot do (a fork on Windows, an ELF file where plugins are
 * not ELF), never for a test that could run. */
void ap_test_skip(const char *reason);
#define SKIP(reason)                                                         \
    do {                                                                     \
        ap_test_skip(reason);                                                \
        return;                                                              \
    } while (0)

/* A new empty folder for a test's files, in the system's temporary folder
 * (TMPDIR or /tmp; Windows: GetTempPath), its name starting with stem;
 * the path in buf.  A failure fails the test.  ap_test_remove_dir removes
 * the (emptied) folder again, ap_test_remove a file. */
void ap_test_temp_dir(const char *stem, char *buf, size_t size);
void ap_test_remove_dir(const char *path);
void ap_test_remove(const char *path);
/* The last part of a path (after its last '/' or '\\'). */
const char *ap_test_base_name(const char *path);

#endif
