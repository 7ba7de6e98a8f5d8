/* apportion: cost scenarios — demand x unit cost x inflation over a
 * multi-year horizon, each year's cost apportioned to the authorities by
 * that year's basis in pence, and Monte Carlo runs of it whose draws come
 * from a counter-based generator.
 *
 * Scenario k's draws are a function of (seed, k, year, variable) only, so
 * scenario k gives the same pence whichever thread, chunk or machine
 * computes it, and a run split into pieces is bit-identical to the run in
 * one piece.  The arithmetic is IEEE double with no contraction into fused
 * multiply-adds (the files are built with -ffp-contract=off), and the
 * normal draws call nothing from the C library but sqrt (correctly
 * rounded by IEEE 754): their logarithm, sine and cosine are polynomials
 * of apportion's own (csrc/forecast/scenario_draws.h gives their error
 * bounds), so the draws are the same bits with any C library.
 *
 * The draws changed after apportion 0.1.0 (issue 19): each Philox call's two
 * uniforms now give two normals, Box-Muller's cosine and sine, both used
 * (a year's demand and inflation shocks are one pair), and the logarithm
 * and cosine are apportion's own instead of the C library's; a run with a
 * given seed gives other (equally distributed) pence than before.
 * Nothing here touches Python; every function is safe without the GIL.
 * Output arrays are the caller's.
 *
 * Memory.  Nothing for the caller to free: totals, shares and percentiles
 * go to the caller's arrays, and an ap_cost_model only points at the
 * caller's arrays, which are read during each call and never kept.
 * Scratch a call needs is allocated and freed within it (out of memory is
 * AP_E_NOMEM). */
#ifndef APPORTION_SCENARIO_H
#define APPORTION_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "apportion/apportion.h"
#include "apportion/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- counter-based random numbers ------------------------------------ */

/* Philox4x32-10 (Salmon et al., SC11): out = the 10-round bijection of
 * counter under key.  Pure: the same inputs give the same outputs
 * everywhere. */
void ap_philox4x32(const uint32_t counter[4], const uint32_t key[2],
                   uint32_t out[4]);

/* The variables a scenario draws, one normal per (variable, year):
 * variable v is branch v & 1 (0 cosine, 1 sine) of the Box-Muller pair
 * v >> 1, whose two uniforms are Philox's 128 bits at counter (scenario
 * low 32 bits, scenario high 32 bits, year, v >> 1) under key (seed low,
 * seed high). */
typedef enum ap_scenario_variable {
    AP_DRAW_DEMAND = 0,        /* the year's own demand shock */
    AP_DRAW_INFLATION = 1,     /* the year's inflation shock (the same
                                  pair's sine branch) */
    AP_DRAW_DEMAND_COMMON = 2  /* the scenario's shock shared by all years
                                  (drawn once, at year 0) */
} ap_scenario_variable;

/* A uniform in (0, 1), never 0 or 1, with 53 random bits: the draw
 * (seed, scenario, variable, year, which) where which (0 or 1; only its
 * lowest bit is read) picks one of the pair's two uniforms: the top 53
 * bits k of 64-bit half `which` of the Philox output (words 0 | 1 << 32,
 * words 2 | 3 << 32) as k / 2^53, k = 0 as 2^-54.  Variables 2v and
 * 2v + 1 share their uniforms. */
double ap_scenario_uniform(uint64_t seed, uint64_t scenario,
                           uint32_t variable, uint32_t year, uint32_t which);

/* A standard normal: Box-Muller on the pair's uniforms u0, u1,
 * sqrt(-2 log u0) times cos(2 pi u1) (variable even) or sin(2 pi u1)
 * (variable odd), with the logarithm, cosine and sine of
 * csrc/forecast/scenario_draws.h. */
double ap_scenario_normal(uint64_t seed, uint64_t scenario,
                          uint32_t variable, uint32_t year);

/* ---- the cost model ------------------------------------------------- */

/* What a service will cost over n_years and who pays.  Year y's cost is
 *   demand_y * unit_cost_pence * index_y,  index_y = prod_{i<=y} (1 + inflation_i)
 * rounded half to even to a penny, then apportioned to the n_authorities
 * by weights[y * n_authorities + a] (largest remainder, exact).  Put
 * inflation[0] = 0 for costs in year 0's prices.
 *
 * In a Monte Carlo scenario the demand and the inflation are drawn:
 *   demand_y    = max(0, demand[y] + demand_sd[y] * z_y),
 *   z_y         = sqrt(rho) * c + sqrt(1 - rho) * e_y   (rho = demand_correlation)
 *   inflation_y = inflation[y] + inflation_sd[y] * u_y
 * with c, e_y and u_y independent standard normals of the scenario.  NULL
 * sd arrays mean no uncertainty in that variable.  A drawn inflation rate
 * at or below -100% is AP_E_INPUT naming the scenario and year.  The
 * model's arrays are only read, during each call. */
typedef struct ap_cost_model {
    size_t n_years;
    size_t n_authorities;
    const double *demand;        /* [n_years], expected units each year */
    const double *demand_sd;     /* [n_years] or NULL */
    double demand_correlation;   /* rho in [0, 1] */
    int64_t unit_cost_pence;     /* cost of one unit in year-0 prices, >= 0 */
    const double *inflation;     /* [n_years], 0.035 is 3.5% */
    const double *inflation_sd;  /* [n_years] or NULL */
    const int64_t *weights;      /* [n_years * n_authorities], >= 0, each
                                    year's weights summing to more than 0 */
} ap_cost_model;

/* Checks a model: sizes above 0, finite demands >= 0 and rates, sds >= 0,
 * rho in [0, 1], inflation above -100%, weights >= 0 with a positive sum
 * each year.  AP_E_INPUT naming the field and year. */
ap_status ap_cost_model_check(const ap_cost_model *model, ap_error *err);

/* The expected path, with no draws: totals[y] and
 * shares[y * n_authorities + a], pence (either may be NULL).  A cost beyond int64 is
 * AP_E_OVERFLOW naming the year. */
ap_status ap_cost_project(const ap_cost_model *model, int64_t *totals,
                          int64_t *shares, ap_error *err);

/* Scenarios first .. first + count - 1 of the run with this seed:
 * totals[i * n_years + y] and shares[(i * n_years + y) * n_authorities + a]
 * for scenario first + i (either may be NULL).  `threads` 0 uses every
 * core (at most 8), 1 the calling thread; the results depend only on
 * (model, seed, scenario number).  A cost beyond int64 is AP_E_OVERFLOW
 * naming the scenario and year (the lowest such scenario). */
ap_status ap_cost_simulate(const ap_cost_model *model, uint64_t seed,
                           uint64_t first, size_t count, int threads,
                           int64_t *totals, int64_t *shares, ap_error *err);

/* ---- percentiles of money ------------------------------------------- */

/* For each column c of a (rows x columns) int64 array (row-major,
 * values[r * n_columns + c]) and each percent q[k] in [0, 100]:
 * out[k * n_columns + c] = numpy's "linear" percentile, the value at rank
 * h = (rows - 1) * (q / 100) (in double, as numpy) between the sorted
 * values at floor(h) and ceil(h), rounded half to even to a whole penny:
 * numpy's figure exactly while both values are within +-2^53, the exact
 * interpolation beyond (where numpy's doubles lose pennies).  Takes
 * rows * 8 bytes of scratch for each of up to 8 columns copied out in one
 * pass, or for one column when that much is not to be had (AP_E_NOMEM
 * without even that); rows of 0, a q
 * outside [0, 100] or a NULL array is AP_E_INPUT.  out is the caller's,
 * of n_q * n_columns. */
ap_status ap_percentiles_i64(const int64_t *values, size_t n_rows,
                             size_t n_columns, const double *q, size_t n_q,
                             int64_t *out, ap_error *err);

#ifdef __cplusplus
}
#endif

#endif
