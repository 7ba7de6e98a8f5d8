/* Where each cJSON node stands in the text it was parsed from.
 *
 * cJSON keeps neither positions nor the text of numbers, and we need both:
 * positions so every plan error gives a line and column, and number text so
 * integer pence and decimal weights are read exactly, never via a double.
 * A second light scan of the (already valid) text finds every value in
 * document order, which is the pre-order of cJSON's tree. */
#ifndef APPORTION_JSON_LOCATE_H
#define APPORTION_JSON_LOCATE_H

#include <stddef.h>

#include <cJSON.h>

#include "apportion/error.h"

typedef struct ap__json_loc {
    const cJSON *node;
    size_t offset; /* byte offset of the value's first character */
    size_t length; /* bytes of the value's text */
} ap__json_loc;

typedef struct ap__json_index {
    ap__json_loc *locs; /* sorted by node address */
    size_t n;
} ap__json_index;

ap_status ap__json_index_build(const char *text, size_t len,
                               const cJSON *root, ap__json_index *index,
                               ap_error *err);
/* NULL when the node is unknown. */
const ap__json_loc *ap__json_find(const ap__json_index *index,
                                  const cJSON *node);
void ap__json_index_free(ap__json_index *index);
/* 1-based line and column (in characters) of a byte offset. */
void ap__json_line_column(const char *text, size_t offset, int *line,
                          int *column);

#endif
