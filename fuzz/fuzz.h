/* What every libFuzzer harness of fuzz/ shares: the entry point's
 * declaration and the checks that make a reader's answer a finding.
 *
 * A reader given any bytes must either succeed or fail with a status that
 * is not AP_OK and a message saying what was wrong; a crash, a leak, a
 * sanitizer report, a hang, an empty message or a status outside
 * ap_status is a defect.  fuzz_expect_status aborts on the last two, so
 * libFuzzer keeps the input that shows them. */
#ifndef APPORTION_FUZZ_H
#define APPORTION_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apportion/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts, naming the call, when st is not a known status or when a
 * failure left no message. */
static inline void fuzz_expect_status(const char *call, ap_status st,
                                      const ap_error *err)
{
    if ((int)st < 0 || st >= AP_STATUS_COUNT) {
        fprintf(stderr, "%s returned %d, not an ap_status\n", call, (int)st);
        abort();
    }
    if (st != AP_OK && err->message[0] == '\0') {
        fprintf(stderr, "%s failed (%s) with an empty message\n", call,
                ap_status_name(st));
        abort();
    }
    if (st != AP_OK && err->status != st) {
        fprintf(stderr, "%s returned %s but its error says %s: %s\n", call,
                ap_status_name(st), ap_status_name(err->status),
                err->message);
        abort();
    }
}

/* A NUL-terminated copy of the input (NULL when out of memory), for the
 * functions that read a C string. */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (s != NULL) {
        if (size > 0)
            memcpy(s, data, size);
        s[size] = '\0';
    }
    return s;
}

/* Takes one byte off the front of the input (0 when there is none). */
static inline uint8_t fuzz_take_byte(const uint8_t **data, size_t *size)
{
    if (*size == 0)
        return 0;
    uint8_t b = **data;
    (*data)++;
    (*size)--;
    return b;
}

#endif
