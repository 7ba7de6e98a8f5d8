/* Cost scenarios: demand x unit cost x a compounded inflation index, year
 * by year, each year's cost rounded to a penny and apportioned exactly to
 * the authorities; and Monte Carlo runs of it.
 *
 * One function computes a scenario's path for the projection and for
 * every simulated scenario, so a run whose sds are 0 is the projection to
 * the penny.  A scenario's draws come from its own Philox coordinates and
 * its arithmetic is a fixed sequence of double operations, so its pence
 * do not depend on the thread, the chunk or the piece of the run that
 * computes it. */
#include <math.h>
#include <string.h>

#include "apportion/scenario.h"
#include "base/base.h"
#include "base/parallel.h"
#include "forecast/scenario_draws.h"

/* Scenarios per chunk below which another thread is not worth starting
 * when threads is 0. */
#define SIMULATE_MIN_CHUNK 512

/* ---- checks ------------------------------------------------------------- */

/* A year's vector of doubles: finite and at least `minimum` (or above it
 * when `strict`). */
static ap_status check_year_values(const double *values, size_t n_years,
                                   const char *field, double minimum,
                                   int strict, const char *expected,
                                   ap_error *err)
{
    if (values == NULL)
        return ap_error_set(err, AP_E_INPUT, "%s is missing; expected %zu "
                            "values, one a year", field, n_years);
    for (size_t y = 0; y < n_years; y++) {
        double v = values[y];
        if (!isfinite(v) || (strict ? !(v > minimum) : !(v >= minimum)))
            return ap_error_set(err, AP_E_INPUT,
                                "%s[%zu] (year %zu) is %.17g; expected %s",
                                field, y, y, v, expected);
    }
    return AP_OK;
}

ap_status ap_cost_model_check(const ap_cost_model *model, ap_error *err)
{
    if (model == NULL)
        return ap_error_set(err, AP_E_INPUT, "no cost model given");
    const ap_cost_model *m = model;
    if (m->n_years == 0)
        return ap_error_set(err, AP_E_INPUT,
                            "n_years is 0; a cost model needs at least one "
                            "year");
    if (m->n_years > UINT32_MAX)
        return ap_error_set(err, AP_E_INPUT,
                            "n_years is %zu; the draws number years in 32 "
                            "bits, so at most %u",
                            m->n_years, (unsigned)UINT32_MAX);
    if (m->n_authorities == 0)
        return ap_error_set(err, AP_E_INPUT,
                            "n_authorities is 0; the cost must be "
                            "apportioned to at least one authority");
    if (m->n_authorities > SIZE_MAX / sizeof(int64_t) / m->n_years)
        return ap_error_set(err, AP_E_INPUT,
                            "n_years x n_authorities (%zu x %zu) is beyond "
                            "the address space",
                            m->n_years, m->n_authorities);
    ap_status st;
    if ((st = check_year_values(m->demand, m->n_years, "demand", 0.0, 0,
                                "a finite number of units, 0 or more",
                                err)) != AP_OK)
        return st;
    if (m->demand_sd != NULL &&
        (st = check_year_values(m->demand_sd, m->n_years, "demand_sd", 0.0,
                                0, "a finite standard deviation, 0 or more",
                                err)) != AP_OK)
        return st;
    if (!isfinite(m->demand_correlation) || m->demand_correlation < 0.0 ||
        m->demand_correlation > 1.0)
        return ap_error_set(err, AP_E_INPUT,
                            "demand_correlation is %.17g; expected a number "
                            "from 0 to 1",
                            m->demand_correlation);
    if (m->unit_cost_pence < 0)
        return ap_error_set(err, AP_E_INPUT,
                            "unit_cost_pence is %lld; expected 0 or more",
                            (long long)m->unit_cost_pence);
    if ((st = check_year_values(m->inflation, m->n_years, "inflation", -1.0,
                                1, "a finite rate above -1 (-100%)",
                                err)) != AP_OK)
        return st;
    if (m->inflation_sd != NULL &&
        (st = check_year_values(m->inflation_sd, m->n_years, "inflation_sd",
                                0.0, 0,
                                "a finite standard deviation, 0 or more",
                                err)) != AP_OK)
        return st;
    if (m->weights == NULL)
        return ap_error_set(err, AP_E_INPUT,
                            "weights are missing; expected n_years x "
                            "n_authorities (%zu x %zu) values",
                            m->n_years, m->n_authorities);
    for (size_t y = 0; y < m->n_years; y++) {
        const int64_t *w = m->weights + y * m->n_authorities;
        int any = 0;
        for (size_t a = 0; a < m->n_authorities; a++) {
            if (w[a] < 0)
                return ap_error_set(err, AP_E_INPUT,
                                    "weights[%zu][%zu] (year %zu, authority "
                                    "%zu) is %lld; weights must be 0 or more",
                                    y, a, y, a, (long long)w[a]);
            any |= w[a] > 0;
        }
        if (!any)
            return ap_error_set(err, AP_E_INPUT,
                                "every weight of year %zu is 0; at least one "
                                "authority's must be positive",
                                y);
    }
    return AP_OK;
}

/* ---- one scenario's path ------------------------------------------------ */

/* What a simulation shares between its scenarios. */
typedef struct path_draws {
    uint64_t seed;
    double sqrt_rho, sqrt_rest; /* sqrt(rho), sqrt(1 - rho) */
} path_draws;

/* Year y's pence apportioned into out[n_authorities]: ap_apportion's
 * largest remainder, done inline for two authorities and a cost of 0 or
 * more (every drawn cost is), where it is one division: party 0's exact
 * share is t w0 / W with remainder r, party 1's remainder is W - r, and
 * the one penny left over when r != 0 goes to the larger remainder, to
 * party 0 on a tie (ap_apportion's order). */
static inline ap_status share_year(const ap_cost_model *m, size_t y,
                                   int64_t pence, int64_t *out,
                                   ap_error *err)
{
    const size_t n_auth = m->n_authorities;
    const int64_t *w = m->weights + y * n_auth;
    if (n_auth != 2 || pence < 0)
        return ap_apportion(pence, w, n_auth, AP_LARGEST_REMAINDER, out,
                            err);
    const uint64_t t = (uint64_t)pence, w0 = (uint64_t)w[0];
    const uint64_t sum = w0 + (uint64_t)w[1]; /* < 2^64: both < 2^63 */
    const ap__u128 product = (ap__u128)t * w0;
    uint64_t q, r;
    if (product < ((ap__u128)1 << 53) && sum < ((uint64_t)1 << 53)) {
        /* Both exact in doubles: the rounded quotient is within one of
         * the true one (its error is below one unit at 2^53), and the
         * exact remainder puts it right.  A double division is cheaper
         * than an integer one. */
        const uint64_t p = (uint64_t)product;
        q = (uint64_t)((double)p / (double)sum);
        if (q * sum > p) /* q * sum <= p + sum < 2^54: no wrap */
            q--;
        r = p - q * sum;
        if (r >= sum) {
            q++;
            r -= sum;
        }
    } else if ((uint64_t)(product >> 64) == 0) {
        q = (uint64_t)product / sum;
        r = (uint64_t)product - q * sum;
    } else {
        q = (uint64_t)(product / sum); /* <= t */
        r = (uint64_t)(product - (ap__u128)q * sum);
    }
    q += r != 0 && r >= sum - r;
    out[0] = (int64_t)q;
    out[1] = (int64_t)(t - q);
    return AP_OK;
}

/* Year y of a path: the drawn (or expected) demand and rate, the index
 * carried from the year before, the cost rounded to pence.  The same
 * sequence of double operations for one scenario at a time (cost_path)
 * and a block of them (simulate_block), so both give the same bits. */
static inline double year_demand(const ap_cost_model *m, size_t y,
                                 int draw_demand, double sqrt_rest,
                                 double common, double z_own)
{
    double demand = m->demand[y];
    if (draw_demand) {
        double own = 0.0;
        if (sqrt_rest != 0.0)
            own = sqrt_rest * z_own;
        double z = common + own;
        demand = demand + m->demand_sd[y] * z;
        if (demand < 0.0)
            demand = 0.0;
    }
    return demand;
}

static inline double year_rate(const ap_cost_model *m, size_t y,
                               int draw_inflation, double z)
{
    double rate = m->inflation[y];
    if (draw_inflation)
        rate = rate + m->inflation_sd[y] * z;
    return rate;
}

/* Scenario `scenario`'s totals[n_years] and shares[n_years *
 * n_authorities] (either may be NULL); draws NULL is the expected path.
 * The model has been checked. */
static ap_status cost_path(const ap_cost_model *m, const path_draws *draws,
                           uint64_t scenario, int64_t *totals,
                           int64_t *shares, ap_error *err)
{
    const size_t n_auth = m->n_authorities;
    const double unit = (double)m->unit_cost_pence;
    int draw_demand = draws != NULL && m->demand_sd != NULL;
    int draw_inflation = draws != NULL && m->inflation_sd != NULL;
    double common = 0.0;
    if (draw_demand && draws->sqrt_rho != 0.0)
        common = draws->sqrt_rho * ap_scenario_normal(draws->seed, scenario,
                                                      AP_DRAW_DEMAND_COMMON,
                                                      0);
    double index = 1.0;
    for (size_t y = 0; y < m->n_years; y++) {
        double z_own = 0.0, z_rate = 0.0;
        if (draw_demand || draw_inflation)
            ap__draw_normal_pair(draws->seed, scenario, (uint32_t)y,
                                 AP__PAIR_YEAR, &z_own, &z_rate);
        double demand = year_demand(m, y, draw_demand,
                                    draw_demand ? draws->sqrt_rest : 0.0,
                                    common, z_own);
        double rate = year_rate(m, y, draw_inflation, z_rate);
        /* A drawn rate at or below -100% would make the price index zero
         * or negative, a cost no one could pay: an inflation_sd that wide
         * is a modelling error, said rather than shared out. */
        if (!(rate > -1.0))
            return ap_error_set(err, AP_E_INPUT,
                                "scenario %llu, year %zu: the drawn "
                                "inflation rate is %.6g, at or below -100%%; "
                                "inflation_sd[%zu] = %g is too wide for a "
                                "rate of %g",
                                (unsigned long long)scenario, y, rate, y,
                                m->inflation_sd[y], m->inflation[y]);
        index = index * (1.0 + rate);
        double cost = demand * unit * index;
        int64_t pence;
        if (!ap__round_half_even(cost, &pence)) {
            if (draws != NULL)
                return ap_error_set(err, AP_E_OVERFLOW,
                                    "scenario %llu, year %zu: the cost "
                                    "(%.6g units x %lld pence x index %.6g "
                                    "= %.6g pence) is not a number of pence "
                                    "within int64",
                                    (unsigned long long)scenario, y, demand,
                                    (long long)m->unit_cost_pence, index,
                                    cost);
            return ap_error_set(err, AP_E_OVERFLOW,
                                "year %zu: the cost (%.6g units x %lld "
                                "pence x index %.6g = %.6g pence) is not a "
                                "number of pence within int64",
                                y, demand, (long long)m->unit_cost_pence,
                                index, cost);
        }
        if (totals != NULL)
            totals[y] = pence;
        if (shares != NULL) {
            ap_status st = share_year(m, y, pence, shares + y * n_auth, err);
            if (st != AP_OK)
                return st;
        }
    }
    return AP_OK;
}

ap_status ap_cost_project(const ap_cost_model *model, int64_t *totals,
                          int64_t *shares, ap_error *err)
{
    ap_status st = ap_cost_model_check(model, err);
    if (st != AP_OK)
        return st;
    return cost_path(model, NULL, 0, totals, shares, err);
}

/* ---- Monte Carlo -------------------------------------------------------- */

typedef struct simulate_job {
    const ap_cost_model *model;
    path_draws draws;
    uint64_t first;
    int64_t *totals, *shares;
    /* Each chunk stops at its first failing scenario and records why here
     * (ap__parallel_run_checked picks the lowest failing scenario). */
    ap_status status[AP__MAX_THREADS];
    ap_error error[AP__MAX_THREADS];
} simulate_job;

/* Scenarios from .. to - 1 one at a time: where a block meets an error,
 * so that the error is the one of the lowest failing scenario and its
 * first failing year, as documented. */
static size_t simulate_one_by_one(simulate_job *job, size_t chunk,
                                  size_t from, size_t to)
{
    const size_t n_years = job->model->n_years;
    const size_t row = n_years * job->model->n_authorities;
    for (size_t i = from; i < to; i++) {
        ap_status st = cost_path(
            job->model, &job->draws, job->first + i,
            job->totals ? job->totals + i * n_years : NULL,
            job->shares ? job->shares + i * row : NULL, &job->error[chunk]);
        if (st != AP_OK) {
            job->status[chunk] = st;
            return i;
        }
    }
    return AP__NO_FAULT;
}

/* Scenarios per block: each year's draws for the block are made in
 * loops over the block's scenarios that the compiler may vectorise. */
#define BLOCK AP__DRAW_BLOCK

/* Scenarios from .. from + n - 1 (n <= BLOCK) year by year, each year's
 * draws for the whole block first; the same bits as cost_path.  Returns 0,
 * or 1 at the first error without saying it (the caller redoes the block
 * one scenario at a time). */
static int simulate_block(const simulate_job *job, size_t from, size_t n)
{
    const ap_cost_model *m = job->model;
    const size_t n_years = m->n_years, n_auth = m->n_authorities;
    const uint64_t seed = job->draws.seed, first = job->first + from;
    const double unit = (double)m->unit_cost_pence;
    const int draw_demand = m->demand_sd != NULL;
    const int draw_inflation = m->inflation_sd != NULL;
    const double sqrt_rest = draw_demand ? job->draws.sqrt_rest : 0.0;
    double common[BLOCK], index[BLOCK], z_own[BLOCK], z_rate[BLOCK];
    for (size_t i = 0; i < BLOCK; i++) {
        common[i] = 0.0;
        index[i] = 1.0;
        z_own[i] = 0.0;
        z_rate[i] = 0.0;
    }
    if (draw_demand && job->draws.sqrt_rho != 0.0) {
        const double sqrt_rho = job->draws.sqrt_rho;
        double unused[BLOCK];
        ap__draw_normal_block(seed, first, 0, AP__PAIR_COMMON, common,
                              unused);
        for (size_t i = 0; i < BLOCK; i++)
            common[i] = sqrt_rho * common[i];
    }
    for (size_t y = 0; y < n_years; y++) {
        if (draw_demand || draw_inflation)
            ap__draw_normal_block(seed, first, (uint32_t)y, AP__PAIR_YEAR,
                                  z_own, z_rate);
        for (size_t i = 0; i < n; i++) {
            double demand = year_demand(m, y, draw_demand, sqrt_rest,
                                        common[i], z_own[i]);
            double rate = year_rate(m, y, draw_inflation, z_rate[i]);
            if (!(rate > -1.0))
                return 1;
            index[i] = index[i] * (1.0 + rate);
            double cost = demand * unit * index[i];
            int64_t pence;
            if (!ap__round_half_even(cost, &pence))
                return 1;
            const size_t at = (from + i) * n_years + y;
            if (job->totals != NULL)
                job->totals[at] = pence;
            if (job->shares != NULL &&
                share_year(m, y, pence, job->shares + at * n_auth, NULL) !=
                    AP_OK)
                return 1;
        }
    }
    return 0;
}

static size_t simulate_chunk(void *ctx, size_t chunk, size_t from,
                             size_t to)
{
    simulate_job *job = ctx;
    for (size_t i = from; i < to; i += BLOCK) {
        size_t n = to - i < BLOCK ? to - i : BLOCK;
        if (simulate_block(job, i, n))
            return simulate_one_by_one(job, chunk, i, to);
    }
    return AP__NO_FAULT;
}

ap_status ap_cost_simulate(const ap_cost_model *model, uint64_t seed,
                           uint64_t first, size_t count, int threads,
                           int64_t *totals, int64_t *shares, ap_error *err)
{
    ap_status st = ap_cost_model_check(model, err);
    if (st != AP_OK)
        return st;
    if (threads < 0)
        return ap_error_set(err, AP_E_INPUT,
                            "threads is %d; expected 0 (every core) or more",
                            threads);
    if (count == 0)
        return AP_OK;
    if (first > UINT64_MAX - (uint64_t)(count - 1))
        return ap_error_set(err, AP_E_INPUT,
                            "scenarios %llu + %zu run past 2^64 - 1, the "
                            "last scenario number",
                            (unsigned long long)first, count);
    size_t row = model->n_years * model->n_authorities;
    if (count > SIZE_MAX / sizeof(int64_t) / row)
        return ap_error_set(err, AP_E_INPUT,
                            "%zu scenarios of %zu years x %zu authorities "
                            "are beyond the address space",
                            count, model->n_years, model->n_authorities);

    /* The job holds AP__MAX_THREADS error records (some kilobytes), so it
     * lives here once, never per scenario. */
    simulate_job job;
    job.model = model;
    job.draws.seed = seed;
    job.draws.sqrt_rho = sqrt(model->demand_correlation);
    job.draws.sqrt_rest = sqrt(1.0 - model->demand_correlation);
    job.first = first;
    job.totals = totals;
    job.shares = shares;

    size_t chunks = ap__batch_chunks(threads, count, SIMULATE_MIN_CHUNK);
    /* A chunk sets its status and error where it fails; cleared first so
     * that nothing unset is ever copied out. */
    for (size_t c = 0; c < chunks; c++) {
        job.status[c] = AP_OK;
        ap_error_clear(&job.error[c]);
    }
    size_t c = 0;
    if (ap__parallel_run_checked(count, chunks, simulate_chunk, &job, &c) ==
        AP__NO_FAULT)
        return AP_OK;
    if (err != NULL)
        *err = job.error[c];
    return job.status[c];
}
