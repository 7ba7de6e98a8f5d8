/* The counter-based generator behind the cost scenarios: Philox4x32-10
 * (Salmon, Moraes, Dror and Shaw, "Parallel random numbers: as easy as
 * 1, 2, 3", SC11) and the uniforms and normals drawn from it.
 *
 * A draw is a pure function of its coordinates: key = the seed's two
 * 32-bit halves, counter = (scenario low, scenario high, year, variable).
 * Nothing is carried from one draw to the next, so any thread may compute
 * any scenario and get the same bits. */
#include <math.h>

#include "apportion/scenario.h"

#define PHILOX_M0 0xD2511F53u /* multiplier of counter word 0 */
#define PHILOX_M1 0xCD9E8D57u /* multiplier of counter word 2 */
#define PHILOX_W0 0x9E3779B9u /* key schedule: golden ratio */
#define PHILOX_W1 0xBB67AE85u /* key schedule: sqrt(3) - 1 */
#define PHILOX_ROUNDS 10

void ap_philox4x32(const uint32_t counter[4], const uint32_t key[2],
                   uint32_t out[4])
{
    uint32_t c0 = counter[0], c1 = counter[1], c2 = counter[2],
             c3 = counter[3];
    uint32_t k0 = key[0], k1 = key[1];
    for (int round = 0; round < PHILOX_ROUNDS; round++) {
        if (round > 0) {
            k0 += PHILOX_W0;
            k1 += PHILOX_W1;
        }
        uint64_t p0 = (uint64_t)PHILOX_M0 * c0;
        uint64_t p1 = (uint64_t)PHILOX_M1 * c2;
        uint32_t hi0 = (uint32_t)(p0 >> 32), lo0 = (uint32_t)p0;
        uint32_t hi1 = (uint32_t)(p1 >> 32), lo1 = (uint32_t)p1;
        c0 = hi1 ^ c1 ^ k0;
        c1 = lo1;
        c2 = hi0 ^ c3 ^ k1;
        c3 = lo0;
    }
    out[0] = c0;
    out[1] = c1;
    out[2] = c2;
    out[3] = c3;
}

/* The 128 bits at the coordinates, as two 64-bit halves. */
static void draw_bits(uint64_t seed, uint64_t scenario, uint32_t variable,
                      uint32_t year, uint64_t half[2])
{
    const uint32_t counter[4] = {(uint32_t)scenario,
                                 (uint32_t)(scenario >> 32), year, variable};
    const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    uint32_t out[4];
    ap_philox4x32(counter, key, out);
    half[0] = (uint64_t)out[0] | (uint64_t)out[1] << 32;
    half[1] = (uint64_t)out[2] | (uint64_t)out[3] << 32;
}

/* The top 53 bits k as k / 2^53, with k = 0 taken as 2^-54 so that the
 * result is never 0; the largest is 1 - 2^-53, never 1.  (Centring every
 * value, (k + 0.5) / 2^53, is not representable above 0.5: the top value
 * would round to 1.0.) */
static double uniform_of(uint64_t bits)
{
    uint64_t k = bits >> 11;
    return k != 0 ? (double)k * 0x1p-53 : 0x1p-54;
}

double ap_scenario_uniform(uint64_t seed, uint64_t scenario,
                           uint32_t variable, uint32_t year, uint32_t which)
{
    uint64_t half[2];
    draw_bits(seed, scenario, variable, year, half);
    return uniform_of(half[which & 1u]); /* which is 0 or 1 */
}

double ap_scenario_normal(uint64_t seed, uint64_t scenario,
                          uint32_t variable, uint32_t year)
{
    /* Box-Muller, cosine branch: one Philox call gives both uniforms.
     * u0 > 0, so the logarithm is finite and |z| < 8.7. */
    static const double two_pi = 6.283185307179586476925286766559;
    uint64_t half[2];
    draw_bits(seed, scenario, variable, year, half);
    double u0 = uniform_of(half[0]), u1 = uniform_of(half[1]);
    return sqrt(-2.0 * log(u0)) * cos(two_pi * u1);
}
