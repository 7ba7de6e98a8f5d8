/* What every libFuzzer harness of fuzz/ shares: the entry point's
 * declaration and the checks that make a reader's answer a finding.
 *
 * A reader given any bytes must either succeed or fail with a status that
 * is not AP_OK and a message saying what was wrong; a crash, a leak, a
 * sanitizer report, a hang, an empty message, a status outside ap_status
 * or one the error record does not hold is a defect.  So is "out of
 * memory" (AP_E_NOMEM): the inputs are at most 64 KiB and memory never
 * runs out here (libFuzzer's -malloc_limit_mb reports any allocation
 * beyond 1 GiB as a defect of its own), so a reader saying it is out of
 * memory has lost its way.  And when the input is valid UTF-8, every
 * text the core writes (messages, findings, suggestions, warnings) must be
 * too: a fixed buffer must never cut a character.  fuzz_expect_status
 * and fuzz_expect_text abort on these, so libFuzzer keeps the input that
 * shows them. */
#ifndef APPORTION_FUZZ_H
#define APPORTION_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apportion/audit.h"
#include "apportion/error.h"
#include "apportion/kpi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Nonzero when s[0..n) is well-formed UTF-8 (no overlong forms, no
 * surrogates, nothing above U+10FFFF). */
static inline int fuzz_valid_utf8(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        size_t len;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if (n - i < len)
            return 0;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += len;
    }
    return 1;
}

/* Whether this input is valid UTF-8, so that what the core writes must
 * be; set by fuzz_begin at the start of each input. */
static int fuzz_utf8_input;

static inline void fuzz_begin(const uint8_t *data, size_t size)
{
    fuzz_utf8_input = fuzz_valid_utf8(data, size);
}

/* Aborts when the input was valid UTF-8 and text (which may be NULL) is
 * not. */
static inline void fuzz_expect_text(const char *what, const char *text)
{
    if (fuzz_utf8_input && text != NULL &&
        !fuzz_valid_utf8((const uint8_t *)text, strlen(text))) {
        fprintf(stderr, "%s is not valid UTF-8 from valid UTF-8 input: "
                "\"%s\"\n", what, text);
        abort();
    }
}

/* Every text of an audit report. */
static inline void fuzz_expect_report(const ap_audit_report *r)
{
    if (r == NULL)
        return;
    fuzz_expect_text("a report's title", r->title);
    fuzz_expect_text("a report's source", r->source);
    fuzz_expect_text("a report's unit", r->unit);
    for (size_t i = 0; i < r->n_findings; i++) {
        const ap_table_finding *f = &r->findings[i];
        fuzz_expect_text("a finding's row label", f->row_label);
        fuzz_expect_text("a finding's column label", f->column_label);
        fuzz_expect_text("a finding's check", f->check);
        fuzz_expect_text("a finding's id", f->id);
        fuzz_expect_text("a finding's unit", f->unit);
        fuzz_expect_text("a finding's item label", f->finding.item_label);
        fuzz_expect_text("a finding's suggestion", f->finding.suggestion);
        for (size_t k = 0; k < f->finding.n_candidates; k++)
            fuzz_expect_text("a candidate's label",
                             f->finding.candidates[k].label);
    }
}

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
    if (st == AP_E_NOMEM) {
        fprintf(stderr, "%s said it is out of memory on a small input: "
                "%s\n", call, err->message);
        abort();
    }
    if (st != AP_OK && err->status != st) {
        fprintf(stderr, "%s returned %s but its error says %s: %s\n", call,
                ap_status_name(st), ap_status_name(err->status),
                err->message);
        abort();
    }
    if (st != AP_OK)
        fuzz_expect_text(call, err->message);
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

/* A known defect being fixed elsewhere (issue 17, item 2): the JSON
 * readers' locator (json_locate.c, skip_space) skips only space, tab, LF
 * and CR between tokens while cJSON skips every byte up to 0x20, so
 * `{\x1d"a":1}` is "out of memory".  While this core still has it, the
 * JSON harnesses pass over inputs holding such a byte (saying so once),
 * so that the fuzzer looks for other defects; once it is fixed the probe
 * finds it gone and every input is run. */
static inline int fuzz_json_skip(const uint8_t *data, size_t size)
{
    static int known = -1;
    if (known < 0) {
        static const char probe[] = "{\x1d\"a\":1}";
        ap_error err;
        ap_kpi_set *set = NULL;
        known = ap_kpis_parse(probe, sizeof probe - 1, "probe", &set,
                              &err) == AP_E_NOMEM;
        ap_kpi_set_free(set);
        if (known)
            fprintf(stderr, "fuzz: known defect (issue 17, item 2: "
                    "json_locate.c skip_space) present: inputs holding a "
                    "control byte other than tab, LF or CR are passed "
                    "over\n");
    }
    if (!known)
        return 0;
    for (size_t i = 0; i < size; i++)
        if (data[i] > 0 && data[i] < 0x20 && data[i] != '\t' &&
            data[i] != '\n' && data[i] != '\r')
            return 1;
    return 0;
}

#endif
