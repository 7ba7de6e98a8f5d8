/* A CSV record reader for the harnesses of CSV input (audited tables,
 * ledgers): Python's csv dialect "excel" as apportion reads those files,
 * ',' separating, '"' quoting, "" a quote inside quotes, a quoted field
 * spanning lines.  Header-only, for fuzz/ alone. */
#ifndef APPORTION_FUZZ_CSV_H
#define APPORTION_FUZZ_CSV_H

#include <stdlib.h>
#include <string.h>

#define MAX_CELLS 64

typedef struct cell {
    char *text;
} cell;

typedef struct row {
    cell cells[MAX_CELLS];
    size_t n;
} row;

/* s[0..len) with ASCII blanks stripped, as a new string. */
static inline char *stripped(const char *s, size_t len)
{
    while (len > 0 && (*s == ' ' || *s == '\t' || *s == '\r' ||
                       *s == '\v' || *s == '\f'))
        s++, len--;
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
                       s[len - 1] == '\r' || s[len - 1] == '\v' ||
                       s[len - 1] == '\f'))
        len--;
    char *out = malloc(len + 1);
    if (out != NULL) {
        memcpy(out, s, len);
        out[len] = '\0';
    }
    return out;
}

static inline void row_clear(row *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->cells[i].text);
    r->n = 0;
}

/* One CSV record from *p into *r (whose cells the caller frees with
 * row_clear).  Returns 0 at the end of the text or on too many cells. */
static inline int read_record(const char **p, const char *end, row *r)
{
    if (*p >= end)
        return 0;
    r->n = 0;
    char *field = malloc((size_t)(end - *p) + 1);
    if (field == NULL)
        return 0;
    for (;;) {
        size_t len = 0;
        int quoted = 0;
        const char *s = *p;
        if (s < end && *s == '"') {
            quoted = 1;
            s++;
        }
        while (s < end) {
            if (quoted) {
                if (*s == '"') {
                    if (s + 1 < end && s[1] == '"') {
                        field[len++] = '"';
                        s += 2;
                        continue;
                    }
                    quoted = 0;
                    s++;
                    continue;
                }
            } else if (*s == ',' || *s == '\n') {
                break;
            }
            field[len++] = *s++;
        }
        if (r->n == MAX_CELLS) {
            free(field);
            row_clear(r);
            return 0;
        }
        r->cells[r->n].text = malloc(len + 1);
        if (r->cells[r->n].text == NULL) {
            free(field);
            row_clear(r);
            return 0;
        }
        memcpy(r->cells[r->n].text, field, len);
        r->cells[r->n].text[len] = '\0';
        r->n++;
        *p = s;
        if (s < end && *s == ',') {
            (*p)++;
            continue;
        }
        if (s < end)
            (*p)++; /* the newline */
        free(field);
        return 1;
    }
}

#endif
