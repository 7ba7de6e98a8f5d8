/* The cost scenarios' draws, shared by philox.c (one draw at a time, the
 * public ap_scenario_* functions) and cost_scenario.c (a block of
 * scenarios at a time): Philox4x32-10, the uniforms made from its bits and
 * the Box-Muller transform of two uniforms into two normals.
 *
 * The transform uses a logarithm, a sine and a cosine of our own:
 * polynomials in IEEE double arithmetic (+, -, *, / and sqrt, all
 * correctly rounded, no fused multiply-adds: the files are built with
 * -ffp-contract=off), so the draws are the same bits with any C library,
 * any compiler that keeps IEEE semantics and any vector width the compiler
 * picks for the block loops.
 *
 *   ap__draw_log(u), 0 < u < 1: u = 2^k m with m in [sqrt(2)/2, sqrt(2)),
 *     s = (m - 1) / (m + 1) (|s| <= 0.1716), log m = 2 atanh s =
 *     sum_{j=0..10} 2 s^(2j+1) / (2j + 1), whose truncation is below
 *     |s| 2 s^22 / 23 < 2e-18 |log m|; plus k ln 2 (ln 2 split in two so k
 *     ln2_hi is exact).  Measured against the C library's logarithm
 *     (tests/test_scenario_reference.py, 1.2 million u): within 2^-51
 *     relative (at most 2.9 units of 2^-53).
 *   AP__SINCOS_TURN(u) = (cos 2 pi u, sin 2 pi u), 0 <= u < 1: u = n/4 + r
 *     exactly (n = the nearest quarter turn, |r| <= 1/8), then the Taylor
 *     series of cos 2 pi r and sin 2 pi r to r^16 and r^17, whose
 *     truncation is below (pi/4)^18 / 18! < 3e-18, and the quadrant's swap
 *     and signs (exact).  Measured against the C library's cos and sin
 *     of a rounded 2 pi u: within 2^-50 absolute (at most 6.5 units of
 *     2^-53, most of it the rounding of 2 pi u on the library's side).
 */
#ifndef AP_FORECAST_SCENARIO_DRAWS_H
#define AP_FORECAST_SCENARIO_DRAWS_H

#include <math.h>
#include <stdint.h>
#include <string.h>

/* Counter word 3 of a scenario's draws: pair 0 of year y is (demand's own
 * shock, inflation's shock), pair 1 of year 0 (cosine branch) the shock
 * shared by all years; the ap_scenario_variable v is the branch v & 1 of
 * pair v >> 1. */
#define AP__PAIR_YEAR 0u
#define AP__PAIR_COMMON 1u

#define AP__PHILOX_M0 0xD2511F53u /* multiplier of counter word 0 */
#define AP__PHILOX_M1 0xCD9E8D57u /* multiplier of counter word 2 */
#define AP__PHILOX_W0 0x9E3779B9u /* key schedule: golden ratio */
#define AP__PHILOX_W1 0xBB67AE85u /* key schedule: sqrt(3) - 1 */

/* One Philox round on (c0, c1, c2, c3) under (k0, k1). */
#define AP__PHILOX_ROUND(c0, c1, c2, c3, k0, k1)                            \
    do {                                                                    \
        uint64_t p0_ = (uint64_t)AP__PHILOX_M0 * (c0);                      \
        uint64_t p1_ = (uint64_t)AP__PHILOX_M1 * (c2);                      \
        (c0) = (uint32_t)(p1_ >> 32) ^ (c1) ^ (k0);                         \
        (c1) = (uint32_t)p1_;                                               \
        (c2) = (uint32_t)(p0_ >> 32) ^ (c3) ^ (k1);                         \
        (c3) = (uint32_t)p0_;                                               \
    } while (0)

/* Philox4x32-10 of counter (c0, c1, c2, c3) under key (k0, k1), into
 * out[4]; the rounds written out, so that a loop of it has no inner loop
 * in the way of vectorising. */
static inline void ap__philox(uint32_t c0, uint32_t c1, uint32_t c2,
                              uint32_t c3, uint32_t k0, uint32_t k1,
                              uint32_t out[4])
{
    AP__PHILOX_ROUND(c0, c1, c2, c3, k0, k1);
    AP__PHILOX_ROUND(c0, c1, c2, c3, k0 + 1 * AP__PHILOX_W0,
                     k1 + 1 * AP__PHILOX_W1);
    AP__PHILOX_ROUND(c0, c1, c2, c3, k0 + 2 * AP__PHILOX_W0,
                     k1 + 2 * AP__PHILOX_W1);
    AP__PHILOX_ROUND(c0, c1, c2, c3, k0 + 3 * AP__PHILOX_W0,
                     k1 + 3 * AP__PHILOX_W1);
    AP__PHILOX_ROUND(c0, c1, c2, c3, k0 + 4 * AP__PHILOX_W0,
                     k1 + 4 * AP__PHILOX_W1);
    AP__PHILOX_ROUND(c0, c1, c2, c3, k0 + 5 * AP__PHILOX_W0,
                     k1 + 5 * AP__PHILOX_W1);
    AP__PHILOX_ROUND(c0, c1, c2, c3, k0 + 6 * AP__PHILOX_W0,
                     k1 + 6 * AP__PHILOX_W1);
    AP__PHILOX_ROUND(c0, c1, c2, c3, k0 + 7 * AP__PHILOX_W0,
                     k1 + 7 * AP__PHILOX_W1);
    AP__PHILOX_ROUND(c0, c1, c2, c3, k0 + 8 * AP__PHILOX_W0,
                     k1 + 8 * AP__PHILOX_W1);
    AP__PHILOX_ROUND(c0, c1, c2, c3, k0 + 9 * AP__PHILOX_W0,
                     k1 + 9 * AP__PHILOX_W1);
    out[0] = c0;
    out[1] = c1;
    out[2] = c2;
    out[3] = c3;
}

static inline uint64_t ap__bits_of(double x)
{
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    return b;
}

static inline double ap__double_of(uint64_t b)
{
    double x;
    memcpy(&x, &b, sizeof x);
    return x;
}

/* The top 53 bits k of a 64-bit half as k / 2^53, with k = 0 taken as
 * 2^-54 so that the result is never 0; the largest is 1 - 2^-53.  k is
 * made a double as 2 (k >> 1) + (k & 1), each part exact by the 2^52
 * trick, so that no 64-bit integer conversion (which SSE2 lacks) stands
 * in the way of vectorising the block loops. */
static inline double ap__uniform_of(uint64_t bits)
{
    const uint64_t k = bits >> 11;
    const double high =
        ap__double_of(0x4330000000000000ULL | (k >> 1)) - 0x1p52;
    const double low = ap__double_of(0x4330000000000000ULL | (k & 1u)) -
                       0x1p52;
    /* 2^-54 when k is 0, else +0.0: bits, not a branch, for the same
     * reason. */
    const uint64_t zero = ((k | (0 - k)) >> 63) ^ 1u;
    return (2.0 * high + low) * 0x1p-53 +
           ap__double_of(zero * 0x3c90000000000000ULL);
}

/* log u for 0 < u < 1 (see the header comment). */
static inline double ap__draw_log(double u)
{
    /* bits + (1.0's bits - sqrt(2)/2's bits) carries into the exponent
     * exactly when u's mantissa is at least sqrt(2)/2's. */
    const uint64_t bits = ap__bits_of(u);
    const uint64_t e = (bits + (0x3ff0000000000000ULL -
                                0x3fe6a09e667f3bcdULL)) >> 52;
    const double m = ap__double_of(bits - (e << 52) + 0x3ff0000000000000ULL);
    /* k = e - 1023 as a double, exactly, by the 2^52 trick. */
    const double k = ap__double_of(0x4330000000000000ULL + e) -
                     (0x1p52 + 1023.0);
    const double f = m - 1.0; /* exact: m in [0.70, 1.42) */
    const double s = f / (2.0 + f);
    const double s2 = s * s;
    double p = 0x1.8618618618618p-4; /* 2/21 */
    p = p * s2 + 0x1.af286bca1af28p-4; /* 2/19 */
    p = p * s2 + 0x1.e1e1e1e1e1e1ep-4; /* 2/17 */
    p = p * s2 + 0x1.1111111111111p-3; /* 2/15 */
    p = p * s2 + 0x1.3b13b13b13b14p-3; /* 2/13 */
    p = p * s2 + 0x1.745d1745d1746p-3; /* 2/11 */
    p = p * s2 + 0x1.c71c71c71c71cp-3; /* 2/9 */
    p = p * s2 + 0x1.2492492492492p-2; /* 2/7 */
    p = p * s2 + 0x1.999999999999ap-2; /* 2/5 */
    p = p * s2 + 0x1.5555555555555p-1; /* 2/3 */
    const double log_m = s * 2.0 + s * (s2 * p);
    return k * 0x1.62e4200000000p-1 + (k * 0x1.fdf473de6af28p-22 + log_m);
}

/* cos 2 pi u and sin 2 pi u for 0 <= u < 1 (see the header comment),
 * into the lvalues cos_out and sin_out: a macro, so that the block loop
 * below has it in its body whatever the compiler inlines. */
#define AP__SINCOS_TURN(u, cos_out, sin_out)                                 \
    do {                                                                     \
        /* n = 4u rounded to the nearest whole number (exact for 4u <      \
         * 2^51), r = u - n/4 exactly (both are multiples of 2^-54, |r| <= \
         * 1/8). */                                                          \
        const double u_ = (u);                                               \
        const uint64_t n_bits_ = ap__bits_of(4.0 * u_ + 0x1.8p52);           \
        const double r_ = u_ - 0.25 * (ap__double_of(n_bits_) - 0x1.8p52);   \
        const double r2_ = r_ * r_;                                          \
        double c_ = 0x1.20c62c2f2d7f5p-2;                                    \
        c_ = c_ * r2_ - 0x1.b6e24f44b128fp+0;                                \
        c_ = c_ * r2_ + 0x1.f9d38a3763cc3p+2;                                \
        c_ = c_ * r2_ - 0x1.a6d1f2a204a8cp+4;                                \
        c_ = c_ * r2_ + 0x1.e1f506891babbp+5;                                \
        c_ = c_ * r2_ - 0x1.55d3c7e3cbffap+6;                                \
        c_ = c_ * r2_ + 0x1.03c1f081b5ac4p+6;                                \
        c_ = c_ * r2_ - 0x1.3bd3cc9be45dep+4;                                \
        c_ = c_ * r2_ + 1.0;                                                 \
        double s_ = 0x1.aaec32af93359p-4;                                    \
        s_ = s_ * r2_ - 0x1.6fadb9f155744p-1;                                \
        s_ = s_ * r2_ + 0x1.e8f434d018d63p+1;                                \
        s_ = s_ * r2_ - 0x1.e3074fde8871fp+3;                                \
        s_ = s_ * r2_ + 0x1.50783487ee782p+5;                                \
        s_ = s_ * r2_ - 0x1.32d2cce62bd86p+6;                                \
        s_ = s_ * r2_ + 0x1.466bc6775aae2p+6;                                \
        s_ = s_ * r2_ - 0x1.4abbce625be53p+5;                                \
        s_ = s_ * r2_ + 0x1.921fb54442d18p+2;                                \
        s_ = s_ * r_;                                                        \
        /* Quarter turns: n = 1 is (-sin, cos), 2 is (-cos, -sin), 3 is    \
         * (sin, -cos); 0 and 4 are (cos, sin).  Selected and negated on   \
         * the bits (exact, and no branch in the way of vectorising). */    \
        const uint64_t q_ = n_bits_ & 3u;                                    \
        const uint64_t swap_ = 0 - (q_ & 1u);                                \
        const uint64_t cb_ = ap__bits_of(c_), sb_ = ap__bits_of(s_);         \
        const uint64_t a_ = (sb_ & swap_) | (cb_ & ~swap_);                  \
        const uint64_t b_ = (cb_ & swap_) | (sb_ & ~swap_);                  \
        (cos_out) = ap__double_of(a_ ^ (((q_ + 1u) >> 1 & 1u) << 63));       \
        (sin_out) = ap__double_of(b_ ^ ((q_ >> 1 & 1u) << 63));              \
    } while (0)

/* The pair of standard normals of Philox's 128 bits at counter (scenario
 * low, scenario high, year, pair) under key (seed low, seed high):
 * Box-Muller, r cos(2 pi u1) and r sin(2 pi u1), r = sqrt(-2 log u0). */
static inline void ap__draw_normal_pair(uint64_t seed, uint64_t scenario,
                                        uint32_t year, uint32_t pair,
                                        double *z_cos, double *z_sin)
{
    uint32_t out[4];
    ap__philox((uint32_t)scenario, (uint32_t)(scenario >> 32), year, pair,
               (uint32_t)seed, (uint32_t)(seed >> 32), out);
    const double u0 =
        ap__uniform_of((uint64_t)out[0] | (uint64_t)out[1] << 32);
    const double u1 =
        ap__uniform_of((uint64_t)out[2] | (uint64_t)out[3] << 32);
    const double radius = sqrt(-2.0 * ap__draw_log(u0));
    double c, s;
    AP__SINCOS_TURN(u1, c, s);
    *z_cos = radius * c;
    *z_sin = radius * s;
}

/* Block size of ap__draw_normal_block. */
#define AP__DRAW_BLOCK 64

/* ap__draw_normal_pair for scenarios first .. first + AP__DRAW_BLOCK - 1
 * (the scenario number wraps past 2^64 - 1): the same bits, in loops over
 * the block that the compiler may vectorise (sqrt, which may set errno,
 * in a loop of its own). */
static inline void ap__draw_normal_block(uint64_t seed, uint64_t first,
                                         uint32_t year, uint32_t pair,
                                         double *restrict z_cos,
                                         double *restrict z_sin)
{
    enum { B = AP__DRAW_BLOCK };
    uint32_t c0[B], c1[B], c2[B], c3[B];
    double u0[B], u1[B];
    const uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
    for (int i = 0; i < B; i++) {
        const uint64_t scenario = first + (uint64_t)i;
        c0[i] = (uint32_t)scenario;
        c1[i] = (uint32_t)(scenario >> 32);
        c2[i] = year;
        c3[i] = pair;
    }
    /* Philox round by round across the block. */
    for (uint32_t round = 0; round < 10; round++) {
        const uint32_t r0 = k0 + round * AP__PHILOX_W0;
        const uint32_t r1 = k1 + round * AP__PHILOX_W1;
        for (int i = 0; i < B; i++)
            AP__PHILOX_ROUND(c0[i], c1[i], c2[i], c3[i], r0, r1);
    }
    for (int i = 0; i < B; i++) {
        u0[i] = ap__uniform_of((uint64_t)c0[i] | (uint64_t)c1[i] << 32);
        u1[i] = ap__uniform_of((uint64_t)c2[i] | (uint64_t)c3[i] << 32);
    }
    for (int i = 0; i < B; i++)
        u0[i] = -2.0 * ap__draw_log(u0[i]);
    for (int i = 0; i < B; i++)
        u0[i] = sqrt(u0[i]);
    for (int i = 0; i < B; i++) {
        double c, s;
        AP__SINCOS_TURN(u1[i], c, s);
        z_cos[i] = u0[i] * c;
        z_sin[i] = u0[i] * s;
    }
}

#endif
