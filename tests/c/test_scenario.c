/* Cost scenarios: the Philox generator against its published answers, the
 * uniforms and normals drawn from it, the cost model's projection worked
 * by hand, Monte Carlo runs that do not depend on threads or on how a run
 * is split, and percentiles of pence. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "apportion/apportion.h"
#include "forecast/scenario_draws.h"
#include "runner.h"

/* ---- Philox4x32-10 ------------------------------------------------------ */

static void check_philox(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3,
                         uint32_t k0, uint32_t k1, uint32_t e0, uint32_t e1,
                         uint32_t e2, uint32_t e3)
{
    const uint32_t counter[4] = {c0, c1, c2, c3}, key[2] = {k0, k1};
    uint32_t out[4];
    ap_philox4x32(counter, key, out);
    CHECK_EQ_I64(out[0], e0);
    CHECK_EQ_I64(out[1], e1);
    CHECK_EQ_I64(out[2], e2);
    CHECK_EQ_I64(out[3], e3);
}

TEST(philox_known_answers)
{
    /* Random123's kat_vectors for philox4x32 with 10 rounds. */
    check_philox(0, 0, 0, 0, 0, 0, /* -> */ 0x6627e8d5, 0xe169c58d,
                 0xbc57ac4c, 0x9b00dbd8);
    check_philox(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff,
                 0xffffffff, /* -> */ 0x408f276d, 0x41c83b0e, 0xa20bc7c6,
                 0x6d5451fd);
    check_philox(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822,
                 0x299f31d0, /* -> */ 0xd16cfe09, 0x94fdcceb, 0x5001e420,
                 0x24126ea1);
}

/* ---- uniforms and normals ----------------------------------------------- */

TEST(scenario_uniform_coordinates)
{
    /* The documented layout: key = the seed's halves, counter = (scenario
     * low, scenario high, year, pair = variable >> 1); `which` 0 reads
     * words 0-1, 1 words 2-3; the top 53 bits over 2^53. */
    const uint64_t seed = 0x0123456789abcdefULL;
    const uint64_t scenario = 0xfedcba9876543210ULL;
    const uint32_t counter[4] = {0x76543210u, 0xfedcba98u, 4u,
                                 AP_DRAW_INFLATION >> 1};
    const uint32_t key[2] = {0x89abcdefu, 0x01234567u};
    uint32_t out[4];
    ap_philox4x32(counter, key, out);
    uint64_t half0 = (uint64_t)out[0] | (uint64_t)out[1] << 32;
    uint64_t half1 = (uint64_t)out[2] | (uint64_t)out[3] << 32;
    CHECK(ap_scenario_uniform(seed, scenario, AP_DRAW_INFLATION, 4, 0) ==
          (double)(half0 >> 11) * 0x1p-53);
    CHECK(ap_scenario_uniform(seed, scenario, AP_DRAW_INFLATION, 4, 1) ==
          (double)(half1 >> 11) * 0x1p-53);
    /* Demand and inflation are one pair: the same uniforms. */
    CHECK(ap_scenario_uniform(seed, scenario, AP_DRAW_DEMAND, 4, 1) ==
          ap_scenario_uniform(seed, scenario, AP_DRAW_INFLATION, 4, 1));
    /* Box-Muller on those two uniforms, the cosine branch for demand, the
     * sine branch for inflation; the library's log, cos and sin agree
     * with apportion's own to a few units in the last place. */
    double u0 = ap_scenario_uniform(seed, scenario, AP_DRAW_INFLATION, 4, 0);
    double u1 = ap_scenario_uniform(seed, scenario, AP_DRAW_INFLATION, 4, 1);
    double radius = sqrt(-2.0 * log(u0));
    CHECK(fabs(ap_scenario_normal(seed, scenario, AP_DRAW_DEMAND, 4) -
               radius * cos(6.283185307179586 * u1)) < 1e-14);
    CHECK(fabs(ap_scenario_normal(seed, scenario, AP_DRAW_INFLATION, 4) -
               radius * sin(6.283185307179586 * u1)) < 1e-14);
    /* Every coordinate matters. */
    double base = ap_scenario_uniform(seed, scenario, 2, 4, 0);
    CHECK(ap_scenario_uniform(seed + 1, scenario, 2, 4, 0) != base);
    CHECK(ap_scenario_uniform(seed, scenario + 1, 2, 4, 0) != base);
    CHECK(ap_scenario_uniform(seed, scenario ^ (1ULL << 40), 2, 4, 0) !=
          base);
    CHECK(ap_scenario_uniform(seed, scenario, 1, 4, 0) != base);
    CHECK(ap_scenario_uniform(seed, scenario, 2, 5, 0) != base);
}

TEST(scenario_own_maths_near_the_c_library)
{
    /* apportion's own log, cos and sin (forecast/scenario_draws.h) beside
     * the C library's, over uniforms from the whole range: log within
     * 2^-51 relative, cos and sin of 2 pi u within 2^-50 absolute (the
     * library's argument 2 pi u is itself rounded). */
    double worst_log = 0.0, worst_trig = 0.0;
    for (int i = 0; i < 200000; i++) {
        double u = ap_scenario_uniform(11, (uint64_t)i, 0, 0, 0);
        if (i % 4 == 1)
            u = ldexp(u, -(i % 50)); /* down to 2^-103: tiny u */
        if (u < 0x1p-54)
            u = 0x1p-54;
        double lg = ap__draw_log(u);
        double rel = fabs(lg - log(u)) / fabs(log(u));
        worst_log = rel > worst_log ? rel : worst_log;
        double c, s;
        AP__SINCOS_TURN(u, c, s);
        double e = fabs(c - cos(6.283185307179586 * u)) +
                   fabs(s - sin(6.283185307179586 * u));
        worst_trig = e > worst_trig ? e : worst_trig;
    }
    CHECK(worst_log <= 0x1p-51);
    CHECK(worst_trig <= 0x1p-49);
    double c, s;
    AP__SINCOS_TURN(0.25, c, s);
    CHECK(c == 0.0 && s == 1.0);
    AP__SINCOS_TURN(0.5, c, s);
    CHECK(c == -1.0 && s == 0.0);
    AP__SINCOS_TURN(0.75, c, s);
    CHECK(c == 0.0 && s == -1.0);
}

TEST(scenario_block_draws_are_the_single_draws)
{
    /* The block loops the compiler vectorises give the bits of one draw
     * at a time, across the 2^32 boundary of the scenario number. */
    double z_cos[AP__DRAW_BLOCK], z_sin[AP__DRAW_BLOCK];
    const uint64_t firsts[3] = {0, (1ULL << 32) - 20, UINT64_MAX - 10};
    for (int f = 0; f < 3; f++) {
        ap__draw_normal_block(0xfeedULL << 40, firsts[f], 3, 1, z_cos,
                              z_sin);
        for (int i = 0; i < AP__DRAW_BLOCK; i++) {
            double c, s;
            ap__draw_normal_pair(0xfeedULL << 40, firsts[f] + (uint64_t)i,
                                 3, 1, &c, &s);
            CHECK(memcmp(&c, &z_cos[i], sizeof c) == 0);
            CHECK(memcmp(&s, &z_sin[i], sizeof s) == 0);
        }
    }
}

TEST(scenario_uniform_open_interval)
{
    const int n = 1000000;
    double sum = 0.0, lowest = 1.0, highest = 0.0;
    for (int i = 0; i < n; i++) {
        double u = ap_scenario_uniform(7, (uint64_t)i, AP_DRAW_DEMAND,
                                       (uint32_t)(i % 5), (uint32_t)(i & 1));
        CHECK(u > 0.0 && u < 1.0);
        sum += u;
        lowest = u < lowest ? u : lowest;
        highest = u > highest ? u : highest;
    }
    /* The mean of n uniforms has sd 1/sqrt(12 n) = 0.00029: 6 sd. */
    CHECK(fabs(sum / n - 0.5) < 0.0018);
    CHECK(lowest < 1e-5 && highest > 1.0 - 1e-5);
}

TEST(scenario_normal_moments)
{
    const int n = 1000000;
    double sum = 0.0, sum_sq = 0.0, sum_4 = 0.0;
    int beyond_2 = 0;
    for (int i = 0; i < n; i++) {
        double z = ap_scenario_normal(20240401, (uint64_t)i / 3,
                                      (uint32_t)(i % 3), (uint32_t)(i % 7));
        CHECK(z == z && fabs(z) < 8.7);
        sum += z;
        sum_sq += z * z;
        sum_4 += z * z * z * z;
        beyond_2 += fabs(z) > 2.0;
    }
    double mean = sum / n, variance = sum_sq / n - mean * mean;
    /* Standard errors: mean 1/sqrt(n) = 0.001; variance sqrt(2/n) =
     * 0.0014; fourth moment sqrt(96/n) = 0.0098; P(|z| > 2) = 0.0455 with
     * sd 0.00021.  Bounds at about 5 standard errors. */
    CHECK(fabs(mean) < 0.005);
    CHECK(fabs(variance - 1.0) < 0.007);
    CHECK(fabs(sum_4 / n - 3.0) < 0.05);
    CHECK(fabs((double)beyond_2 / n - 0.0455) < 0.0011);
}

/* ---- the cost model: a projection worked by hand ------------------------ */

/* 1,094 children at £1,000.00 each in year 0's prices, 3.5% inflation in
 * years 1 and 2 and 2% in year 3, split NNC 44.16 : WNC 55.84. */
static const double worked_demand[4] = {1094, 1094, 1130, 1187};
static const double worked_inflation[4] = {0.0, 0.035, 0.035, 0.02};
static const int64_t worked_weights[8] = {4416, 5584, 4416, 5584,
                                          4416, 5584, 4416, 5584};

static ap_cost_model worked_model(void)
{
    ap_cost_model m = {0};
    m.n_years = 4;
    m.n_authorities = 2;
    m.demand = worked_demand;
    m.unit_cost_pence = 100000;
    m.inflation = worked_inflation;
    m.weights = worked_weights;
    return m;
}

TEST(cost_project_worked_example)
{
    ap_cost_model m = worked_model();
    int64_t totals[4], shares[8];
    ap_error err;
    CHECK(ap_cost_model_check(&m, &err) == AP_OK);
    CHECK(ap_cost_project(&m, totals, shares, &err) == AP_OK);
    /* Year 0: 1,094 x £1,000.00 = £1,094,000.00; 44.16% is exact. */
    CHECK_EQ_I64(totals[0], 109400000);
    CHECK_EQ_I64(shares[0], 48311040);
    CHECK_EQ_I64(shares[1], 61088960);
    /* Year 1: x 1.035 = £1,132,290.00 (the double is 113228999.99999999:
     * the penny rounding finds the whole pound).  NNC's exact share is
     * 50,001,926.4 and WNC's 63,227,073.6: the odd penny goes to WNC, the
     * larger remainder. */
    CHECK_EQ_I64(totals[1], 113229000);
    CHECK_EQ_I64(shares[2], 50001926);
    CHECK_EQ_I64(shares[3], 63227074);
    /* Year 2: 1,130 x £1,000.00 x 1.035^2 (1.071225) = £1,210,484.25;
     * NNC 53,454,984.48 -> 53,454,984, WNC 67,593,440.52 -> .41. */
    CHECK_EQ_I64(totals[2], 121048425);
    CHECK_EQ_I64(shares[4], 53454984);
    CHECK_EQ_I64(shares[5], 67593441);
    /* Year 3: 1,187 x £1,000.00 x 1.0926495 = 129,697,495.65p -> .96
     * pence up; NNC 57,274,414.2336 -> .14, WNC gets the penny. */
    CHECK_EQ_I64(totals[3], 129697496);
    CHECK_EQ_I64(shares[6], 57274414);
    CHECK_EQ_I64(shares[7], 72423082);
    for (int y = 0; y < 4; y++)
        CHECK_EQ_I64(shares[2 * y] + shares[2 * y + 1], totals[y]);
    /* Either output may be left out. */
    int64_t only_totals[4];
    CHECK(ap_cost_project(&m, only_totals, NULL, &err) == AP_OK);
    CHECK(memcmp(only_totals, totals, sizeof totals) == 0);
    int64_t only_shares[8];
    CHECK(ap_cost_project(&m, NULL, only_shares, &err) == AP_OK);
    CHECK(memcmp(only_shares, shares, sizeof shares) == 0);
}

TEST(cost_project_rounds_half_to_even)
{
    /* At 5p a unit: half a unit is 2.5p -> 2p; a unit and a half 7.5p ->
     * 8p; half a unit after 40% inflation 3.5p -> 4p (each an exact
     * double).  A third authority with weight 0 never gets a penny. */
    const double demand[3] = {0.5, 1.5, 0.5};
    const double inflation[3] = {0.0, 0.0, 0.4};
    const int64_t weights[9] = {1, 1, 0, 1, 1, 0, 1, 1, 0};
    ap_cost_model m = {0};
    m.n_years = 3;
    m.n_authorities = 3;
    m.demand = demand;
    m.unit_cost_pence = 5;
    m.inflation = inflation;
    m.weights = weights;
    int64_t totals[3], shares[9];
    ap_error err;
    CHECK(ap_cost_project(&m, totals, shares, &err) == AP_OK);
    CHECK_EQ_I64(totals[0], 2);
    CHECK_EQ_I64(totals[1], 8);
    CHECK_EQ_I64(totals[2], 4);
    for (int y = 0; y < 3; y++) {
        CHECK_EQ_I64(shares[3 * y + 2], 0);
        CHECK_EQ_I64(shares[3 * y] + shares[3 * y + 1], totals[y]);
    }
    m.unit_cost_pence = 3; /* 1.5p -> 2p, 4.5p -> 4p */
    CHECK(ap_cost_project(&m, totals, shares, &err) == AP_OK);
    CHECK_EQ_I64(totals[0], 2);
    CHECK_EQ_I64(totals[1], 4);
    /* 1.1 is a hair above 11/10 as a double: 2.75p -> 3p, no tie. */
    const double ten_percent[3] = {0.0, 0.0, 0.1};
    m.unit_cost_pence = 5;
    m.inflation = ten_percent;
    CHECK(ap_cost_project(&m, totals, shares, &err) == AP_OK);
    CHECK_EQ_I64(totals[2], 3);
}

TEST(cost_model_errors_name_the_field)
{
    double demand[3] = {10, 10, 10}, sd[3] = {1, 1, 1};
    double inflation[3] = {0, 0.02, 0.02}, isd[3] = {0.01, 0.01, 0.01};
    int64_t weights[6] = {1, 2, 3, 4, 5, 6};
    ap_cost_model good = {3, 2, demand, sd, 0.5, 100, inflation, isd,
                          weights};
    ap_error err;
    CHECK(ap_cost_model_check(&good, &err) == AP_OK);
    int64_t totals[3], shares[6];

    ap_cost_model m = good;
    m.n_years = 0;
    CHECK(ap_cost_project(&m, totals, shares, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "n_years");
    m = good;
    m.n_authorities = 0;
    CHECK(ap_cost_model_check(&m, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "n_authorities");
    CHECK(ap_cost_model_check(NULL, &err) == AP_E_INPUT);

    demand[1] = -1;
    CHECK(ap_cost_model_check(&good, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "demand[1] (year 1) is -1");
    demand[1] = NAN;
    CHECK(ap_cost_model_check(&good, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "demand[1] (year 1) is nan");
    demand[1] = 10;
    sd[2] = -0.5;
    CHECK(ap_cost_model_check(&good, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "demand_sd[2] (year 2)");
    sd[2] = INFINITY;
    CHECK(ap_cost_model_check(&good, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "demand_sd[2] (year 2) is inf");
    sd[2] = 1;
    m = good;
    m.demand_correlation = 1.5;
    CHECK(ap_cost_model_check(&m, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "demand_correlation is 1.5");
    m.demand_correlation = NAN;
    CHECK(ap_cost_model_check(&m, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "demand_correlation");
    m = good;
    m.unit_cost_pence = -1;
    CHECK(ap_cost_model_check(&m, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "unit_cost_pence is -1");
    inflation[2] = -1.0; /* -100%: the index would be 0 */
    CHECK(ap_cost_model_check(&good, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "inflation[2] (year 2) is -1;");
    inflation[2] = 0.02;
    isd[0] = NAN;
    CHECK(ap_cost_model_check(&good, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "inflation_sd[0] (year 0)");
    isd[0] = 0.01;
    weights[3] = -4;
    CHECK(ap_cost_model_check(&good, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "weights[1][1] (year 1, authority 1) is -4");
    weights[3] = 0;
    weights[2] = 0;
    CHECK(ap_cost_simulate(&good, 1, 0, 10, 1, NULL, NULL, &err) ==
          AP_E_INPUT);
    CHECK_CONTAINS(err.message, "every weight of year 1 is 0");
    weights[2] = 3;
    m = good;
    m.weights = NULL;
    CHECK(ap_cost_model_check(&m, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "weights are missing");
    m = good;
    m.inflation = NULL;
    CHECK(ap_cost_model_check(&m, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "inflation is missing");

    /* The run's own arguments. */
    CHECK(ap_cost_simulate(&good, 1, 0, 10, -1, NULL, NULL, &err) ==
          AP_E_INPUT);
    CHECK_CONTAINS(err.message, "threads is -1");
    CHECK(ap_cost_simulate(&good, 1, UINT64_MAX - 2, 4, 1, NULL, NULL,
                           &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "2^64");
    /* The last three scenarios are fine; none is nothing to do. */
    CHECK(ap_cost_simulate(&good, 1, UINT64_MAX - 2, 3, 1, NULL, NULL,
                           &err) == AP_OK);
    CHECK(ap_cost_simulate(&good, 1, 5, 0, 1, NULL, NULL, &err) == AP_OK);
}

TEST(cost_overflow_names_year_and_scenario)
{
    /* 1e9 units at £90,000,000.00 is 9e18 pence, within int64 (9.22e18);
     * 5% inflation in year 1 takes it beyond. */
    const double demand[2] = {1e9, 1e9};
    double inflation[2] = {0.0, 0.05};
    const int64_t weights[2] = {1, 1};
    ap_cost_model m = {0};
    m.n_years = 2;
    m.n_authorities = 1;
    m.demand = demand;
    m.unit_cost_pence = 9000000000LL;
    m.inflation = inflation;
    m.weights = weights;
    int64_t totals[2], shares[2];
    ap_error err;
    CHECK(ap_cost_project(&m, totals, shares, &err) == AP_E_OVERFLOW);
    CHECK_CONTAINS(err.message, "year 1:");
    CHECK_CONTAINS(err.message, "within int64");
    /* Not a number: 0 units times an index that has overflowed to inf. */
    const double none[2] = {0.0, 0.0};
    inflation[0] = 1e308;
    inflation[1] = 1e308;
    m.demand = none;
    CHECK(ap_cost_project(&m, totals, shares, &err) == AP_E_OVERFLOW);
    CHECK_CONTAINS(err.message, "year 1:");
    CHECK_CONTAINS(err.message, "nan");

    /* With inflation drawn (sd 0.6% a year), a scenario overflows when
     * its index passes 1.0247 (2^63 / 9e18): about 1 in 500 do, mostly in
     * year 1.  Every run reports the lowest failing scenario, found here
     * one scenario at a time, whatever its threads. */
    const double inflation_sd[2] = {0.006, 0.006};
    inflation[0] = 0.0;
    inflation[1] = 0.0;
    m.demand = demand;
    m.inflation_sd = inflation_sd;
    enum { RUN = 1400 };
    const uint64_t first = 1000;
    uint64_t lowest = 0;
    for (uint64_t k = first; lowest == 0 && k < first + RUN; k++)
        if (ap_cost_simulate(&m, 108, k, 1, 1, totals, shares, &err) !=
            AP_OK)
            lowest = k;
    /* With this seed it is scenario 1528, past the first of four chunks
     * of 350, and the two chunks after it fail too: neither the clean
     * chunk before nor the failing chunks after may be reported. */
    CHECK(lowest > first + RUN / 4);
    char expected[64];
    snprintf(expected, sizeof expected, "scenario %llu, year ",
             (unsigned long long)lowest);
    int64_t *run_totals = malloc(RUN * 2 * sizeof *run_totals);
    CHECK(run_totals != NULL);
    for (int threads = 0; threads <= 4; threads++) {
        ap_error e;
        CHECK(ap_cost_simulate(&m, 108, first, RUN, threads, run_totals,
                               NULL, &e) == AP_E_OVERFLOW);
        CHECK_CONTAINS(e.message, expected);
    }
    free(run_totals);
}

/* ---- Monte Carlo -------------------------------------------------------- */

static const double mc_demand[3] = {1094, 1130, 1187};
static const double mc_demand_sd[3] = {60, 90, 140};
static const double mc_inflation[3] = {0.0, 0.035, 0.03};
static const double mc_inflation_sd[3] = {0.0, 0.01, 0.015};
static const int64_t mc_weights[9] = {4416, 5584, 1,  /* year 0 */
                                      79186, 92050, 0, /* year 1 */
                                      80112, 93502, 7};

static ap_cost_model mc_model(void)
{
    ap_cost_model m = {3, 3, mc_demand, mc_demand_sd, 0.3, 100000,
                       mc_inflation, mc_inflation_sd, mc_weights};
    return m;
}

TEST(cost_simulate_same_for_any_threads_and_split)
{
    ap_cost_model m = mc_model();
    enum { N = 3000, Y = 3, A = 3 };
    const uint64_t seed = 0x5eedULL, first = (1ULL << 40) - 1000;
    int64_t *totals[5], *shares[5];
    for (int i = 0; i < 5; i++) {
        totals[i] = malloc(N * Y * sizeof(int64_t));
        shares[i] = malloc(N * Y * A * sizeof(int64_t));
        CHECK(totals[i] != NULL && shares[i] != NULL);
    }
    ap_error err;
    const int thread_counts[4] = {1, 2, 4, 0};
    for (int i = 0; i < 4; i++)
        CHECK(ap_cost_simulate(&m, seed, first, N, thread_counts[i],
                               totals[i], shares[i], &err) == AP_OK);
    /* Pieces: [0, 1), [1, 1000), [1000, 1001), [1001, 3000), on mixed
     * threads; the scenario numbers cross 2^40. */
    const size_t cuts[5] = {0, 1, 1000, 1001, N};
    for (int p = 0; p < 4; p++)
        CHECK(ap_cost_simulate(&m, seed, first + cuts[p],
                               cuts[p + 1] - cuts[p], p % 2 ? 3 : 1,
                               totals[4] + cuts[p] * Y,
                               shares[4] + cuts[p] * Y * A, &err) == AP_OK);
    for (int i = 1; i < 5; i++) {
        CHECK(memcmp(totals[i], totals[0], N * Y * sizeof(int64_t)) == 0);
        CHECK(memcmp(shares[i], shares[0], N * Y * A * sizeof(int64_t)) ==
              0);
    }
    /* Each scenario alone, and only totals or only shares. */
    int64_t one_totals[Y], one_shares[Y * A];
    for (size_t i = 0; i < N; i += 499) {
        CHECK(ap_cost_simulate(&m, seed, first + i, 1, 1, one_totals, NULL,
                               &err) == AP_OK);
        CHECK(ap_cost_simulate(&m, seed, first + i, 1, 1, NULL, one_shares,
                               &err) == AP_OK);
        CHECK(memcmp(one_totals, totals[0] + i * Y, sizeof one_totals) == 0);
        CHECK(memcmp(one_shares, shares[0] + i * Y * A,
                     sizeof one_shares) == 0);
    }
    /* Every year of every scenario: the shares sum to the total, the
     * weight-0 authority pays nothing, and the scenarios differ. */
    int64_t distinct = 0;
    for (size_t i = 0; i < N; i++)
        for (size_t y = 0; y < Y; y++) {
            const int64_t *s = shares[0] + (i * Y + y) * A;
            CHECK_EQ_I64(s[0] + s[1] + s[2], totals[0][i * Y + y]);
            CHECK(totals[0][i * Y + y] >= 0);
            if (y == 1)
                CHECK_EQ_I64(s[2], 0);
            distinct += i > 0 && totals[0][i * Y + y] !=
                                     totals[0][(i - 1) * Y + y];
        }
    CHECK(distinct > N * Y * 9 / 10);
    /* Another seed is another run. */
    CHECK(ap_cost_simulate(&m, seed + 1, first, N, 2, totals[1], shares[1],
                           &err) == AP_OK);
    CHECK(memcmp(totals[1], totals[0], N * Y * sizeof(int64_t)) != 0);
    for (int i = 0; i < 5; i++) {
        free(totals[i]);
        free(shares[i]);
    }
}

TEST(cost_simulate_two_authorities_split_as_ap_apportion)
{
    /* Two authorities take the inline split; it is ap_apportion's largest
     * remainder to the penny: ties (1 : 1 on odd pence) to the first, a
     * product of pence and weight beyond 2^53 (1000003 : 999983), a zero
     * weight, and weights near 2^62 (a product beyond 64 bits). */
    const double demand[5] = {1233, 1262, 1291, 1320, 1349};
    const double demand_sd[5] = {0, 40, 55, 68, 80};
    const double inflation[5] = {0, 0.035, 0.03, 0.025, 0.025};
    const double inflation_sd[5] = {0.01, 0.01, 0.01, 0.01, 0.01};
    const int64_t weights[10] = {4416, 5584, 1, 1, 1000003, 999983, 0, 7,
                                 (1LL << 62) + 12345, (1LL << 61) + 3};
    ap_cost_model m = {5, 2, demand, demand_sd, 0.6, 6415000, inflation,
                       inflation_sd, weights};
    enum { N = 3000 };
    int64_t *totals = malloc(N * 5 * sizeof *totals);
    int64_t *shares = malloc(N * 10 * sizeof *shares);
    CHECK(totals != NULL && shares != NULL);
    ap_error err;
    CHECK(ap_cost_simulate(&m, 77, 5, N, 1, totals, shares, &err) == AP_OK);
    int odd = 0;
    for (int i = 0; i < N * 5; i++) {
        int64_t want[2];
        CHECK(ap_apportion(totals[i], weights + (i % 5) * 2, 2,
                           AP_LARGEST_REMAINDER, want, &err) == AP_OK);
        CHECK_EQ_I64(shares[2 * i], want[0]);
        CHECK_EQ_I64(shares[2 * i + 1], want[1]);
        odd += i % 5 == 1 && totals[i] % 2 != 0;
    }
    CHECK(odd > N / 4); /* the ties were met */
    free(totals);
    free(shares);
}

TEST(cost_simulate_sd_zero_is_the_projection)
{
    ap_cost_model m = worked_model();
    int64_t totals[4], shares[8];
    ap_error err;
    CHECK(ap_cost_project(&m, totals, shares, &err) == AP_OK);
    const double zeros[4] = {0, 0, 0, 0};
    const double *sds[2] = {NULL, zeros};
    enum { N = 200 };
    int64_t run_totals[N * 4], run_shares[N * 8];
    for (int with = 0; with < 2; with++) {
        m.demand_sd = sds[with];
        m.inflation_sd = sds[with];
        for (int rho = 0; rho <= 2; rho++) {
            m.demand_correlation = rho / 2.0;
            CHECK(ap_cost_simulate(&m, 42, 17, N, 2, run_totals, run_shares,
                                   &err) == AP_OK);
            for (int i = 0; i < N; i++) {
                CHECK(memcmp(run_totals + i * 4, totals, sizeof totals) ==
                      0);
                CHECK(memcmp(run_shares + i * 8, shares, sizeof shares) ==
                      0);
            }
        }
    }
}

TEST(cost_simulate_draws_as_documented)
{
    /* One scenario recomputed from the documented formula and the public
     * draws: demand_y = max(0, d + sd z_y), z_y = sqrt(rho) c +
     * sqrt(1 - rho) e_y, inflation_y = i + isd u_y, compounded. */
    ap_cost_model m = mc_model();
    const uint64_t seed = 31337, k = 123456789;
    int64_t totals[3];
    ap_error err;
    CHECK(ap_cost_simulate(&m, seed, k, 1, 1, totals, NULL, &err) == AP_OK);
    double c = ap_scenario_normal(seed, k, AP_DRAW_DEMAND_COMMON, 0);
    double index = 1.0;
    for (uint32_t y = 0; y < 3; y++) {
        double z = sqrt(0.3) * c +
                   sqrt(1 - 0.3) *
                       ap_scenario_normal(seed, k, AP_DRAW_DEMAND, y);
        double demand = mc_demand[y] + mc_demand_sd[y] * z;
        demand = demand < 0 ? 0 : demand;
        double rate = mc_inflation[y] +
                      mc_inflation_sd[y] *
                          ap_scenario_normal(seed, k, AP_DRAW_INFLATION, y);
        index = index * (1.0 + rate);
        double cost = demand * 100000.0 * index;
        /* The penny nearest (no exact halves at these magnitudes). */
        CHECK(fabs((double)totals[y] - cost) <= 0.5);
    }

    /* rho = 1: one shock for every year, so with equal demands and no
     * inflation every year costs the same; with rho = 0 the years are
     * nearly uncorrelated, and demand is never below 0. */
    const double flat[3] = {10, 10, 10}, wide[3] = {8, 8, 8};
    const double no_inflation[3] = {0, 0, 0};
    ap_cost_model f = {3, 3, flat, wide, 1.0, 100, no_inflation, NULL,
                       mc_weights};
    enum { N = 20000 };
    int64_t *run = malloc(N * 3 * sizeof *run);
    CHECK(run != NULL);
    CHECK(ap_cost_simulate(&f, 5, 0, N, 2, run, NULL, &err) == AP_OK);
    int zeros = 0;
    for (int i = 0; i < N; i++) {
        CHECK_EQ_I64(run[i * 3], run[i * 3 + 1]);
        CHECK_EQ_I64(run[i * 3], run[i * 3 + 2]);
        CHECK(run[i * 3] >= 0);
        zeros += run[i * 3] == 0;
    }
    /* P(10 + 8 z < 0) = P(z < -1.25) = 0.1056, sd 0.0022 over N. */
    CHECK(fabs((double)zeros / N - 0.1056) < 0.011);
    f.demand_correlation = 0.0;
    CHECK(ap_cost_simulate(&f, 5, 0, N, 2, run, NULL, &err) == AP_OK);
    double s0 = 0, s1 = 0, s00 = 0, s11 = 0, s01 = 0;
    for (int i = 0; i < N; i++) {
        double a = (double)run[i * 3], b = (double)run[i * 3 + 1];
        s0 += a;
        s1 += b;
        s00 += a * a;
        s11 += b * b;
        s01 += a * b;
    }
    double cov = s01 / N - (s0 / N) * (s1 / N);
    double r = cov / sqrt((s00 / N - (s0 / N) * (s0 / N)) *
                          (s11 / N - (s1 / N) * (s1 / N)));
    CHECK(fabs(r) < 0.05); /* sd of r is 1/sqrt(N) = 0.007 */
    free(run);
}

/* ---- percentiles -------------------------------------------------------- */

TEST(percentiles_hand_example)
{
    /* Three columns of four rows, rows in no order. */
    const int64_t values[12] = {30, 4, 5,    /* */
                                10, 1, 5,    /* */
                                40, 3, -7,   /* */
                                20, 2, 5};
    const double q[6] = {0, 25, 50, 62.5, 100, 37.5};
    int64_t out[18];
    ap_error err;
    CHECK(ap_percentiles_i64(values, 4, 3, q, 6, out, &err) == AP_OK);
    /* Column 0 sorted 10 20 30 40; h = 3 q / 100. */
    CHECK_EQ_I64(out[0 * 3 + 0], 10);
    CHECK_EQ_I64(out[1 * 3 + 0], 18); /* h 0.75: 17.5 -> 18 (even) */
    CHECK_EQ_I64(out[2 * 3 + 0], 25); /* h 1.5 */
    CHECK_EQ_I64(out[3 * 3 + 0], 29); /* h 1.875: 28.75 */
    CHECK_EQ_I64(out[4 * 3 + 0], 40);
    CHECK_EQ_I64(out[5 * 3 + 0], 21); /* h 1.125: 21.25 */
    /* Column 1 sorted 1 2 3 4. */
    CHECK_EQ_I64(out[1 * 3 + 1], 2); /* 1.75 */
    CHECK_EQ_I64(out[2 * 3 + 1], 2); /* 2.5 -> 2 (even) */
    CHECK_EQ_I64(out[3 * 3 + 1], 3); /* 2.875 */
    CHECK_EQ_I64(out[5 * 3 + 1], 2); /* 2.125 */
    /* Column 2 sorted -7 5 5 5. */
    CHECK_EQ_I64(out[0 * 3 + 2], -7);
    CHECK_EQ_I64(out[1 * 3 + 2], 2); /* -7 + 12 x 0.75 */
    CHECK_EQ_I64(out[2 * 3 + 2], 5);
    CHECK_EQ_I64(out[5 * 3 + 2], 5);

    /* One row: every percentile is that row. */
    CHECK(ap_percentiles_i64(values, 1, 3, q, 6, out, &err) == AP_OK);
    for (int k = 0; k < 6; k++)
        for (int c = 0; c < 3; c++)
            CHECK_EQ_I64(out[k * 3 + c], values[c]);
}

TEST(percentiles_exact_beyond_2_53)
{
    /* numpy's doubles would lose these pennies; the core does not. */
    const int64_t big = (int64_t)1 << 60;
    const int64_t values[4] = {big + 3, INT64_MAX, big, INT64_MIN};
    const double q[3] = {50, 25, 75};
    int64_t out[6];
    ap_error err;
    CHECK(ap_percentiles_i64(values, 2, 2, q, 3, out, &err) == AP_OK);
    CHECK_EQ_I64(out[0], big + 2); /* big + 1.5 -> even */
    CHECK_EQ_I64(out[2], big + 1); /* big + 0.75 */
    CHECK_EQ_I64(out[4], big + 2); /* big + 2.25 */
    /* INT64_MIN .. INT64_MAX: the midpoint is -0.5 -> 0. */
    CHECK_EQ_I64(out[1], 0);
    CHECK_EQ_I64(out[3], INT64_MIN / 2); /* -2^62 - 0.25 */
    CHECK_EQ_I64(out[5], INT64_MAX / 2); /* 2^62 - 0.75 -> 2^62 - 1 */
}

static int compare_i64(const void *pa, const void *pb)
{
    int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;
    return (a > b) - (a < b);
}

TEST(percentiles_match_a_sorted_reference)
{
    /* Columns with many ties (as zero-demand years give) and without;
     * few percentiles (selection) and many (a sort) against the formula
     * on a sorted copy. */
    enum { ROWS = 2501, COLS = 3, NQ = 301 };
    int64_t *values = malloc(ROWS * COLS * sizeof *values);
    int64_t *column = malloc(ROWS * sizeof *column);
    CHECK(values != NULL && column != NULL);
    uint64_t state = 12345;
    for (int i = 0; i < ROWS * COLS; i++) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        int64_t r = (int64_t)(state >> 20);
        values[i] = i % COLS == 0   ? r % 7 * 100      /* ties */
                    : i % COLS == 1 ? r - (1LL << 43) /* spread */
                                    : (int64_t)(i / COLS); /* sorted */
    }
    double q[NQ];
    for (int k = 0; k < NQ; k++)
        q[k] = k / 3.0 + (k % 3) * 0.001; /* 602 ranks: a full sort */
    q[NQ - 1] = 100;
    static int64_t many[NQ * COLS];
    int64_t few[5 * COLS];
    ap_error err;
    CHECK(ap_percentiles_i64(values, ROWS, COLS, q, NQ, many, &err) ==
          AP_OK);
    const double some[5] = {q[7], q[0], q[200], q[299], q[200]};
    CHECK(ap_percentiles_i64(values, ROWS, COLS, some, 5, few, &err) ==
          AP_OK);
    for (int c = 0; c < COLS; c++) {
        for (int r = 0; r < ROWS; r++)
            column[r] = values[r * COLS + c];
        qsort(column, ROWS, sizeof *column, compare_i64);
        for (int k = 0; k < NQ; k++) {
            double h = (ROWS - 1) * (q[k] / 100.0);
            int lo = (int)h;
            double g = h - lo;
            int64_t a = column[lo], b = lo + 1 < ROWS ? column[lo + 1] : a;
            double v = g < 0.5 ? (double)a + (double)(b - a) * g
                               : (double)b - (double)(b - a) * (1 - g);
            double nearest = nearbyint(v); /* half to even by default */
            CHECK_EQ_I64(many[k * COLS + c], (int64_t)nearest);
        }
        CHECK_EQ_I64(few[0 * COLS + c], many[7 * COLS + c]);
        CHECK_EQ_I64(few[1 * COLS + c], many[0 * COLS + c]);
        CHECK_EQ_I64(few[2 * COLS + c], many[200 * COLS + c]);
        CHECK_EQ_I64(few[3 * COLS + c], many[299 * COLS + c]);
        CHECK_EQ_I64(few[4 * COLS + c], many[200 * COLS + c]);
    }
    /* Order of the rows does not matter: reversed gives the same. */
    for (int r = 0; r < ROWS / 2; r++)
        for (int c = 0; c < COLS; c++) {
            int64_t t = values[r * COLS + c];
            values[r * COLS + c] = values[(ROWS - 1 - r) * COLS + c];
            values[(ROWS - 1 - r) * COLS + c] = t;
        }
    int64_t again[5 * COLS];
    CHECK(ap_percentiles_i64(values, ROWS, COLS, some, 5, again, &err) ==
          AP_OK);
    CHECK(memcmp(again, few, sizeof few) == 0);
    free(values);
    free(column);
}

TEST(percentiles_errors)
{
    const int64_t values[2] = {1, 2};
    int64_t out[4];
    ap_error err;
    const double q[2] = {50, 100.5};
    CHECK(ap_percentiles_i64(values, 0, 2, q, 1, out, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "no rows");
    CHECK(ap_percentiles_i64(values, 1, 2, q, 2, out, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "q[1] is 100.5");
    const double bad[2] = {-1, NAN};
    CHECK(ap_percentiles_i64(values, 1, 2, bad, 2, out, &err) == AP_E_INPUT);
    CHECK_CONTAINS(err.message, "q[0] is -1");
    CHECK(ap_percentiles_i64(values, 1, 2, bad + 1, 1, out, &err) ==
          AP_E_INPUT);
    CHECK_CONTAINS(err.message, "q[0] is nan");
    /* No columns or no percentiles: nothing to do, no scratch. */
    CHECK(ap_percentiles_i64(values, 2, 0, q, 1, out, &err) == AP_OK);
    CHECK(ap_percentiles_i64(values, 2, 1, q, 0, out, &err) == AP_OK);
}
