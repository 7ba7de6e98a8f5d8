/* The platform layer on Windows (platform.h says what each function does
 * on each platform).  Paths arrive as UTF-8 and go to the wide (…W)
 * functions as UTF-16; what those give back is turned into UTF-8.  The
 * whole file is empty elsewhere, where platform_posix.c stands instead.
 * Built with mingw-w64 or clang-cl (MSVC's cl lacks __int128, which the
 * core's arithmetic needs: platform.h). */
#if defined(_WIN32)

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#if !defined(_WIN32_WINNT) || _WIN32_WINNT < 0x0601
#undef _WIN32_WINNT
#define _WIN32_WINNT 0x0601 /* Windows 7: GetActiveProcessorCount */
#endif

#include <windows.h>

#include <aclapi.h>
#include <errno.h>
#include <io.h>
#include <process.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "platform/platform.h"

#if defined(_MSC_VER)
#pragma comment(lib, "advapi32.lib")
#endif

_Static_assert(sizeof(SRWLOCK) == sizeof(ap__plat_mutex),
               "ap__plat_mutex must hold an SRWLOCK");

/* ---- text ------------------------------------------------------------------- */

/* s as UTF-16, malloc'd; NULL when s is not UTF-8 (errno EINVAL) or out
 * of memory (ENOMEM). */
static wchar_t *wide(const char *s)
{
    int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
    if (n <= 0) {
        errno = EINVAL;
        return NULL;
    }
    wchar_t *w = malloc((size_t)n * sizeof *w);
    if (w == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n);
    return w;
}

/* w as UTF-8, malloc'd, or NULL. */
static char *narrow(const wchar_t *w)
{
    int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
    if (n <= 0)
        return NULL;
    char *s = malloc((size_t)n);
    if (s != NULL)
        WideCharToMultiByte(CP_UTF8, 0, w, -1, s, n, NULL, NULL);
    return s;
}

/* FormatMessage's words for a Windows error code, with the code. */
static void say_error(DWORD code, char *why, size_t why_size)
{
    if (why_size == 0)
        return;
    wchar_t *msg = NULL;
    DWORD n = FormatMessageW(FORMAT_MESSAGE_ALLOCATE_BUFFER |
                                 FORMAT_MESSAGE_FROM_SYSTEM |
                                 FORMAT_MESSAGE_IGNORE_INSERTS,
                             NULL, code, 0, (LPWSTR)(void *)&msg, 0, NULL);
    char *text = NULL;
    if (n > 0 && msg != NULL) {
        while (n > 0 && (msg[n - 1] == L'\r' || msg[n - 1] == L'\n' ||
                         msg[n - 1] == L' ' || msg[n - 1] == L'.'))
            msg[--n] = L'\0';
        text = narrow(msg);
    }
    if (msg != NULL)
        LocalFree(msg);
    if (text != NULL && text[0] != '\0')
        snprintf(why, why_size, "%s (Windows error %lu)", text,
                 (unsigned long)code);
    else
        snprintf(why, why_size, "Windows error %lu", (unsigned long)code);
    free(text);
}

/* The reason a path could not be converted, from wide()'s errno. */
static int say_bad_path(char *why, size_t why_size)
{
    if (errno == ENOMEM) {
        if (why_size > 0)
            snprintf(why, why_size, "out of memory");
        return AP__PLAT_NOMEM;
    }
    if (why_size > 0)
        snprintf(why, why_size, "the path is not valid UTF-8");
    return AP__PLAT_FAILED;
}

/* ---- threads and mutexes ---------------------------------------------------- */

void ap__plat_mutex_lock(ap__plat_mutex *m)
{
    AcquireSRWLockExclusive((PSRWLOCK)(void *)m);
}

void ap__plat_mutex_unlock(ap__plat_mutex *m)
{
    ReleaseSRWLockExclusive((PSRWLOCK)(void *)m);
}

/* The x87 control word.  mingw-w64's libm computes exp, pow and others
 * with x87 instructions, whose precision follows this word; Windows
 * starts a thread at 53 bits where mingw's start-up gave the main thread
 * 64, so the same exp() gave other last bits on a worker thread (a trend
 * fitted in a batch on threads differed from the same fit on the caller,
 * under wine).  A thread takes the word of the thread that started it, so
 * a result never depends on which thread computed it. */
#if (defined(__GNUC__) || defined(__clang__)) &&                             \
    (defined(__x86_64__) || defined(__i386__))
static unsigned short x87_word(void)
{
    unsigned short cw;
    __asm__ __volatile__("fnstcw %0" : "=m"(cw));
    return cw;
}
static void x87_word_set(unsigned short cw)
{
    __asm__ __volatile__("fldcw %0" : : "m"(cw));
}
#else
static unsigned short x87_word(void)
{
    return 0;
}
static void x87_word_set(unsigned short cw)
{
    (void)cw;
}
#endif

typedef struct thread_start {
    ap__plat_thread *t;
    unsigned short x87; /* the starting thread's control word */
} thread_start;

static unsigned __stdcall thread_main(void *arg)
{
    thread_start start = *(thread_start *)arg;
    free(arg);
    x87_word_set(start.x87);
    start.t->fn(start.t->arg);
    return 0;
}

int ap__plat_thread_start(ap__plat_thread *t, ap__plat_thread_fn fn,
                          void *arg)
{
    t->fn = fn;
    t->arg = arg;
    thread_start *start = malloc(sizeof *start);
    if (start == NULL)
        return 1;
    start->t = t;
    start->x87 = x87_word();
    unsigned id = 0;
    /* _beginthreadex, not CreateThread: the C runtime's per-thread state
     * is set up for the thread. */
    uintptr_t h = _beginthreadex(NULL, 0, thread_main, start, 0, &id);
    if (h == 0) {
        free(start);
        return 1;
    }
    t->handle = (void *)h;
    t->id = id;
    return 0;
}

void ap__plat_thread_join(ap__plat_thread *t)
{
    WaitForSingleObject((HANDLE)t->handle, INFINITE);
    CloseHandle((HANDLE)t->handle);
    t->handle = NULL;
}

void ap__plat_thread_self(ap__plat_thread *t)
{
    t->handle = NULL;
    t->id = GetCurrentThreadId();
    t->fn = NULL;
    t->arg = NULL;
}

int ap__plat_thread_is_current(const ap__plat_thread *t)
{
    return t->id == GetCurrentThreadId();
}

int ap__plat_cpu_count(void)
{
    DWORD n = GetActiveProcessorCount(ALL_PROCESSOR_GROUPS);
    if (n < 1) {
        SYSTEM_INFO si;
        GetSystemInfo(&si);
        n = si.dwNumberOfProcessors;
    }
    return n < 1 ? 1 : n > 4096 ? 4096 : (int)n;
}

/* ---- files: who may write --------------------------------------------------- */

/* The groups that stand for "others": any user of the machine. */
static const struct {
    WELL_KNOWN_SID_TYPE type;
    const char *name, *sid;
} OTHERS[] = {
    {WinWorldSid, "Everyone", "S-1-1-0"},
    {WinAuthenticatedUserSid, "Authenticated Users", "S-1-5-11"},
    {WinBuiltinUsersSid, "Users", "S-1-5-32-545"},
    {WinBuiltinGuestsSid, "Guests", "S-1-5-32-546"},
    {WinAnonymousSid, "Anonymous Logon", "S-1-5-7"},
};
#define N_OTHERS (sizeof OTHERS / sizeof *OTHERS)

/* Rights that let a holder change the file, or what a folder holds, or
 * who may: write or append data (add a file or folder to a folder),
 * delete it or a folder's child, change its access list or owner. */
#define WRITE_RIGHTS                                                         \
    (FILE_WRITE_DATA | FILE_APPEND_DATA | FILE_DELETE_CHILD | DELETE |       \
     WRITE_DAC | WRITE_OWNER | GENERIC_WRITE | GENERIC_ALL)

/* Sets info->others_may_write and info->who from the DACL of h. */
static int read_access_list(HANDLE h, ap__plat_file_info *info, char *why,
                            size_t why_size)
{
    PACL dacl = NULL;
    PSECURITY_DESCRIPTOR sd = NULL;
    DWORD rc = GetSecurityInfo(h, SE_FILE_OBJECT, DACL_SECURITY_INFORMATION,
                               NULL, NULL, &dacl, NULL, &sd);
    if (rc != ERROR_SUCCESS) {
        say_error(rc, why, why_size);
        return AP__PLAT_FAILED;
    }
    if (dacl == NULL) {
        /* No access list at all: everyone may do anything. */
        info->others_may_write = 1;
        snprintf(info->who, sizeof info->who, "%s", OTHERS[0].name);
        LocalFree(sd);
        return 0;
    }
    BYTE sids[N_OTHERS][SECURITY_MAX_SID_SIZE];
    int have[N_OTHERS];
    for (size_t k = 0; k < N_OTHERS; k++) {
        DWORD size = SECURITY_MAX_SID_SIZE;
        have[k] = CreateWellKnownSid(OTHERS[k].type, NULL, sids[k], &size);
    }
    ACCESS_MASK denied[N_OTHERS] = {0};
    for (DWORD i = 0; i < dacl->AceCount && !info->others_may_write; i++) {
        void *ace;
        if (!GetAce(dacl, i, &ace))
            continue;
        const ACE_HEADER *head = ace;
        if (head->AceFlags & INHERIT_ONLY_ACE)
            continue; /* for what the folder will hold, not itself */
        int allow = head->AceType == ACCESS_ALLOWED_ACE_TYPE;
        if (!allow && head->AceType != ACCESS_DENIED_ACE_TYPE)
            continue;
        /* Both types have the same layout: header, mask, SID. */
        const ACCESS_ALLOWED_ACE *a = ace;
        PSID sid = (PSID)(void *)&((ACCESS_ALLOWED_ACE *)ace)->SidStart;
        for (size_t k = 0; k < N_OTHERS; k++) {
            if (!have[k] || !EqualSid(sid, (PSID)sids[k]))
                continue;
            /* Entries apply in order: a denial before an allowance takes
             * those rights away. */
            if (!allow)
                denied[k] |= a->Mask;
            else if ((a->Mask & WRITE_RIGHTS & ~denied[k]) != 0) {
                info->others_may_write = 1;
                snprintf(info->who, sizeof info->who, "%s", OTHERS[k].name);
            }
        }
    }
    LocalFree(sd);
    return 0;
}

int ap__plat_file_info_get(const char *path, ap__plat_file_info *info,
                           char *why, size_t why_size)
{
    memset(info, 0, sizeof *info);
    wchar_t *w = wide(path);
    if (w == NULL)
        return say_bad_path(why, why_size);
    /* FILE_FLAG_BACKUP_SEMANTICS opens a folder too; READ_CONTROL reads
     * the access list.  Links are followed, as stat does. */
    HANDLE h = CreateFileW(w, READ_CONTROL | FILE_READ_ATTRIBUTES,
                           FILE_SHARE_READ | FILE_SHARE_WRITE |
                               FILE_SHARE_DELETE,
                           NULL, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS,
                           NULL);
    free(w);
    if (h == INVALID_HANDLE_VALUE) {
        say_error(GetLastError(), why, why_size);
        return AP__PLAT_FAILED;
    }
    BY_HANDLE_FILE_INFORMATION fi;
    if (!GetFileInformationByHandle(h, &fi)) {
        say_error(GetLastError(), why, why_size);
        CloseHandle(h);
        return AP__PLAT_FAILED;
    }
    info->kind = (fi.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)
                     ? AP__PLAT_FILE_DIRECTORY
                 : GetFileType(h) == FILE_TYPE_DISK ? AP__PLAT_FILE_REGULAR
                                                    : AP__PLAT_FILE_OTHER;
    info->size = (uint64_t)fi.nFileSizeHigh << 32 | fi.nFileSizeLow;
    info->id.volume = fi.dwVolumeSerialNumber;
    info->id.index = (uint64_t)fi.nFileIndexHigh << 32 | fi.nFileIndexLow;
    int st = read_access_list(h, info, why, why_size);
    CloseHandle(h);
    return st;
}

void ap__plat_others_write_fix(const char *path,
                               const ap__plat_file_info *info, char *buf,
                               size_t size)
{
    const char *sid = OTHERS[0].sid;
    for (size_t k = 0; k < N_OTHERS; k++)
        if (strcmp(info->who, OTHERS[k].name) == 0)
            sid = OTHERS[k].sid;
    snprintf(buf, size, "(its access list lets %s write to it); remove that "
             "permission in its Properties > Security, or with icacls \"%s\" "
             "/remove:g *%s (an inherited one on the folder it comes from)",
             info->who, path, sid);
}

/* ---- files: names and streams ------------------------------------------------ */

int ap__plat_realpath(const char *path, char **out, char *why,
                      size_t why_size)
{
    *out = NULL;
    wchar_t *w = wide(path);
    if (w == NULL)
        return say_bad_path(why, why_size);
    HANDLE h = CreateFileW(w, 0, FILE_SHARE_READ | FILE_SHARE_WRITE |
                                     FILE_SHARE_DELETE,
                           NULL, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS,
                           NULL);
    free(w);
    if (h == INVALID_HANDLE_VALUE) {
        say_error(GetLastError(), why, why_size);
        return AP__PLAT_FAILED;
    }
    DWORD flags = FILE_NAME_NORMALIZED | VOLUME_NAME_DOS;
    DWORD n = GetFinalPathNameByHandleW(h, NULL, 0, flags);
    wchar_t *full = n > 0 ? malloc(((size_t)n + 1) * sizeof *full) : NULL;
    DWORD got = full != NULL ? GetFinalPathNameByHandleW(h, full, n + 1, flags)
                             : 0;
    DWORD e = GetLastError();
    CloseHandle(h);
    if (n > 0 && full == NULL) {
        if (why_size > 0)
            snprintf(why, why_size, "out of memory");
        return AP__PLAT_NOMEM;
    }
    if (got == 0 || got > n) {
        free(full);
        say_error(e, why, why_size);
        return AP__PLAT_FAILED;
    }
    /* \\?\C:\dir\x.dll -> C:\dir\x.dll, \\?\UNC\host\share -> \\host\share,
     * unless the path is too long to go without the prefix. */
    wchar_t *p = full;
    if (wcsncmp(p, L"\\\\?\\UNC\\", 8) == 0 && got - 6 < MAX_PATH) {
        p += 6;
        p[0] = L'\\';
    } else if (wcsncmp(p, L"\\\\?\\", 4) == 0 && got - 4 < MAX_PATH) {
        p += 4;
    }
    *out = narrow(p);
    free(full);
    if (*out == NULL) {
        if (why_size > 0)
            snprintf(why, why_size, "out of memory");
        return AP__PLAT_NOMEM;
    }
    return 0;
}

const char *ap__plat_last_separator(const char *path)
{
    const char *slash = strrchr(path, '/'), *back = strrchr(path, '\\');
    return slash == NULL ? back : back == NULL ? slash
                                  : slash > back ? slash
                                                 : back;
}

FILE *ap__plat_fopen(const char *path, const char *mode)
{
    wchar_t *w = wide(path);
    if (w == NULL)
        return NULL;
    /* The mode, with N: the handle is not inherited by a child process. */
    wchar_t wmode[8];
    size_t i = 0;
    for (; mode[i] != '\0' && i < 6; i++)
        wmode[i] = (wchar_t)(unsigned char)mode[i];
    wmode[i++] = L'N';
    wmode[i] = L'\0';
    FILE *f = _wfopen(w, wmode);
    int e = errno;
    free(w);
    errno = e;
    return f;
}

int ap__plat_stream_size(FILE *f, uint64_t *size)
{
    HANDLE h = (HANDLE)_get_osfhandle(_fileno(f));
    BY_HANDLE_FILE_INFORMATION fi;
    if (h == INVALID_HANDLE_VALUE || GetFileType(h) != FILE_TYPE_DISK ||
        !GetFileInformationByHandle(h, &fi) ||
        (fi.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY))
        return 0;
    *size = (uint64_t)fi.nFileSizeHigh << 32 | fi.nFileSizeLow;
    return 1;
}

/* ---- shared libraries ------------------------------------------------------- */

void *ap__plat_library_open(const char *path, char *why, size_t why_size)
{
    wchar_t *w = wide(path);
    if (w == NULL) {
        say_bad_path(why, why_size);
        return NULL;
    }
    /* Windows binds a DLL's imports when it loads (RTLD_NOW), and one
     * DLL's names never bind another's (RTLD_LOCAL).  The altered search
     * path looks for the DLLs it needs beside it first; the thread's
     * error mode keeps a missing one from opening a dialog box. */
    DWORD old_mode = 0;
    SetThreadErrorMode(SEM_FAILCRITICALERRORS | SEM_NOOPENFILEERRORBOX,
                       &old_mode);
    HMODULE lib = LoadLibraryExW(w, NULL, LOAD_WITH_ALTERED_SEARCH_PATH);
    DWORD e = GetLastError();
    SetThreadErrorMode(old_mode, NULL);
    free(w);
    if (lib == NULL)
        say_error(e, why, why_size);
    return (void *)lib;
}

ap__plat_function ap__plat_library_function(void *library, const char *name)
{
    FARPROC p = GetProcAddress((HMODULE)library, name);
    return (ap__plat_function)(void (*)(void))p;
}

void ap__plat_library_close(void *library)
{
    FreeLibrary((HMODULE)library);
}

static int readable_region(const MEMORY_BASIC_INFORMATION *m)
{
    if (m->State != MEM_COMMIT || m->Type != MEM_IMAGE ||
        (m->Protect & (PAGE_GUARD | PAGE_NOACCESS)) != 0)
        return 0;
    switch (m->Protect & 0xFF) {
    case PAGE_READONLY:
    case PAGE_READWRITE:
    case PAGE_WRITECOPY:
    case PAGE_EXECUTE_READ:
    case PAGE_EXECUTE_READWRITE:
    case PAGE_EXECUTE_WRITECOPY:
        return 1;
    default:
        return 0;
    }
}

int ap__plat_loaded_span(const void *p, uintptr_t *start, uintptr_t *end)
{
    MEMORY_BASIC_INFORMATION m;
    if (p == NULL || VirtualQuery(p, &m, sizeof m) == 0 ||
        !readable_region(&m))
        return 0;
    uintptr_t from = (uintptr_t)m.BaseAddress;
    uintptr_t to = from + m.RegionSize;
    void *image = m.AllocationBase;
    /* The next regions of the same image, while readable: a section's
     * pages of another protection (.rdata after .text) still belong. */
    while (VirtualQuery((const void *)to, &m, sizeof m) != 0 &&
           m.AllocationBase == image && readable_region(&m))
        to = (uintptr_t)m.BaseAddress + m.RegionSize;
    *start = from;
    *end = to;
    return 1;
}

/* ---- running a function in a child process ----------------------------------- */

int ap__plat_child_available(void)
{
    return 0;
}

void ap__plat_run_in_child(ap__plat_child_fn fn, void *arg, void *out,
                           size_t size, long timeout_ms, void (*before)(void),
                           void (*after)(void), ap__plat_child_result *res)
{
    (void)fn;
    (void)arg;
    (void)out;
    (void)size;
    (void)timeout_ms;
    (void)before;
    (void)after;
    memset(res, 0, sizeof *res);
    res->end = AP__PLAT_CHILD_UNAVAILABLE;
    snprintf(res->why, sizeof res->why, "Windows has no fork, and apportion "
             "has no program of its own to load a plugin in a child "
             "process");
}

#endif /* _WIN32 */
