/* apportion: KPI definitions, RAG bands, scoring, direction of travel and
 * escalation.
 *
 * Values and band boundaries are exact rationals, never doubles, so a rate
 * of 4 out of 5 is exactly 80 and scores in the band that holds 80 (a
 * double gives 80.00000000000001).  Band sets are checked when they are
 * made: a gap or an overlap is an error naming both bands and the values.
 *
 * Memory.  ap_kpis_parse and ap_kpis_load give the caller an ap_kpi_set to
 * release with ap_kpi_set_free, which frees every KPI, string and array in
 * it (on an error *out is NULL); its members are read-only views.  A band
 * set is a fixed-size struct in the caller's memory with nothing to
 * release, so ap_bands_make, ap_bands_parse_text and
 * ap_bands_from_tolerance allocate nothing.  Names (ap_rag_name, ...) are
 * static strings; everything else writes into the caller's variables,
 * arrays and buffers.  A loaded plugin's KPI set (ap_area_kpis,
 * registry.h) is the registry's, never the caller's to free. */
#ifndef APPORTION_KPI_H
#define APPORTION_KPI_H

#include <stddef.h>
#include <stdint.h>

#include "apportion/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AP_RAG_MAP(X)          \
    X(AP_RAG_GREEN, "green")   \
    X(AP_RAG_AMBER, "amber")   \
    X(AP_RAG_RED, "red")

typedef enum ap_rag {
#define AP__ENUM(code, text) code,
    AP_RAG_MAP(AP__ENUM)
#undef AP__ENUM
    AP_RAG_COUNT
} ap_rag;

const char *ap_rag_name(ap_rag rag);
/* Reads "green", "Green", "G" and so on. */
ap_status ap_rag_parse(const char *name, size_t len, ap_rag *out,
                       ap_error *err);

typedef enum ap_polarity {
    AP_POLARITY_HIGHER = 0, /* higher is better */
    AP_POLARITY_LOWER = 1   /* lower is better */
} ap_polarity;

ap_status ap_polarity_parse(const char *name, ap_polarity *out,
                            ap_error *err);

/* An exact rational num/den with den > 0. */
typedef struct ap_number {
    int64_t num;
    int64_t den;
} ap_number;

/* Reads "90", "79.99", "90%", "-2.5" exactly (ap_decimal_parse). */
ap_status ap_number_parse(const char *text, size_t len, ap_number *out,
                          ap_error *err);
/* -1, 0 or 1 as a < b, a == b, a > b; exact (128-bit cross products). */
int ap_number_cmp(ap_number a, ap_number b);
/* Shortest decimal text when the number has one ("79.99", "80"),
 * otherwise "num/den"; buf of at least 48 bytes. */
void ap_number_format(ap_number x, char *buf, size_t size);

/* ---- bands ------------------------------------------------------------- */

typedef enum ap_bound_kind {
    AP_BOUND_OPEN = 0,      /* unbounded on this side */
    AP_BOUND_INCLUSIVE = 1, /* the value itself is in the band */
    AP_BOUND_EXCLUSIVE = 2  /* the value itself is not */
} ap_bound_kind;

typedef struct ap_bound {
    ap_bound_kind kind;
    ap_number value; /* ignored when kind is AP_BOUND_OPEN */
} ap_bound;

typedef struct ap_band {
    ap_rag rag;
    ap_bound lower, upper;
} ap_band;

#define AP_BANDS_MAX 8
#define AP_BANDS_WARNING_SIZE 512

/* A checked band set: bands sorted from the lowest values up, each
 * starting exactly where the one below ends (no gap, no overlap).  Values
 * below the first band or above the last are outside the set. */
typedef struct ap_band_set {
    ap_band bands[AP_BANDS_MAX];
    size_t n;
    /* Empty, or what was ambiguous in a council's wording and how it was
     * read ("90 is in Green and in Amber; read as Green >= 90 ..."). */
    char warning[AP_BANDS_WARNING_SIZE];
} ap_band_set;

/* Checks n explicit bands and stores them sorted in *out.  Errors
 * (AP_E_INPUT): no bands or more than AP_BANDS_MAX; a band whose lower
 * bound is above its upper or that holds no value; two bands that share
 * values ("Green [85, 100] and Amber [80, 90] overlap from 85 to 90"); a
 * gap between two bands ("no band holds values above 80 and below 85,
 * between Red and Amber"). */
ap_status ap_bands_make(const ap_band *bands, size_t n, ap_band_set *out,
                        ap_error *err);

/* Reads a council's own wording, such as "Green = 90-100%, Amber = 80-90%,
 * Red = 80% or below".  Items are separated by commas, semicolons or new
 * lines; each is a colour (green, amber, red; "=" or ":" optional) and a
 * range: "a-b", "a to b", "a or below/less/under", "below a", "under a",
 * "less than a", "a or above/more/over", "above a", "over a", "more than
 * a", "at least a", "at most a", "< a", "<= a", "> a", ">= a" (also the
 * signs ≤ and ≥), with an optional "%".  "or below"-style wording and
 * the signs are explicit about their end; a shared end of two "a-b"
 * ranges is not, and goes to the better band for the polarity (the upper
 * band when higher is better).  When an end was read that way, warning
 * says which and how.  Errors name the item. */
ap_status ap_bands_parse_text(const char *text, size_t len,
                              ap_polarity polarity, ap_band_set *out,
                              ap_error *err);

typedef enum ap_tolerance_kind {
    AP_TOLERANCE_POINTS = 0,   /* percentage points: 90 - 5 = 85 */
    AP_TOLERANCE_PERCENT = 1   /* percent of target: 90 * (1 - 5%) = 85.5 */
} ap_tolerance_kind;

/* Bands from a target and a tolerance: Green meets the target, Amber
 * misses it but is within tolerance (the tolerance edge included), Red is
 * out of tolerance.  For lower-is-better the mirror image. */
ap_status ap_bands_from_tolerance(ap_polarity polarity, ap_number target,
                                  ap_number tolerance, ap_tolerance_kind kind,
                                  ap_band_set *out, ap_error *err);

/* The RAG of a value.  A value in no band is AP_E_INPUT saying which
 * values the bands cover. */
ap_status ap_bands_score(const ap_band_set *set, ap_number value,
                         ap_rag *out, ap_error *err);

/* Scores n measured rates exactly: value i is scale * num[i] / den[i]
 * (scale 100 for a percentage).  A zero denominator writes `no_data` into
 * out[i] (and is not an error); a rate outside every band is an error
 * naming the element. */
ap_status ap_bands_score_rates(const ap_band_set *set, const int64_t *num,
                               const int64_t *den, size_t n, int64_t scale,
                               uint8_t no_data, uint8_t *out, ap_error *err);

/* ---- direction of travel --------------------------------------------- */

typedef enum ap_direction {
    AP_DIRECTION_IMPROVING = 0,
    AP_DIRECTION_UNCHANGED = 1,
    AP_DIRECTION_WORSENING = 2
} ap_direction;

const char *ap_direction_name(ap_direction d);
/* Judged by polarity: a falling re-referral rate (lower is better) is
 * improving. */
ap_direction ap_direction_of(ap_polarity polarity, ap_number current,
                             ap_number previous);

/* ---- escalation ------------------------------------------------------- */

/* SDC Schedule 6: performance out of tolerance (Red) for `failure_after`
 * consecutive periods is a Performance Failure, which enters the formal
 * stage; one still out of tolerance `rectification_after` periods after
 * the failure began (not resolved at the formal stage) requires a
 * Rectification Plan.  A period in tolerance resolves it. */
typedef struct ap_escalation_rule {
    int64_t failure_after;       /* >= 1 */
    int64_t rectification_after; /* >= 1 */
} ap_escalation_rule;

#define AP_ESCALATION_MAP(X)                                       \
    X(AP_ESC_NONE, "none")                                         \
    X(AP_ESC_OUT_OF_TOLERANCE, "out_of_tolerance")                 \
    X(AP_ESC_PERFORMANCE_FAILURE, "performance_failure")           \
    X(AP_ESC_RECTIFICATION_PLAN, "rectification_plan")            \
    X(AP_ESC_NO_DATA, "no_data")

typedef enum ap_escalation {
#define AP__ENUM(code, text) code,
    AP_ESCALATION_MAP(AP__ENUM)
#undef AP__ENUM
    AP_ESCALATION_COUNT
} ap_escalation;

const char *ap_escalation_name(ap_escalation e);

/* Walks n periods in order.  rags[i] is an ap_rag, or `no_data` for a
 * period without a value (which neither resolves nor extends a run).
 * out (n, the caller's) gets each period's state. */
ap_status ap_escalation_run(const uint8_t *rags, size_t n, uint8_t no_data,
                            const ap_escalation_rule *rule, uint8_t *out,
                            ap_error *err);

/* ---- KPI definitions -------------------------------------------------- */

typedef enum ap_kpi_kind {
    AP_KPI_MEASURE = 0, /* a number scored by bands */
    AP_KPI_STATUS = 1   /* a state such as "in place" scored by a table */
} ap_kpi_kind;

typedef struct ap_kpi_state {
    char *label;
    ap_rag rag;
} ap_kpi_state;

typedef struct ap_kpi {
    char *ref, *description, *unit, *frequency, *reported_to;
    ap_kpi_kind kind;
    ap_polarity polarity;
    int has_target;
    ap_number target;
    int has_tolerance;
    ap_number tolerance;
    ap_tolerance_kind tolerance_kind;
    ap_band_set bands;      /* AP_KPI_MEASURE */
    char *bands_text;       /* the wording it was read from, or NULL */
    ap_kpi_state *states;   /* AP_KPI_STATUS */
    size_t n_states;
    int has_escalation;
    ap_escalation_rule escalation;
    /* The name of a measure of the same service area that computes the
     * KPI's value (a plugin's KPIs), or NULL when the file gives none. */
    char *measure;
} ap_kpi;

typedef struct ap_kpi_set {
    char *source;
    ap_kpi *kpis;
    size_t n;
} ap_kpi_set;

/* Reads KPI definitions from JSON text (the format is in docs/formats.rst and
 * python/apportion/schema/kpis.schema.json).  Errors are AP_E_PLAN with
 * the JSON path, line and column, as for plans.  On success *out is the
 * caller's, to release with ap_kpi_set_free.  cJSON records failed
 * parses in a process-wide variable: do not parse on two threads at once. */
ap_status ap_kpis_parse(const char *text, size_t len, const char *source,
                        ap_kpi_set **out, ap_error *err);
/* Reads and parses a file, as ap_kpis_parse; the caller frees *out with
 * ap_kpi_set_free. */
ap_status ap_kpis_load(const char *path, ap_kpi_set **out, ap_error *err);
/* Frees the set, every KPI in it and their strings; NULL is fine. */
void ap_kpi_set_free(ap_kpi_set *set);

/* Scores a status KPI's state label (case-insensitive). */
ap_status ap_kpi_score_state(const ap_kpi *kpi, const char *label,
                             ap_rag *out, ap_error *err);

#ifdef __cplusplus
}
#endif
#endif
