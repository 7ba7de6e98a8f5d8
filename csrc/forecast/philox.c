/* The counter-based generator behind the cost scenarios: Philox4x32-10
 * (Salmon, Moraes, Dror and Shaw, "Parallel random numbers: as easy as
 * 1, 2, 3", SC11) and the uniforms and normals drawn from it.
 *
 * A draw is a pure function of its coordinates: key = the seed's two
 * 32-bit halves, counter = (scenario low, scenario high, year, pair).  One
 * Philox call gives two uniforms, and Box-Muller turns them into two
 * normals, both used: pair 0 of a year is (demand, inflation), pair 1 of
 * year 0 the shared demand shock.  Nothing is carried from one draw to the
 * next, so any thread may compute any scenario and get the same bits.  The
 * maths are in forecast/scenario_draws.h, shared with the block loops of
 * cost_scenario.c. */
#include "apportion/scenario.h"
#include "forecast/scenario_draws.h"

void ap_philox4x32(const uint32_t counter[4], const uint32_t key[2],
                   uint32_t out[4])
{
    ap__philox(counter[0], counter[1], counter[2], counter[3], key[0],
               key[1], out);
}

double ap_scenario_uniform(uint64_t seed, uint64_t scenario,
                           uint32_t variable, uint32_t year, uint32_t which)
{
    uint32_t out[4];
    ap__philox((uint32_t)scenario, (uint32_t)(scenario >> 32), year,
               variable >> 1, (uint32_t)seed, (uint32_t)(seed >> 32), out);
    return (which & 1u) == 0
               ? ap__uniform_of((uint64_t)out[0] | (uint64_t)out[1] << 32)
               : ap__uniform_of((uint64_t)out[2] | (uint64_t)out[3] << 32);
}

double ap_scenario_normal(uint64_t seed, uint64_t scenario,
                          uint32_t variable, uint32_t year)
{
    double z_cos, z_sin;
    ap__draw_normal_pair(seed, scenario, year, variable >> 1, &z_cos,
                         &z_sin);
    return (variable & 1u) == 0 ? z_cos : z_sin;
}
