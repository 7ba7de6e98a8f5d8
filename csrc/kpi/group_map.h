/* Integer group keys to accumulators of `width` int64 fields, for the
 * grouped measures; internal.
 *
 * Keys that span a small range (authorities, months, financial quarters)
 * index an array directly, which keeps the measures' inner loop free of
 * hashing; any other keys go through an open-addressing hash table.  One
 * map belongs to one thread; the caller combines the maps of its chunks. */
#ifndef APPORTION_GROUP_MAP_H
#define APPORTION_GROUP_MAP_H

#include <stddef.h>
#include <stdint.h>

/* Key ranges up to this many values are indexed directly. */
#define AP__GROUP_DIRECT_MAX ((size_t)1 << 16)

typedef struct ap__group_map {
    size_t width;
    int direct;
    int64_t min;      /* direct: the key of slot 0 */
    size_t n_slots;   /* direct: the range; hash: groups in use */
    int64_t *acc;     /* n_slots * width fields, zeroed when made */
    /* hash mode only */
    int64_t *keys;    /* slot keys, by dense index */
    uint32_t *table;  /* cap entries: dense index + 1, 0 when empty */
    size_t cap, acc_cap;
} ap__group_map;

/* Direct mode when max - min < AP__GROUP_DIRECT_MAX, else hash mode.
 * Returns 0, or -1 when out of memory. */
int ap__group_map_init(ap__group_map *m, size_t width, int64_t min,
                       int64_t max);
void ap__group_map_free(ap__group_map *m);

/* A map in direct mode covering the one key `key`, for a kernel that does
 * not know its keys' range in advance and lets ap__group_map_get widen it
 * (saves a pass over the keys).  Returns 0, or -1 when out of memory. */
int ap__group_map_init_at(ap__group_map *m, size_t width, int64_t key);

/* The accumulator of any key, made (zeroed) when new: a direct map whose
 * range does not hold the key is widened (at least doubled, so that keys
 * arriving in order cost few copies), or turned into a hash map once the
 * range would pass AP__GROUP_DIRECT_MAX.  NULL when out of memory (the map
 * is then as it was).  The pointer is valid until the next call. */
int64_t *ap__group_map_get(ap__group_map *m, int64_t key);

/* The accumulator of a key in hash mode, made (zeroed) when new; NULL when
 * out of memory.  The pointer is valid until the next call. */
int64_t *ap__group_map_find_hashed(ap__group_map *m, int64_t key);

static inline int64_t *ap__group_acc(ap__group_map *m, int64_t key)
{
    if (m->direct)
        return m->acc + (size_t)((uint64_t)key - (uint64_t)m->min) * m->width;
    return ap__group_map_find_hashed(m, key);
}

/* The groups in use (accumulator field 0, the record count, nonzero in
 * direct mode; every group in hash mode), as keys and accumulators. */
size_t ap__group_map_size(const ap__group_map *m);
/* Calls fn for each group in use, in no particular order. */
void ap__group_map_each(const ap__group_map *m,
                        void (*fn)(void *ctx, int64_t key, const int64_t *acc),
                        void *ctx);

/* Min and max of n keys, split across threads for large n. */
void ap__keys_range(const int64_t *keys, size_t n, int64_t *min,
                    int64_t *max);

#endif
