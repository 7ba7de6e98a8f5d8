/* The platform layer: everything of the core that differs between Linux,
 * macOS and Windows, behind one header, so that no other file of csrc/
 * includes an operating system's header (<dlfcn.h>, <pthread.h>,
 * <unistd.h>, <sys/...>, <windows.h>) or uses a compiler's extension
 * directly.  Not part of the API.
 *
 *   platform.h          this header: the build's platform, 128-bit
 *                       integers and overflow-checked arithmetic (inline,
 *                       for the kernels), and the declarations below
 *   platform_posix.c    Linux and the other ELF systems, and macOS
 *   platform_windows.c  Windows (mingw-w64, clang-cl; MSVC's cl lacks
 *                       __int128, see below)
 *   elf_types.h         <elf.h> on ELF hosts, for the plugin file reader
 *
 * Paths are UTF-8 everywhere; on Windows the layer converts them to
 * UTF-16 for the wide (…W) functions and converts what they give back.
 * Functions that can fail say why in a caller's buffer of `why_size`
 * bytes (always NUL-terminated when why_size > 0), in words a message can
 * quote: the platform's own (strerror, dlerror, FormatMessage). */
#ifndef APPORTION_PLATFORM_H
#define APPORTION_PLATFORM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- which platform ------------------------------------------------------
 * Exactly one of AP__PLAT_WINDOWS, AP__PLAT_MACOS, AP__PLAT_ELF is 1: what
 * the loader loads (PE, Mach-O or ELF shared libraries) follows from it. */
#if defined(_WIN32)
#define AP__PLAT_WINDOWS 1
#define AP__PLAT_MACOS 0
#define AP__PLAT_ELF 0
#define AP__PLAT_NAME "Windows"
#elif defined(__APPLE__)
#define AP__PLAT_WINDOWS 0
#define AP__PLAT_MACOS 1
#define AP__PLAT_ELF 0
#define AP__PLAT_NAME "macOS"
#else
#define AP__PLAT_WINDOWS 0
#define AP__PLAT_MACOS 0
#define AP__PLAT_ELF 1
#if defined(__linux__)
#define AP__PLAT_NAME "Linux"
#elif defined(__FreeBSD__)
#define AP__PLAT_NAME "FreeBSD"
#else
#define AP__PLAT_NAME "this ELF system"
#endif
#endif

/* The file name ending of a plugin (a shared library) here. */
#if AP__PLAT_WINDOWS
#define AP__PLAT_PLUGIN_SUFFIX ".dll"
#elif AP__PLAT_MACOS
#define AP__PLAT_PLUGIN_SUFFIX ".dylib"
#else
#define AP__PLAT_PLUGIN_SUFFIX ".so"
#endif

/* Branch hints, where the compiler has them. */
#if defined(__GNUC__) || defined(__clang__)
#define AP__PLAT_LIKELY(x) __builtin_expect(!!(x), 1)
#define AP__PLAT_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define AP__PLAT_LIKELY(x) (x)
#define AP__PLAT_UNLIKELY(x) (x)
#endif

/* ---- a kernel compiled a second time for AVX2 ----------------------------
 * AP__PLAT_AVX2_CLONES is 1 where the compiler can compile one function for
 * x86-64's AVX2 (AP__PLAT_TARGET_AVX2 before it) inside a baseline build,
 * and ap__plat_cpu_has_avx2() says whether this CPU runs it.  A kernel
 * written in portable C that the compiler vectorises compiles both ways and
 * picks at run time; elsewhere (other CPUs, other compilers) only the
 * baseline exists and ap__plat_cpu_has_avx2() is 0.  Not with clang-cl
 * (_MSC_VER), whose __builtin_cpu_supports needs a runtime library it may
 * not link. */
#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__) &&     \
    !defined(_MSC_VER)
#define AP__PLAT_AVX2_CLONES 1
#define AP__PLAT_TARGET_AVX2 __attribute__((target("avx2")))
static inline int ap__plat_cpu_has_avx2(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;
}
#else
#define AP__PLAT_AVX2_CLONES 0
#define AP__PLAT_TARGET_AVX2
static inline int ap__plat_cpu_has_avx2(void) { return 0; }
#endif

/* A hint to bring the cache line at p in ahead of a read, where the
 * compiler has one (it never faults, whatever p points at); nothing
 * elsewhere. */
#if defined(__GNUC__) || defined(__clang__)
#define AP__PLAT_PREFETCH(p) __builtin_prefetch((p), 0, 3)
#else
#define AP__PLAT_PREFETCH(p) ((void)(p))
#endif

/* ---- stores that go around the caches -----------------------------------
 * ap__plat_stream_copy(dst, src, n) copies n bytes (a multiple of 16) from
 * src to dst, which must be AP__PLAT_STREAM_ALIGN-aligned, with
 * non-temporal stores where the CPU has them (x86-64's SSE2, so every
 * x86-64): each cache line of dst goes to memory whole, without first
 * being read in, as an ordinary store's line is.  For a kernel writing an
 * output far larger than the caches, that is a third of its traffic
 * saved; for a small output, which the caller reads next, it is a loss.
 * Such stores are weakly ordered: a thread calls ap__plat_stream_fence()
 * after its last one, before another thread may read what it wrote.
 * AP__PLAT_STREAM_STORES is 1 where the stores are non-temporal;
 * elsewhere the copy is memcpy and the fence nothing. */
#define AP__PLAT_STREAM_ALIGN 16
#if (defined(__GNUC__) || defined(__clang__) || defined(_MSC_VER)) &&       \
    (defined(__x86_64__) || defined(_M_X64))
#include <emmintrin.h>
#define AP__PLAT_STREAM_STORES 1
static inline void ap__plat_stream_copy(void *dst, const void *src, size_t n)
{
    char *d = (char *)dst;
    const char *s = (const char *)src;
    for (size_t k = 0; k + 16 <= n; k += 16)
        _mm_stream_si128((__m128i *)(void *)(d + k),
                         _mm_loadu_si128((const __m128i *)(const void *)(s + k)));
}
static inline void ap__plat_stream_fence(void) { _mm_sfence(); }
#else
#include <string.h>
#define AP__PLAT_STREAM_STORES 0
static inline void ap__plat_stream_copy(void *dst, const void *src, size_t n)
{
    memcpy(dst, src, n - n % 16);
}
static inline void ap__plat_stream_fence(void) {}
#endif

/* A function kept out of line, for a hot loop that must get registers of
 * its own rather than share them with a caller's rare paths. */
#if defined(__GNUC__) || defined(__clang__)
#define AP__PLAT_NOINLINE __attribute__((noinline))
#elif defined(_MSC_VER)
#define AP__PLAT_NOINLINE __declspec(noinline)
#else
#define AP__PLAT_NOINLINE
#endif

/* ---- 128-bit integers ----------------------------------------------------
 * The core's exact intermediates (a product of two int64 values, sums of
 * them, rounding of a ratio) are written as ordinary arithmetic on
 * ap__i128 and ap__u128, so the compiler must have a 128-bit integer type:
 * GCC and Clang have on every 64-bit target (Linux, macOS, mingw-w64 and
 * clang-cl on Windows).  MSVC's cl has none; building with it stops here
 * rather than computing money in a narrower type.  The 64 x 64 -> 128
 * multiply and 128 / 64 divide below do not need it: they have a portable
 * form (and use MSVC's _umul128/_udiv128 there). */
#if defined(__SIZEOF_INT128__)
__extension__ typedef __int128 ap__i128;
__extension__ typedef unsigned __int128 ap__u128;
#define AP__PLAT_HAVE_INT128 1
#else
#error "apportion's core needs a 128-bit integer type (__int128): build it with GCC, Clang (clang-cl on Windows) or mingw-w64; MSVC's cl has none"
#endif

/* ---- overflow-checked arithmetic -----------------------------------------
 * Each returns nonzero when the exact result does not fit, and stores the
 * result wrapped to the type's width in *r either way (as the compilers'
 * __builtin_*_overflow do, which these use when the compiler has them).
 * The portable forms (ap__portable_*) are plain C and always compiled;
 * defining AP_PLAT_PORTABLE_ARITH makes every call use them, which is how
 * the tests prove them on a compiler that has the builtins
 * (tests/c/test_platform.c compares the two on every edge). */
#if !defined(AP_PLAT_PORTABLE_ARITH) && defined(__has_builtin)
#if __has_builtin(__builtin_add_overflow) &&                                 \
    __has_builtin(__builtin_sub_overflow) &&                                 \
    __has_builtin(__builtin_mul_overflow)
#define AP__PLAT_BUILTIN_OVERFLOW 1
#endif
#elif !defined(AP_PLAT_PORTABLE_ARITH) && defined(__GNUC__) && __GNUC__ >= 5
#define AP__PLAT_BUILTIN_OVERFLOW 1
#endif
#ifndef AP__PLAT_BUILTIN_OVERFLOW
#define AP__PLAT_BUILTIN_OVERFLOW 0
#endif

/* Two's complement wrap of an unsigned 64-bit value to int64, without the
 * implementation-defined conversion. */
static inline int64_t ap__plat_wrap_i64(uint64_t u)
{
    return u <= (uint64_t)INT64_MAX ? (int64_t)u
                                    : -(int64_t)(~u) - 1; /* ~u <= INT64_MAX */
}

static inline int ap__portable_add_overflow_i64(int64_t a, int64_t b,
                                                int64_t *r)
{
    *r = ap__plat_wrap_i64((uint64_t)a + (uint64_t)b);
    return b > 0 ? a > INT64_MAX - b : a < INT64_MIN - b;
}

static inline int ap__portable_sub_overflow_i64(int64_t a, int64_t b,
                                                int64_t *r)
{
    *r = ap__plat_wrap_i64((uint64_t)a - (uint64_t)b);
    return b < 0 ? a > INT64_MAX + b : a < INT64_MIN + b;
}

/* The 64 x 64 -> 128 products, as two 64-bit halves: the low half is
 * returned, the high half stored in *hi. */
static inline uint64_t ap__portable_mul_wide_u64(uint64_t a, uint64_t b,
                                                 uint64_t *hi)
{
    uint64_t a_lo = a & 0xFFFFFFFFu, a_hi = a >> 32;
    uint64_t b_lo = b & 0xFFFFFFFFu, b_hi = b >> 32;
    uint64_t ll = a_lo * b_lo, lh = a_lo * b_hi;
    uint64_t hl = a_hi * b_lo, hh = a_hi * b_hi;
    /* The middle column: at most 3 (2^32 - 1) < 2^34, no carry out. */
    uint64_t mid = (ll >> 32) + (lh & 0xFFFFFFFFu) + (hl & 0xFFFFFFFFu);
    *hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
    return (mid << 32) | (ll & 0xFFFFFFFFu);
}

/* The signed product's high half (two's complement): the unsigned one,
 * less b when a < 0 and less a when b < 0 (mod 2^64). */
static inline uint64_t ap__portable_mul_wide_i64(int64_t a, int64_t b,
                                                 int64_t *hi)
{
    uint64_t h;
    uint64_t lo = ap__portable_mul_wide_u64((uint64_t)a, (uint64_t)b, &h);
    if (a < 0)
        h -= (uint64_t)b;
    if (b < 0)
        h -= (uint64_t)a;
    *hi = ap__plat_wrap_i64(h);
    return lo;
}

static inline int ap__portable_mul_overflow_i64(int64_t a, int64_t b,
                                                int64_t *r)
{
    int64_t hi;
    uint64_t lo = ap__portable_mul_wide_i64(a, b, &hi);
    *r = ap__plat_wrap_i64(lo);
    /* Fits when the high half is the low half's sign, repeated. */
    return hi != (*r < 0 ? -1 : 0);
}

static inline int ap__portable_add_overflow_size(size_t a, size_t b,
                                                 size_t *r)
{
    *r = a + b;
    return *r < a;
}

static inline int ap__portable_mul_overflow_size(size_t a, size_t b,
                                                 size_t *r)
{
    *r = a * b;
    return a != 0 && *r / a != b;
}

/* q = (hi * 2^64 + lo) / d and *rem the remainder, for d > hi (so that q
 * fits in 64 bits; d > 0).  Long division by bits: the portable form is
 * for compilers without a 128-bit type, not for a kernel's inner loop. */
static inline uint64_t ap__portable_div_wide_u64(uint64_t hi, uint64_t lo,
                                                 uint64_t d, uint64_t *rem)
{
    uint64_t q = 0, r = hi; /* r < d throughout */
    for (int bit = 63; bit >= 0; bit--) {
        uint64_t top = r >> 63; /* r * 2 + next bit may pass 2^64 */
        r = (r << 1) | ((lo >> bit) & 1u);
        if (top || r >= d) {
            r -= d; /* wraps back below d when top was set */
            q |= (uint64_t)1 << bit;
        }
    }
    *rem = r;
    return q;
}

#if AP__PLAT_BUILTIN_OVERFLOW
/* Where the compiler has the builtins these are macros for them, not
 * inline functions: the kernels then compile instruction for instruction
 * as they did with the builtins written out (a wrapper, though inlined,
 * moved GCC's register allocation in the ledger's loops), and _Generic
 * still refuses a result pointer of any other type, as a function would. */
#define ap__add_overflow_i64(a, b, r)                                        \
    __builtin_add_overflow((int64_t)(a), (int64_t)(b),                       \
                           _Generic((r), int64_t *: (r)))
#define ap__sub_overflow_i64(a, b, r)                                        \
    __builtin_sub_overflow((int64_t)(a), (int64_t)(b),                       \
                           _Generic((r), int64_t *: (r)))
#define ap__mul_overflow_i64(a, b, r)                                        \
    __builtin_mul_overflow((int64_t)(a), (int64_t)(b),                       \
                           _Generic((r), int64_t *: (r)))
#define ap__add_overflow_size(a, b, r)                                       \
    __builtin_add_overflow((size_t)(a), (size_t)(b),                         \
                           _Generic((r), size_t *: (r)))
#define ap__mul_overflow_size(a, b, r)                                       \
    __builtin_mul_overflow((size_t)(a), (size_t)(b),                         \
                           _Generic((r), size_t *: (r)))
#else
static inline int ap__add_overflow_i64(int64_t a, int64_t b, int64_t *r)
{
    return ap__portable_add_overflow_i64(a, b, r);
}
static inline int ap__sub_overflow_i64(int64_t a, int64_t b, int64_t *r)
{
    return ap__portable_sub_overflow_i64(a, b, r);
}
static inline int ap__mul_overflow_i64(int64_t a, int64_t b, int64_t *r)
{
    return ap__portable_mul_overflow_i64(a, b, r);
}
static inline int ap__add_overflow_size(size_t a, size_t b, size_t *r)
{
    return ap__portable_add_overflow_size(a, b, r);
}
static inline int ap__mul_overflow_size(size_t a, size_t b, size_t *r)
{
    return ap__portable_mul_overflow_size(a, b, r);
}
#endif

/* 64 x 64 -> 128 and 128 / 64 (d > hi) without a 128-bit type in the
 * interface: the native one where there is one (unless
 * AP_PLAT_PORTABLE_ARITH), MSVC's intrinsics on x64, else portable C. */
#if defined(_MSC_VER) && !defined(__clang__) && defined(_M_X64) &&           \
    !defined(AP_PLAT_PORTABLE_ARITH)
#include <intrin.h>
static inline uint64_t ap__mul_wide_u64(uint64_t a, uint64_t b, uint64_t *hi)
{
    return _umul128(a, b, hi);
}
static inline uint64_t ap__mul_wide_i64(int64_t a, int64_t b, int64_t *hi)
{
    return (uint64_t)_mul128(a, b, hi);
}
static inline uint64_t ap__div_wide_u64(uint64_t hi, uint64_t lo, uint64_t d,
                                        uint64_t *rem)
{
    return _udiv128(hi, lo, d, rem);
}
#elif AP__PLAT_HAVE_INT128 && !defined(AP_PLAT_PORTABLE_ARITH)
static inline uint64_t ap__mul_wide_u64(uint64_t a, uint64_t b, uint64_t *hi)
{
    ap__u128 p = (ap__u128)a * b;
    *hi = (uint64_t)(p >> 64);
    return (uint64_t)p;
}
static inline uint64_t ap__mul_wide_i64(int64_t a, int64_t b, int64_t *hi)
{
    ap__i128 p = (ap__i128)a * b;
    *hi = (int64_t)(p >> 64);
    return (uint64_t)p;
}
static inline uint64_t ap__div_wide_u64(uint64_t hi, uint64_t lo, uint64_t d,
                                        uint64_t *rem)
{
    ap__u128 n = ((ap__u128)hi << 64) | lo;
    uint64_t q = (uint64_t)(n / d);
    *rem = (uint64_t)(n - (ap__u128)q * d);
    return q;
}
#else
static inline uint64_t ap__mul_wide_u64(uint64_t a, uint64_t b, uint64_t *hi)
{
    return ap__portable_mul_wide_u64(a, b, hi);
}
static inline uint64_t ap__mul_wide_i64(int64_t a, int64_t b, int64_t *hi)
{
    return ap__portable_mul_wide_i64(a, b, hi);
}
static inline uint64_t ap__div_wide_u64(uint64_t hi, uint64_t lo, uint64_t d,
                                        uint64_t *rem)
{
    return ap__portable_div_wide_u64(hi, lo, d, rem);
}
#endif

/* The number of trailing zero bits of v, which must not be 0 (as the
 * compilers' __builtin_ctzll, which it is where they have it). */
static inline int ap__ctz64(uint64_t v)
{
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_ctzll(v);
#else
    int n = 0;
    if (v == 0)
        return 64;
    while ((v & 1u) == 0) {
        v >>= 1;
        n++;
    }
    return n;
#endif
}

/* ---- threads and mutexes -------------------------------------------------
 * POSIX: pthreads.  Windows: _beginthreadex threads and slim reader/writer
 * locks (SRWLOCK, taken exclusively), which like a default pthread mutex
 * are not recursive and need no destruction.  A mutex with static storage
 * is initialised with AP__PLAT_MUTEX_INIT and never destroyed. */
#if AP__PLAT_WINDOWS
typedef struct ap__plat_mutex {
    void *opaque; /* an SRWLOCK: one pointer */
} ap__plat_mutex;
#define AP__PLAT_MUTEX_INIT {0}
typedef void *ap__plat_thread_handle; /* a HANDLE */
#else
#include <pthread.h>
typedef struct ap__plat_mutex {
    pthread_mutex_t m;
} ap__plat_mutex;
#define AP__PLAT_MUTEX_INIT {PTHREAD_MUTEX_INITIALIZER}
typedef pthread_t ap__plat_thread_handle;
#endif

void ap__plat_mutex_lock(ap__plat_mutex *m);
void ap__plat_mutex_unlock(ap__plat_mutex *m);

/* A thread runs fn(arg).  The struct is the caller's and must stay where
 * it is until ap__plat_thread_join has returned. */
typedef void (*ap__plat_thread_fn)(void *arg);
typedef struct ap__plat_thread {
    ap__plat_thread_handle handle;
    unsigned long id; /* Windows: the thread's id; unused elsewhere */
    ap__plat_thread_fn fn;
    void *arg;
} ap__plat_thread;

/* Starts a thread running fn(arg); 0 when it started, nonzero when it
 * could not be (then nothing runs: the caller may run fn itself). */
int ap__plat_thread_start(ap__plat_thread *t, ap__plat_thread_fn fn,
                          void *arg);

/* Waits for a started thread to finish. */
void ap__plat_thread_join(ap__plat_thread *t);

/* Nonzero when the calling thread is the one t stands for.  For a thread
 * not started by ap__plat_thread_start (the caller's own), fill t with
 * ap__plat_thread_self first. */
void ap__plat_thread_self(ap__plat_thread *t);
int ap__plat_thread_is_current(const ap__plat_thread *t);

/* The processors online now, at least 1.  Linux (and other POSIX
 * systems): sysconf(_SC_NPROCESSORS_ONLN); macOS: sysctl hw.activecpu;
 * Windows: GetActiveProcessorCount over all processor groups. */
int ap__plat_cpu_count(void);

/* ---- files ----------------------------------------------------------------- */

/* What identifies a file while it exists: POSIX st_dev and st_ino;
 * Windows the volume's serial number and the file's 64-bit index
 * (GetFileInformationByHandle), which NTFS and ReFS keep. */
typedef struct ap__plat_file_id {
    uint64_t volume, index;
} ap__plat_file_id;

typedef enum ap__plat_file_kind {
    AP__PLAT_FILE_REGULAR,
    AP__PLAT_FILE_DIRECTORY,
    AP__PLAT_FILE_OTHER
} ap__plat_file_kind;

/* What the loader asks of a file or folder before it trusts it.
 *
 * others_may_write: nonzero when users other than the owner may write to
 * it (or, for a folder, replace what is in it).
 *   POSIX: the mode's S_IWOTH bit; `mode` holds the permission bits
 *     (07777) for the message.  The owner and group are not checked: a
 *     group-writable file is the group's to share.
 *   Windows: there is no mode (`mode` is 0); the file's access list
 *     (DACL) is read instead, and it counts as writable by others when it
 *     has no DACL at all (everyone may do anything), or when an allowing
 *     entry gives write, append, delete, change-permissions or
 *     take-ownership rights (or GENERIC_WRITE/GENERIC_ALL) to Everyone,
 *     Authenticated Users, Users, Guests or Anonymous Logon that no earlier
 *     denying entry for the same group takes away.  `who` names the
 *     group.  Rights given to one other named user are not looked for
 *     (the POSIX check does not see those either).  When the access list
 *     cannot be read the call fails, so the loader refuses the file. */
typedef struct ap__plat_file_info {
    ap__plat_file_kind kind;
    uint64_t size;        /* bytes, for a regular file */
    ap__plat_file_id id;
    int others_may_write;
    unsigned mode;        /* POSIX permission bits; 0 on Windows */
    char who[32];         /* Windows: the group that may write; else "" */
} ap__plat_file_info;

/* Fills *info for the file at path (links followed).  0 on success, else
 * nonzero with the platform's reason in why. */
int ap__plat_file_info_get(const char *path, ap__plat_file_info *info,
                           char *why, size_t why_size);

/* How to remove the permission others_may_write found, for a message:
 * "chmod o-w PATH" on POSIX, the Security tab or icacls on Windows. */
void ap__plat_others_write_fix(const char *path,
                               const ap__plat_file_info *info, char *buf,
                               size_t size);

/* The absolute path of path with every link and ".." resolved, as the
 * loader names and opens a plugin (POSIX realpath; Windows
 * GetFinalPathNameByHandleW, without its \\?\ prefix where the path does
 * not need it).  *out is malloc'd (the caller frees it) or NULL on
 * failure.  0 on success, AP__PLAT_NOMEM when out of memory, else
 * AP__PLAT_FAILED with the reason in why. */
#define AP__PLAT_FAILED 1
#define AP__PLAT_NOMEM 2
int ap__plat_realpath(const char *path, char **out, char *why,
                      size_t why_size);

/* The last path separator of path ('/' and, on Windows, '\\' too), or
 * NULL when it has none (a bare name, which a library loader would look
 * for along a search path). */
const char *ap__plat_last_separator(const char *path);

/* fopen for a UTF-8 path (Windows: _wfopen); the file is not inherited
 * by a child process (POSIX O_CLOEXEC, Windows mode "N").  NULL with
 * errno set on failure. */
FILE *ap__plat_fopen(const char *path, const char *mode);

/* Nonzero when the open stream f is a regular file, with its size in
 * *size: a reader can refuse one too large before reading a byte. */
int ap__plat_stream_size(FILE *f, uint64_t *size);

/* ---- shared libraries ------------------------------------------------------ */

/* Opens the shared library at path (which holds a separator, so no search
 * path is searched) with every symbol resolved now and none made global:
 * POSIX dlopen(RTLD_NOW | RTLD_LOCAL); Windows LoadLibraryExW with
 * LOAD_WITH_ALTERED_SEARCH_PATH, so that the DLLs it needs are looked for
 * beside it first, and with the system's error dialogs off.  NULL on
 * failure, with dlerror's or FormatMessage's words in why. */
void *ap__plat_library_open(const char *path, char *why, size_t why_size);

/* The function `name` a library exports, or NULL (dlsym,
 * GetProcAddress), as a generic function pointer the caller converts. */
typedef void (*ap__plat_function)(void);
ap__plat_function ap__plat_library_function(void *library, const char *name);

/* Closes the library (dlclose, FreeLibrary): its finalisers run. */
void ap__plat_library_close(void *library);

/* The readable part of a loaded library or of the program holding the
 * address p: nonzero with [*start, *end) when p lies in one, 0 when it
 * does not (an address no loaded file maps).  ELF: the PT_LOAD segment
 * readable from dl_iterate_phdr; macOS: the readable segment of an image
 * dyld has loaded; Windows: the committed, readable region of a mapped
 * image (VirtualQuery, MEM_IMAGE). */
int ap__plat_loaded_span(const void *p, uintptr_t *start, uintptr_t *end);

/* ---- running a function in a child process ----------------------------------
 * The loader's probe runs a plugin's loading first where a crash cannot
 * take the host with it.  POSIX forks: the child (only the calling thread
 * lives on in it) resets its fault signals to their default action,
 * writes no core file, runs fn, sends back the `size` bytes of *out
 * through a pipe and leaves with _exit(fn's return).  before() runs just
 * before the fork and after() just after it, in the parent and the child
 * alike (to hold a lock across it, so that the child's copy is free).
 * Windows has no fork, and the core no program of its own to start in a
 * child process, so there it is not available: see
 * ap__plat_child_available. */
typedef enum ap__plat_child_end {
    AP__PLAT_CHILD_DONE,        /* *out holds what the child sent */
    AP__PLAT_CHILD_TIMEOUT,     /* stopped after timeout_ms (killed) */
    AP__PLAT_CHILD_SIGNAL,      /* killed by a signal: code, signal */
    AP__PLAT_CHILD_EXITED,      /* left before sending: code is its status */
    AP__PLAT_CHILD_UNSEEN,      /* its end could not be seen */
    AP__PLAT_CHILD_FAILED,      /* could not be started: why */
    AP__PLAT_CHILD_UNAVAILABLE  /* not on this platform */
} ap__plat_child_end;

typedef struct ap__plat_child_result {
    ap__plat_child_end end;
    int code;           /* the signal's number or the exit status */
    const char *signal; /* "SIGSEGV", ..., or NULL for another signal */
    char why[128];      /* for FAILED and UNAVAILABLE */
} ap__plat_child_result;

typedef int (*ap__plat_child_fn)(void *arg, void *out);

/* Nonzero where ap__plat_run_in_child can run (not on Windows). */
int ap__plat_child_available(void);

void ap__plat_run_in_child(ap__plat_child_fn fn, void *arg, void *out,
                           size_t size, long timeout_ms, void (*before)(void),
                           void (*after)(void), ap__plat_child_result *res);

#endif
