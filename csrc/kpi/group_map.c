/* Integer group keys to accumulators; see group_map.h. */
#include <stdlib.h>
#include <string.h>

#include "kpi/group_map.h"
#include "base/parallel.h"

int ap__group_map_init(ap__group_map *m, size_t width, int64_t min,
                       int64_t max)
{
    memset(m, 0, sizeof *m);
    m->width = width;
    if (max >= min &&
        (uint64_t)max - (uint64_t)min < (uint64_t)AP__GROUP_DIRECT_MAX) {
        m->direct = 1;
        m->min = min;
        m->n_slots = (size_t)((uint64_t)max - (uint64_t)min) + 1;
        m->acc = calloc(m->n_slots * width, sizeof *m->acc);
        return m->acc == NULL ? -1 : 0;
    }
    m->cap = 1024;
    m->acc_cap = 256;
    m->table = calloc(m->cap, sizeof *m->table);
    m->keys = malloc(m->acc_cap * sizeof *m->keys);
    m->acc = calloc(m->acc_cap * width, sizeof *m->acc);
    return m->table && m->keys && m->acc ? 0 : -1;
}

void ap__group_map_free(ap__group_map *m)
{
    free(m->acc);
    free(m->keys);
    free(m->table);
    memset(m, 0, sizeof *m);
}

static size_t slot_of(int64_t key, size_t cap)
{
    /* A multiplicative hash spreads consecutive keys (202101, 202102...). */
    uint64_t h = (uint64_t)key * 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 17) & (cap - 1);
}

static int grow_table(ap__group_map *m)
{
    size_t cap = m->cap * 2;
    uint32_t *table = calloc(cap, sizeof *table);
    if (table == NULL)
        return -1;
    for (size_t d = 0; d < m->n_slots; d++) {
        size_t s = slot_of(m->keys[d], cap);
        while (table[s] != 0)
            s = (s + 1) & (cap - 1);
        table[s] = (uint32_t)(d + 1);
    }
    free(m->table);
    m->table = table;
    m->cap = cap;
    return 0;
}

int64_t *ap__group_map_find_hashed(ap__group_map *m, int64_t key)
{
    size_t s = slot_of(key, m->cap);
    for (;;) {
        uint32_t d = m->table[s];
        if (d == 0)
            break;
        if (m->keys[d - 1] == key)
            return m->acc + (size_t)(d - 1) * m->width;
        s = (s + 1) & (m->cap - 1);
    }
    /* A new key: keep the table at most half full. */
    if (m->n_slots >= UINT32_MAX - 1)
        return NULL;
    if ((m->n_slots + 1) * 2 > m->cap) {
        if (grow_table(m) < 0)
            return NULL;
        s = slot_of(key, m->cap);
        while (m->table[s] != 0)
            s = (s + 1) & (m->cap - 1);
    }
    if (m->n_slots == m->acc_cap) {
        size_t cap = m->acc_cap * 2;
        int64_t *keys = realloc(m->keys, cap * sizeof *keys);
        if (keys == NULL)
            return NULL;
        m->keys = keys;
        int64_t *acc = realloc(m->acc, cap * m->width * sizeof *acc);
        if (acc == NULL)
            return NULL;
        memset(acc + m->acc_cap * m->width, 0,
               (cap - m->acc_cap) * m->width * sizeof *acc);
        m->acc = acc;
        m->acc_cap = cap;
    }
    size_t d = m->n_slots++;
    m->keys[d] = key;
    m->table[s] = (uint32_t)(d + 1);
    return m->acc + d * m->width;
}

size_t ap__group_map_size(const ap__group_map *m)
{
    if (!m->direct)
        return m->n_slots;
    size_t n = 0;
    for (size_t d = 0; d < m->n_slots; d++)
        n += m->acc[d * m->width] != 0;
    return n;
}

void ap__group_map_each(const ap__group_map *m,
                        void (*fn)(void *ctx, int64_t key, const int64_t *acc),
                        void *ctx)
{
    for (size_t d = 0; d < m->n_slots; d++) {
        const int64_t *acc = m->acc + d * m->width;
        if (m->direct) {
            if (acc[0] != 0)
                fn(ctx, (int64_t)((uint64_t)m->min + d), acc);
        } else {
            fn(ctx, m->keys[d], acc);
        }
    }
}

typedef struct range_job {
    const int64_t *keys;
    int64_t min[AP__MAX_THREADS], max[AP__MAX_THREADS];
} range_job;

static void range_chunk(void *ctx, size_t chunk, size_t from, size_t to)
{
    range_job *job = ctx;
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (size_t i = from; i < to; i++) {
        int64_t k = job->keys[i];
        lo = k < lo ? k : lo;
        hi = k > hi ? k : hi;
    }
    job->min[chunk] = lo;
    job->max[chunk] = hi;
}

void ap__keys_range(const int64_t *keys, size_t n, int64_t *min,
                    int64_t *max)
{
    range_job job;
    job.keys = keys;
    size_t chunks = ap__parallel_chunks(n, (size_t)1 << 20);
    ap__parallel_run(n, chunks, range_chunk, &job);
    *min = INT64_MAX;
    *max = INT64_MIN;
    for (size_t t = 0; t < chunks; t++) {
        *min = job.min[t] < *min ? job.min[t] : *min;
        *max = job.max[t] > *max ? job.max[t] : *max;
    }
}

int ap__group_map_init_at(ap__group_map *m, size_t width, int64_t key)
{
    return ap__group_map_init(m, width, key, key);
}

/* A direct map turned into a hash map holding the same groups (those
 * with a nonzero field 0). */
static int to_hashed(ap__group_map *m)
{
    ap__group_map h;
    if (ap__group_map_init(&h, m->width, 1, 0) < 0) {
        ap__group_map_free(&h);
        return -1;
    }
    for (size_t d = 0; d < m->n_slots; d++) {
        const int64_t *acc = m->acc + d * m->width;
        if (acc[0] == 0)
            continue;
        int64_t *to =
            ap__group_map_find_hashed(&h, (int64_t)((uint64_t)m->min + d));
        if (to == NULL) {
            ap__group_map_free(&h);
            return -1;
        }
        memcpy(to, acc, m->width * sizeof *acc);
    }
    ap__group_map_free(m);
    *m = h;
    return 0;
}

/* Widens a direct map to hold key; 1 when the range would grow past
 * AP__GROUP_DIRECT_MAX (the caller goes to hash mode), -1 out of memory. */
static int widen(ap__group_map *m, int64_t key)
{
    int64_t lo = m->min;
    int64_t hi = (int64_t)((uint64_t)m->min + (m->n_slots - 1));
    if (key < lo)
        lo = key;
    if (key > hi)
        hi = key;
    uint64_t need = (uint64_t)hi - (uint64_t)lo; /* slots - 1 */
    if (need >= (uint64_t)AP__GROUP_DIRECT_MAX)
        return 1;
    /* At least double, within the direct range and within int64. */
    uint64_t slots = need + 1;
    if (slots < 2 * (uint64_t)m->n_slots)
        slots = 2 * (uint64_t)m->n_slots;
    if (slots > (uint64_t)AP__GROUP_DIRECT_MAX)
        slots = (uint64_t)AP__GROUP_DIRECT_MAX;
    int64_t min;
    if (key < m->min) { /* grow downwards from hi */
        uint64_t room = (uint64_t)hi - (uint64_t)INT64_MIN;
        min = room < slots - 1 ? INT64_MIN
                               : (int64_t)((uint64_t)hi - (slots - 1));
    } else { /* grow upwards from lo */
        uint64_t room = (uint64_t)INT64_MAX - (uint64_t)lo;
        min = room < slots - 1 ? (int64_t)((uint64_t)INT64_MAX - (slots - 1))
                               : lo;
    }
    int64_t *acc = calloc((size_t)slots * m->width, sizeof *acc);
    if (acc == NULL)
        return -1;
    size_t at = (size_t)((uint64_t)m->min - (uint64_t)min);
    memcpy(acc + at * m->width, m->acc, m->n_slots * m->width * sizeof *acc);
    free(m->acc);
    m->acc = acc;
    m->min = min;
    m->n_slots = (size_t)slots;
    return 0;
}

int64_t *ap__group_map_get(ap__group_map *m, int64_t key)
{
    if (!m->direct)
        return ap__group_map_find_hashed(m, key);
    uint64_t d = (uint64_t)key - (uint64_t)m->min;
    if (d >= m->n_slots) {
        int r = widen(m, key);
        if (r < 0)
            return NULL;
        if (r > 0) {
            if (to_hashed(m) < 0)
                return NULL;
            return ap__group_map_find_hashed(m, key);
        }
        d = (uint64_t)key - (uint64_t)m->min;
    }
    return m->acc + (size_t)d * m->width;
}
