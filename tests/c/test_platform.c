/* The platform layer (csrc/platform/): the overflow-checked arithmetic and
 * the 64 x 64 -> 128 multiply and 128 / 64 divide on both paths (the
 * compiler's builtins and the portable C a compiler without them gets,
 * which AP_PLAT_PORTABLE_ARITH forces everywhere), each against the exact
 * answer computed in 128 bits; threads and mutexes; the CPU count; files'
 * identity, kind and permissions; real paths; shared libraries and the
 * loaded span of an address; and running a function in a child process.
 *
 * Written against the layer and standard C only, so that it builds and
 * runs on every platform the core builds for; the few checks that need a
 * POSIX call to set up (a mode of 0666) say so. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/platform.h"
#include "runner.h"

#if !AP__PLAT_WINDOWS
#include <sys/stat.h> /* chmod, to make a file others may write */
#endif

/* ---- the values every operation is tried on ------------------------------ */

static const int64_t EDGES[] = {
    0, 1, -1, 2, -2, 3, -3, 10, -10,
    INT32_MAX, INT32_MIN, (int64_t)UINT32_MAX, -(int64_t)UINT32_MAX,
    (int64_t)1 << 32, -((int64_t)1 << 32),
    3037000499, -3037000499, 3037000500, -3037000500, /* around 2^31.5 */
    (int64_t)1 << 62, -((int64_t)1 << 62),
    INT64_MAX, INT64_MIN, INT64_MAX - 1, INT64_MIN + 1,
    INT64_MAX / 2, INT64_MIN / 2, INT64_MAX / 3, INT64_MIN / 3,
    0x123456789ABCDEF, -0x123456789ABCDEF,
};
#define N_EDGES (sizeof EDGES / sizeof *EDGES)

/* The same values and some pseudo-random ones, reproducibly. */
static int64_t value(size_t i)
{
    if (i < N_EDGES)
        return EDGES[i];
    uint64_t x = (uint64_t)i * 0x9E3779B97F4A7C15u;
    x ^= x >> 29;
    x *= 0xBF58476D1CE4E5B9u;
    x ^= x >> 32;
    /* Some of every size: shift the bits down by a varying amount. */
    return ap__plat_wrap_i64(x) >> (i % 64);
}
#define N_VALUES (N_EDGES + 200)

static int fits_i64(ap__i128 v)
{
    return v >= INT64_MIN && v <= INT64_MAX;
}

/* ---- overflow-checked arithmetic -------------------------------------------- */

TEST(platform_checked_i64_both_paths_match_the_exact_result)
{
    for (size_t i = 0; i < N_VALUES; i++)
        for (size_t j = 0; j < N_VALUES; j++) {
            int64_t a = value(i), b = value(j), r, p;
            ap__i128 sum = (ap__i128)a + b, diff = (ap__i128)a - b;
            ap__i128 prod = (ap__i128)a * b;
            int64_t sum_w = ap__plat_wrap_i64((uint64_t)sum);
            int64_t diff_w = ap__plat_wrap_i64((uint64_t)diff);
            int64_t prod_w = ap__plat_wrap_i64((uint64_t)prod);

            CHECK(ap__add_overflow_i64(a, b, &r) == !fits_i64(sum));
            CHECK(r == sum_w);
            CHECK(ap__portable_add_overflow_i64(a, b, &p) == !fits_i64(sum));
            CHECK(p == sum_w);

            CHECK(ap__sub_overflow_i64(a, b, &r) == !fits_i64(diff));
            CHECK(r == diff_w);
            CHECK(ap__portable_sub_overflow_i64(a, b, &p) ==
                  !fits_i64(diff));
            CHECK(p == diff_w);

            CHECK(ap__mul_overflow_i64(a, b, &r) == !fits_i64(prod));
            CHECK(r == prod_w);
            CHECK(ap__portable_mul_overflow_i64(a, b, &p) ==
                  !fits_i64(prod));
            CHECK(p == prod_w);
        }
}

TEST(platform_checked_size_both_paths_match_the_exact_result)
{
    const size_t edges[] = {0, 1, 2, 3, 7, 8, 255, 65535, 65536,
                            (size_t)UINT32_MAX, (size_t)UINT32_MAX + 1,
                            SIZE_MAX / 2, SIZE_MAX / 2 + 1, SIZE_MAX / 3,
                            SIZE_MAX - 1, SIZE_MAX};
    const size_t n = sizeof edges / sizeof *edges;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            size_t a = edges[i], b = edges[j], r, p;
            ap__u128 sum = (ap__u128)a + b, prod = (ap__u128)a * b;
            int sum_over = sum > SIZE_MAX, prod_over = prod > SIZE_MAX;
            CHECK(ap__add_overflow_size(a, b, &r) == sum_over);
            CHECK(r == (size_t)sum);
            CHECK(ap__portable_add_overflow_size(a, b, &p) == sum_over);
            CHECK(p == (size_t)sum);
            CHECK(ap__mul_overflow_size(a, b, &r) == prod_over);
            CHECK(r == (size_t)prod);
            CHECK(ap__portable_mul_overflow_size(a, b, &p) == prod_over);
            CHECK(p == (size_t)prod);
        }
}

/* AP_PLAT_PORTABLE_ARITH (make ctest-portable) turns the builtins off, so
 * that every test of the core runs on the portable forms. */
TEST(platform_portable_arith_forces_the_portable_forms)
{
#if defined(AP_PLAT_PORTABLE_ARITH)
    CHECK(AP__PLAT_BUILTIN_OVERFLOW == 0);
#elif defined(__GNUC__) && __GNUC__ >= 5
    CHECK(AP__PLAT_BUILTIN_OVERFLOW == 1); /* GCC and Clang have them */
#endif
    int64_t r;
    CHECK(ap__add_overflow_i64(INT64_MAX, 1, &r) && r == INT64_MIN);
}

/* The wrap of an unsigned value to int64 is two's complement. */
TEST(platform_wrap_is_twos_complement)
{
    CHECK(ap__plat_wrap_i64(0) == 0);
    CHECK(ap__plat_wrap_i64((uint64_t)INT64_MAX) == INT64_MAX);
    CHECK(ap__plat_wrap_i64((uint64_t)INT64_MAX + 1) == INT64_MIN);
    CHECK(ap__plat_wrap_i64(UINT64_MAX) == -1);
    CHECK(ap__plat_wrap_i64(UINT64_MAX - 41) == -42);
}

/* ---- 64 x 64 -> 128 and 128 / 64 ----------------------------------------------- */

TEST(platform_wide_multiply_both_paths_match_the_exact_product)
{
    for (size_t i = 0; i < N_VALUES; i++)
        for (size_t j = 0; j < N_VALUES; j++) {
            int64_t a = value(i), b = value(j);
            ap__i128 exact = (ap__i128)a * b;
            int64_t hi, phi;
            uint64_t lo = ap__mul_wide_i64(a, b, &hi);
            uint64_t plo = ap__portable_mul_wide_i64(a, b, &phi);
            CHECK(lo == (uint64_t)exact && hi == (int64_t)(exact >> 64));
            CHECK(plo == lo && phi == hi);

            uint64_t ua = (uint64_t)a, ub = (uint64_t)b, uhi, puhi;
            ap__u128 uexact = (ap__u128)ua * ub;
            uint64_t ulo = ap__mul_wide_u64(ua, ub, &uhi);
            uint64_t pulo = ap__portable_mul_wide_u64(ua, ub, &puhi);
            CHECK(ulo == (uint64_t)uexact &&
                  uhi == (uint64_t)(uexact >> 64));
            CHECK(pulo == ulo && puhi == uhi);
        }
}

TEST(platform_wide_divide_both_paths_match_the_exact_quotient)
{
    for (size_t i = 0; i < N_VALUES; i++)
        for (size_t j = 0; j < N_VALUES; j++) {
            uint64_t d = (uint64_t)value(i), lo = (uint64_t)value(j);
            if (d == 0)
                continue;
            /* Every high half below d: the smallest, the largest and one
             * between. */
            const uint64_t highs[] = {0, d - 1, d / 2, d / 3};
            for (int k = 0; k < 4; k++) {
                uint64_t hi = highs[k], rem, prem;
                ap__u128 n = ((ap__u128)hi << 64) | lo;
                uint64_t q = ap__div_wide_u64(hi, lo, d, &rem);
                uint64_t pq = ap__portable_div_wide_u64(hi, lo, d, &prem);
                CHECK(q == (uint64_t)(n / d) && rem == (uint64_t)(n % d));
                CHECK(pq == q && prem == rem);
            }
        }
}

TEST(platform_trailing_zeros)
{
    CHECK(ap__ctz64(1) == 0);
    CHECK(ap__ctz64(2) == 1);
    CHECK(ap__ctz64(96) == 5);
    CHECK(ap__ctz64((uint64_t)1 << 63) == 63);
    CHECK(ap__ctz64(UINT64_MAX) == 0);
}

TEST(platform_stream_copy_copies_whole_16_byte_pieces)
{
    /* Into an aligned destination (int64_t arrays of 16-byte pieces from
     * malloc, aligned for any type), every length: exactly the bytes
     * asked for, the rest left alone, whether the stores are
     * non-temporal (x86-64) or memcpy. */
    enum { MAX = 1024 + 64 };
    unsigned char *src = malloc(MAX), *dst = malloc(MAX + 16);
    CHECK(src != NULL && dst != NULL);
    CHECK((uintptr_t)(void *)dst % AP__PLAT_STREAM_ALIGN == 0);
    for (size_t i = 0; i < MAX; i++)
        src[i] = (unsigned char)(i * 37 + 11);
    for (size_t n = 0; n <= MAX; n += 16) {
        memset(dst, 0xA5, MAX + 16);
        ap__plat_stream_copy(dst, src, n);
        ap__plat_stream_fence();
        CHECK(memcmp(dst, src, n) == 0);
        for (size_t i = n; i < MAX + 16; i++)
            CHECK(dst[i] == 0xA5);
    }
    CHECK(AP__PLAT_STREAM_STORES == 0 || AP__PLAT_STREAM_STORES == 1);
    free(src);
    free(dst);
}

/* ---- threads, mutexes and the CPU count --------------------------------------- */

#define THREADS 4
#define ROUNDS 20000

typedef struct counter {
    ap__plat_mutex lock;
    long total;
    ap__plat_thread main_thread;
} counter;

typedef struct worker {
    counter *c;
    ap__plat_thread self;
    int self_is_current, main_is_current;
} worker;

static void count(void *arg)
{
    worker *w = arg;
    ap__plat_thread_self(&w->self);
    w->self_is_current = ap__plat_thread_is_current(&w->self);
    w->main_is_current = ap__plat_thread_is_current(&w->c->main_thread);
    for (int i = 0; i < ROUNDS; i++) {
        ap__plat_mutex_lock(&w->c->lock);
        long t = w->c->total; /* a lost update without the lock */
        w->c->total = t + 1;
        ap__plat_mutex_unlock(&w->c->lock);
    }
}

TEST(platform_threads_and_a_static_mutex)
{
    static counter c = {AP__PLAT_MUTEX_INIT, 0, {0}};
    ap__plat_thread_self(&c.main_thread);
    CHECK(ap__plat_thread_is_current(&c.main_thread));
    ap__plat_thread threads[THREADS];
    worker workers[THREADS];
    int started[THREADS];
    for (int t = 0; t < THREADS; t++) {
        workers[t] = (worker){&c, {0}, -1, -1};
        started[t] = ap__plat_thread_start(&threads[t], count,
                                           &workers[t]) == 0;
        if (!started[t])
            count(&workers[t]);
    }
    for (int t = 0; t < THREADS; t++)
        if (started[t])
            ap__plat_thread_join(&threads[t]);
    CHECK(c.total == (long)THREADS * ROUNDS);
    for (int t = 0; t < THREADS; t++) {
        CHECK(started[t]); /* four threads start on any machine */
        CHECK(workers[t].self_is_current == 1);
        CHECK(workers[t].main_is_current == 0);
    }
    CHECK(ap__plat_thread_is_current(&c.main_thread));
}

TEST(platform_cpu_count_is_at_least_one)
{
    int n = ap__plat_cpu_count();
    CHECK(n >= 1 && n <= 1 << 16);
}

/* ---- files ------------------------------------------------------------------ */

#define HEADER AP_SOURCE_DIR "/csrc/platform/platform.h"
#define HEADER_AGAIN AP_SOURCE_DIR "/csrc/platform/../platform/platform.h"

TEST(platform_file_info_kind_size_and_identity)
{
    ap__plat_file_info a, b, dir;
    char why[256] = "";
    CHECK(ap__plat_file_info_get(HEADER, &a, why, sizeof why) == 0);
    CHECK(a.kind == AP__PLAT_FILE_REGULAR);
    CHECK(a.size > 1000);
    CHECK(ap__plat_file_info_get(HEADER_AGAIN, &b, why, sizeof why) == 0);
    CHECK(a.id.volume == b.id.volume && a.id.index == b.id.index);
    CHECK(ap__plat_file_info_get(AP_SOURCE_DIR "/csrc/platform", &dir, why,
                                 sizeof why) == 0);
    CHECK(dir.kind == AP__PLAT_FILE_DIRECTORY);
    CHECK(dir.id.index != a.id.index || dir.id.volume != a.id.volume);

    CHECK(ap__plat_file_info_get(AP_SOURCE_DIR "/no/such/file", &a, why,
                                 sizeof why) != 0);
    CHECK(why[0] != '\0');

    FILE *f = ap__plat_fopen(HEADER, "rb");
    CHECK(f != NULL);
    uint64_t size = 0;
    CHECK(ap__plat_stream_size(f, &size));
    CHECK(size == b.size);
    fclose(f);
    CHECK(ap__plat_fopen(AP_SOURCE_DIR "/no/such/file", "rb") == NULL);
}

TEST(platform_fopen_modes)
{
    const char *path = AP_SOURCE_DIR "/build/ctest/platform_fopen_modes";
    FILE *f = ap__plat_fopen(path, "wb");
    CHECK(f != NULL);
    fputs("abc", f);
    fclose(f);
    CHECK((f = ap__plat_fopen(path, "ab")) != NULL);
    fputs("de", f);
    fclose(f);
    CHECK((f = ap__plat_fopen(path, "r+b")) != NULL);
    fputc('A', f);
    fclose(f);
    char buf[16] = "";
    CHECK((f = ap__plat_fopen(path, "rb")) != NULL);
    CHECK(fread(buf, 1, sizeof buf - 1, f) == 5);
    fclose(f);
    CHECK_STR(buf, "Abcde");
    CHECK((f = ap__plat_fopen(path, "wb")) != NULL); /* truncates */
    fclose(f);
    uint64_t size = 1;
    CHECK((f = ap__plat_fopen(path, "rb")) != NULL);
    CHECK(ap__plat_stream_size(f, &size) && size == 0);
    fclose(f);
    remove(path);
}

TEST(platform_others_may_write)
{
    const char *path = AP_SOURCE_DIR "/build/ctest/platform_others_write";
    FILE *f = ap__plat_fopen(path, "wb");
    CHECK(f != NULL);
    fputs("x", f);
    fclose(f);
    ap__plat_file_info info;
    char why[256], fix[512];
#if AP__PLAT_WINDOWS
    /* A file made in the build folder inherits its folder's access list,
     * which on a Windows machine lets no other group write; the check
     * runs and finds that. */
    CHECK(ap__plat_file_info_get(path, &info, why, sizeof why) == 0);
    CHECK(info.mode == 0);
    (void)fix;
#else
    CHECK(chmod(path, 0644) == 0);
    CHECK(ap__plat_file_info_get(path, &info, why, sizeof why) == 0);
    CHECK(!info.others_may_write);
    CHECK(info.mode == 0644);
    CHECK(chmod(path, 0666) == 0);
    CHECK(ap__plat_file_info_get(path, &info, why, sizeof why) == 0);
    CHECK(info.others_may_write);
    CHECK(info.mode == 0666);
    ap__plat_others_write_fix(path, &info, fix, sizeof fix);
    CHECK_CONTAINS(fix, "(mode 0666)");
    CHECK_CONTAINS(fix, "chmod o-w");
    CHECK_CONTAINS(fix, path);
#endif
    remove(path);
}

TEST(platform_realpath)
{
    char *a = NULL, *b = NULL, why[256] = "";
    CHECK(ap__plat_realpath(HEADER, &a, why, sizeof why) == 0);
    CHECK(ap__plat_realpath(HEADER_AGAIN, &b, why, sizeof why) == 0);
    CHECK_STR(a, b);
    CHECK(strstr(a, "..") == NULL);
    CHECK(ap__plat_last_separator(a) != NULL);
    CHECK_STR(ap__plat_last_separator(a) + 1, "platform.h");
    free(a);
    free(b);
    CHECK(ap__plat_realpath(AP_SOURCE_DIR "/no/such/file", &a, why,
                            sizeof why) == AP__PLAT_FAILED);
    CHECK(a == NULL);
    CHECK(why[0] != '\0');
}

TEST(platform_last_separator)
{
    const char *p = "a/b/c";
    CHECK(ap__plat_last_separator(p) == p + 3);
    CHECK(ap__plat_last_separator("plain.so") == NULL);
    p = "/root";
    CHECK(ap__plat_last_separator(p) == p);
#if AP__PLAT_WINDOWS
    p = "C:\\dir\\x.dll";
    CHECK(ap__plat_last_separator(p) == p + 6);
    p = "C:\\dir/x.dll";
    CHECK(ap__plat_last_separator(p) == p + 6);
#else
    p = "a\\b"; /* an ordinary character of a name here */
    CHECK(ap__plat_last_separator(p) == NULL);
#endif
}

TEST(platform_plugin_suffix)
{
    const char *s = AP__PLAT_PLUGIN_SUFFIX;
#if AP__PLAT_WINDOWS
    CHECK_STR(s, ".dll");
#elif AP__PLAT_MACOS
    CHECK_STR(s, ".dylib");
#else
    CHECK_STR(s, ".so");
#endif
}

/* ---- shared libraries ---------------------------------------------------------- */

TEST(platform_library_open_names_the_reason)
{
    char why[512] = "";
    void *lib = ap__plat_library_open(AP_SOURCE_DIR "/no/such/library"
                                      AP__PLAT_PLUGIN_SUFFIX, why, sizeof why);
    CHECK(lib == NULL);
    CHECK(why[0] != '\0');
}

static const char rodata_marker[] = "a string in the program's own file";

TEST(platform_loaded_span)
{
    uintptr_t start = 0, end = 0;
    CHECK(ap__plat_loaded_span(rodata_marker, &start, &end));
    CHECK(start <= (uintptr_t)rodata_marker &&
          (uintptr_t)rodata_marker + sizeof rodata_marker <= end);
    char *heap = malloc(64);
    CHECK(heap != NULL);
    CHECK(!ap__plat_loaded_span(heap, &start, &end));
    free(heap);
    CHECK(!ap__plat_loaded_span(NULL, &start, &end));
}

/* ---- running a function in a child process ---------------------------------------- */

static int before_calls, after_calls;
static void before(void)
{
    before_calls++;
}
static void after(void)
{
    after_calls++;
}

static int answer(void *arg, void *out)
{
    *(int *)out = *(int *)arg * 2;
    return 0;
}

static int crash(void *arg, void *out)
{
    (void)arg;
    (void)out;
    abort();
}

static int leave(void *arg, void *out)
{
    (void)arg;
    (void)out;
    _Exit(3);
}

static int spin(void *arg, void *out)
{
    (void)out;
    volatile int *forever = arg;
    while (*forever)
        ;
    return 0;
}

TEST(platform_run_in_child)
{
    ap__plat_child_result res;
    int in = 21, out = 0;
    if (!ap__plat_child_available()) {
        ap__plat_run_in_child(answer, &in, &out, sizeof out, 1000, NULL,
                              NULL, &res);
        CHECK(res.end == AP__PLAT_CHILD_UNAVAILABLE);
        CHECK(res.why[0] != '\0');
        CHECK(out == 0); /* nothing ran */
        return;
    }
    before_calls = after_calls = 0;
    ap__plat_run_in_child(answer, &in, &out, sizeof out, 10000, before, after,
                          &res);
    CHECK(res.end == AP__PLAT_CHILD_DONE);
    CHECK(out == 42);
    CHECK(before_calls == 1 && after_calls == 1); /* this side's calls */

    ap__plat_run_in_child(crash, NULL, &out, sizeof out, 10000, NULL, NULL,
                          &res);
    CHECK(res.end == AP__PLAT_CHILD_SIGNAL);
    CHECK(res.signal != NULL);
    CHECK_STR(res.signal, "SIGABRT");

    ap__plat_run_in_child(leave, NULL, &out, sizeof out, 10000, NULL, NULL,
                          &res);
    CHECK(res.end == AP__PLAT_CHILD_EXITED);
    CHECK(res.code == 3);

    int forever = 1;
    ap__plat_run_in_child(spin, &forever, &out, sizeof out, 100, NULL, NULL,
                          &res);
    CHECK(res.end == AP__PLAT_CHILD_TIMEOUT);
}
