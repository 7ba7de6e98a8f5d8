/* Positions and raw text of cJSON nodes; see json_locate.h. */
#include "json/json_locate.h"

#include "base/text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct scanner {
    const char *text;
    size_t len;
    size_t pos;
    ap__json_loc *locs;
    size_t n;
    size_t cap;
    int failed;
} scanner;

/* What cJSON skips between tokens: every byte from 1 to 0x20, not only
 * JSON's four spaces (so "{\x1d\"a\":1}" parses, and must be located
 * alike).  NUL bytes never get here: the reader refuses them first. */
static int is_space(char c)
{
    return (unsigned char)c <= 0x20;
}

static void skip_space(scanner *s)
{
    while (s->pos < s->len && is_space(s->text[s->pos]))
        s->pos++;
}

static size_t push(scanner *s)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        ap__json_loc *grown = realloc(s->locs, cap * sizeof *grown);
        if (grown == NULL) {
            s->failed = 2; /* out of memory, not a scan that went wrong */
            return (size_t)-1;
        }
        s->locs = grown;
        s->cap = cap;
    }
    s->locs[s->n].node = NULL;
    s->locs[s->n].offset = s->pos;
    s->locs[s->n].length = 0;
    return s->n++;
}

static void skip_string(scanner *s)
{
    s->pos++; /* opening quote */
    while (s->pos < s->len && s->text[s->pos] != '"') {
        if (s->text[s->pos] == '\\')
            s->pos++;
        s->pos++;
    }
    s->pos++; /* closing quote */
}

static void scan_value(scanner *s)
{
    skip_space(s);
    if (s->failed)
        return;
    if (s->pos >= s->len) {
        s->failed = 1;
        return;
    }
    size_t at = push(s);
    if (s->failed)
        return;
    char c = s->text[s->pos];
    if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        s->pos++;
        skip_space(s);
        if (s->pos < s->len && s->text[s->pos] == close) {
            s->pos++;
        } else {
            while (!s->failed && s->pos < s->len) {
                if (c == '{') {
                    skip_space(s);
                    skip_string(s); /* the key */
                    skip_space(s);
                    s->pos++; /* ':' */
                }
                scan_value(s);
                skip_space(s);
                if (s->pos >= s->len) {
                    s->failed = 1;
                    break;
                }
                char sep = s->text[s->pos++];
                if (sep == close)
                    break;
            }
        }
    } else if (c == '"') {
        skip_string(s);
    } else {
        /* number, true, false or null: up to the next delimiter */
        while (s->pos < s->len) {
            char d = s->text[s->pos];
            if (d == ',' || d == '}' || d == ']' || is_space(d))
                break;
            s->pos++;
        }
    }
    if (!s->failed)
        s->locs[at].length = s->pos - s->locs[at].offset;
}

/* Assigns nodes to the scanned values in pre-order. */
static void assign(const cJSON *node, ap__json_loc *locs, size_t n,
                   size_t *next, int *mismatch)
{
    for (; node != NULL; node = node->next) {
        if (*next >= n) {
            *mismatch = 1;
            return;
        }
        locs[(*next)++].node = node;
        if (node->child != NULL)
            assign(node->child, locs, n, next, mismatch);
    }
}

static int by_node(const void *pa, const void *pb)
{
    const ap__json_loc *a = pa, *b = pb;
    uintptr_t x = (uintptr_t)a->node, y = (uintptr_t)b->node;
    return x < y ? -1 : x > y;
}

ap_status ap__json_index_build(const char *text, size_t len,
                               const cJSON *root, ap__json_index *index,
                               ap_error *err)
{
    scanner s = {text, len, 0, NULL, 0, 0, 0};
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        s.pos = 3; /* a UTF-8 byte order mark, which cJSON skips too */
    scan_value(&s);
    size_t next = 0;
    int mismatch = s.failed;
    if (!mismatch) {
        /* The root has no siblings; walk it alone. */
        if (s.n == 0) {
            mismatch = 1;
        } else {
            s.locs[next++].node = root;
            assign(root->child, s.locs, s.n, &next, &mismatch);
        }
    }
    if (mismatch || next != s.n) {
        int out_of_memory = s.failed == 2;
        free(s.locs);
        index->locs = NULL;
        index->n = 0;
        if (out_of_memory)
            return ap_error_set(err, AP_E_NOMEM, "out of memory locating the "
                                "values of the JSON text");
        /* cJSON read the text and the scan disagrees with it: a defect of
         * the scan, said as such rather than as a memory failure. */
        return ap_error_set(err, AP_E_INPUT,
                            "could not locate the values of this JSON text "
                            "(apportion's scan disagrees with cJSON's; "
                            "please report it with the file)");
    }
    qsort(s.locs, s.n, sizeof *s.locs, by_node);
    index->locs = s.locs;
    index->n = s.n;
    return AP_OK;
}

const ap__json_loc *ap__json_find(const ap__json_index *index,
                                  const cJSON *node)
{
    ap__json_loc key = {node, 0, 0};
    return bsearch(&key, index->locs, index->n, sizeof key, by_node);
}

void ap__json_index_free(ap__json_index *index)
{
    free(index->locs);
    index->locs = NULL;
    index->n = 0;
}

void ap__json_line_column(const char *text, size_t offset, int *line,
                          int *column)
{
    ap__text_line_column(text, offset, line, column);
}
