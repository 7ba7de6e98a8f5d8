"""The cost scenarios' draws and pence against an independent reference:
Philox4x32-10, the uniforms, Box-Muller with both branches and apportion's
own logarithm, sine and cosine, and the cost model, all written again here
in numpy and plain Python from the documentation (include/apportion/
scenario.h, csrc/forecast/scenario_draws.h), never from the C output.

The polynomials' coefficients are derived here from exact rationals and a
60-digit pi, rounded once to a double; numpy's float64 arithmetic is the
same IEEE operations in the same order, so the reference gives the C
core's bits.  The expected values of the other scenario tests (and of the
tour) were regenerated against this reference when the draws changed
(issue 19)."""

import math
from decimal import Decimal, getcontext
from fractions import Fraction

import numpy as np
import pytest

from apportion import _core

DEMAND, INFLATION, DEMAND_COMMON = 0, 1, 2  # ap_scenario_variable
M0, M1 = 0xD2511F53, 0xCD9E8D57
W0, W1 = 0x9E3779B9, 0xBB67AE85
MASK32 = np.uint64(0xFFFFFFFF)

getcontext().prec = 60
PI = Decimal("3.14159265358979323846264338327950288419716939937510582097494")
LN2 = Decimal(2).ln()


def _double(x):
    """The double nearest to a Decimal or Fraction."""
    return float(x)


# log m = sum_j 2 s^(2j+1) / (2j + 1), j = 0..10; cos and sin of 2 pi r by
# Taylor to r^16 and r^17.
LOG_COEFFS = [float(Fraction(2, 2 * j + 1)) for j in range(11)]
COS_COEFFS = [_double((-1) ** j * (2 * PI) ** (2 * j) / math.factorial(2 * j))
              for j in range(9)]
SIN_COEFFS = [_double((-1) ** j * (2 * PI) ** (2 * j + 1)
                      / math.factorial(2 * j + 1)) for j in range(9)]
LN2_HI = np.float64(float(LN2)).view(np.uint64) & np.uint64(~0xFFFFFFFF
                                                             & (2**64 - 1))
LN2_HI = float(LN2_HI.view(np.float64))
LN2_LO = _double(LN2 - Decimal(LN2_HI))


def philox(c0, c1, c2, c3, k0, k1):
    """Philox4x32-10 on uint64 arrays holding 32-bit words."""
    c0, c1, c2, c3 = (np.asarray(c, dtype=np.uint64) for c in (c0, c1, c2, c3))
    k0, k1 = int(k0), int(k1)
    for _ in range(10):
        p0 = np.uint64(M0) * c0
        p1 = np.uint64(M1) * c2
        c0, c1, c2, c3 = (((p1 >> np.uint64(32)) ^ c1 ^ np.uint64(k0)),
                          p1 & MASK32,
                          ((p0 >> np.uint64(32)) ^ c3 ^ np.uint64(k1)),
                          p0 & MASK32)
        k0 = (k0 + W0) & 0xFFFFFFFF
        k1 = (k1 + W1) & 0xFFFFFFFF
    return c0, c1, c2, c3


def uniforms(seed, scenarios, year, pair):
    """The pair's two uniforms for each scenario number."""
    scenarios = np.asarray(scenarios, dtype=np.uint64)
    words = philox(scenarios & MASK32, scenarios >> np.uint64(32),
                   np.full(scenarios.shape, year, dtype=np.uint64),
                   np.full(scenarios.shape, pair, dtype=np.uint64),
                   seed & 0xFFFFFFFF, seed >> 32)
    out = []
    for lo, hi in ((words[0], words[1]), (words[2], words[3])):
        k = (lo | (hi << np.uint64(32))) >> np.uint64(11)
        u = k.astype(np.float64) * 2.0**-53
        out.append(np.where(k == 0, 2.0**-54, u))
    return out


def ref_log(u):
    """log u, 0 < u < 1: u = 2^k m, m in [sqrt(2)/2, sqrt(2)), then
    2 atanh((m - 1) / (m + 1)) and k ln 2 in two parts."""
    u = np.asarray(u, dtype=np.float64)
    mant, expo = np.frexp(u)            # u = mant 2^expo, mant in [0.5, 1)
    low = mant < math.sqrt(0.5)         # below sqrt(2)/2's mantissa
    m = np.where(low, mant * 2.0, mant)
    k = np.where(low, expo - 1, expo).astype(np.float64)
    f = m - 1.0
    s = f / (2.0 + f)
    s2 = s * s
    p = np.full_like(s, LOG_COEFFS[10])
    for c in reversed(LOG_COEFFS[1:10]):
        p = p * s2 + c
    log_m = s * 2.0 + s * (s2 * p)
    return k * LN2_HI + (k * LN2_LO + log_m)


def ref_sincos_turn(u):
    """(cos 2 pi u, sin 2 pi u), 0 <= u < 1, by quarter turns."""
    u = np.asarray(u, dtype=np.float64)
    n = np.rint(4.0 * u)
    r = u - 0.25 * n
    r2 = r * r
    c = np.full_like(r, COS_COEFFS[8])
    for coeff in reversed(COS_COEFFS[:8]):
        c = c * r2 + coeff
    s = np.full_like(r, SIN_COEFFS[8])
    for coeff in reversed(SIN_COEFFS[:8]):
        s = s * r2 + coeff
    s = s * r
    q = n.astype(np.int64) % 4
    cos = np.choose(q, [c, -s, -c, s])
    sin = np.choose(q, [s, c, -s, -c])
    return cos, sin


def ref_normals(seed, scenarios, year, pair):
    """Box-Muller's two normals (cosine, sine) of the pair."""
    u0, u1 = uniforms(seed, scenarios, year, pair)
    radius = np.sqrt(-2.0 * ref_log(u0))
    cos, sin = ref_sincos_turn(u1)
    return radius * cos, radius * sin


def largest_remainder(total, weights):
    """Exact largest remainder in Python integers, ties to the lower
    index."""
    w_sum = sum(weights)
    floors = [total * w // w_sum for w in weights]
    rems = [total * w % w_sum for w in weights]
    left = total - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-rems[i], i))
    for i in order[:left]:
        floors[i] += 1
    return floors


def ref_simulate(model, seed, first, count):
    """The documented cost model on the reference draws."""
    demand, demand_sd, rho, unit, inflation, inflation_sd, weights = model
    n_years = len(demand)
    ks = np.arange(count, dtype=np.uint64) + np.uint64(first)
    common = np.zeros(count)
    if demand_sd is not None and math.sqrt(rho) != 0.0:
        common = math.sqrt(rho) * ref_normals(seed, ks, 0, 1)[0]
    index = np.ones(count)
    totals = np.empty((count, n_years), dtype=np.int64)
    for y in range(n_years):
        z_own, z_rate = ref_normals(seed, ks, y, 0)
        d = np.full(count, demand[y])
        if demand_sd is not None:
            own = (math.sqrt(1.0 - rho) * z_own if math.sqrt(1.0 - rho) != 0
                   else np.zeros(count))
            d = np.maximum(d + demand_sd[y] * (common + own), 0.0)
        rate = np.full(count, inflation[y])
        if inflation_sd is not None:
            rate = rate + inflation_sd[y] * z_rate
        index = index * (1.0 + rate)
        totals[:, y] = np.rint(d * float(unit) * index).astype(np.int64)
    shares = np.array([[largest_remainder(int(t), [int(w) for w in weights[y]])
                        for y, t in enumerate(row)] for row in totals],
                      dtype=np.int64)
    return totals, shares


# ---- the maths against exact values ----------------------------------------

def test_reference_philox_is_random123s():
    # Random123's kat_vectors, the reference checked before it checks C.
    got = philox([0x243f6a88], [0x85a308d3], [0x13198a2e], [0x03707344],
                 0xa4093822, 0x299f31d0)
    assert [int(w[0]) for w in got] == [0xd16cfe09, 0x94fdcceb, 0x5001e420,
                                        0x24126ea1]


def test_own_log_sin_cos_within_their_documented_bounds():
    rng = np.random.default_rng(20261207)
    u = np.concatenate([rng.random(200_000), 2.0 ** -rng.uniform(0, 54, 50_000),
                        [2.0**-54, 2.0**-53, 0.5, math.sqrt(0.5),
                         1 - 2.0**-53, 0.25, 0.75, 0.125]])
    exact_log = np.array([math.log(x) for x in u])
    rel = np.abs(ref_log(u) - exact_log) / np.abs(exact_log)
    assert rel.max() <= 2.0**-51
    exact_cos = np.array([math.cos(2 * math.pi * x) for x in u[:200_000]])
    exact_sin = np.array([math.sin(2 * math.pi * x) for x in u[:200_000]])
    cos, sin = ref_sincos_turn(u[:200_000])
    # math's own 2 pi x carries up to 1/2 ulp of 2 pi x: ~ 4e-16 absolute.
    assert np.abs(cos - exact_cos).max() <= 2.0**-50
    assert np.abs(sin - exact_sin).max() <= 2.0**-50
    # Exact quarter turns.
    c, s = ref_sincos_turn(np.array([0.0, 0.25, 0.5, 0.75]))
    assert c.tolist() == [1.0, 0.0, -1.0, 0.0]
    assert s.tolist() == [0.0, 1.0, 0.0, -1.0]


# ---- the C core against the reference --------------------------------------

@pytest.mark.parametrize("seed, first", [
    (0, 0), (2021, 2**32 - 100), (2**64 - 1, 2**64 - 300),
    (0x0123456789abcdef, 0xfedcba9876543210)])
def test_draws_are_the_references_bits(seed, first):
    ks = np.arange(200, dtype=np.uint64) + np.uint64(first)
    for year in (0, 1, 7):
        u0, u1 = uniforms(seed, ks, year, 0)
        z_cos, z_sin = ref_normals(seed, ks, year, 0)
        z_common = ref_normals(seed, ks, year, 1)[0]
        for i, k in enumerate(ks.tolist()):
            assert _core.scenario_uniform(seed, k, DEMAND, year, 0) == u0[i]
            assert _core.scenario_uniform(seed, k, INFLATION, year, 1) == u1[i]
            assert _core.scenario_normal(seed, k, DEMAND, year) == z_cos[i]
            assert _core.scenario_normal(seed, k, INFLATION, year) == z_sin[i]
            assert _core.scenario_normal(seed, k, DEMAND_COMMON, year) == \
                z_common[i]


def model_of(rho, n_auth=2):
    demand = np.array([1233.0, 1262.0, 1291.0, 1320.0, 1349.0])
    demand_sd = np.array([0.0, 40.0, 55.0, 68.0, 80.0])
    inflation = np.array([0.0, 0.035, 0.03, 0.025, 0.025])
    inflation_sd = np.full(5, 0.01)
    if n_auth == 2:
        weights = np.array([[4416, 5584], [1, 1], [5000, 5000], [0, 7],
                            [3, 1]], dtype=np.int64)
    else:
        weights = np.array([[4416, 5584, 17]] * 5, dtype=np.int64)
    return (demand, demand_sd, rho, 6_415_000, inflation, inflation_sd,
            weights)


@pytest.mark.parametrize("rho, n_auth, seed, first", [
    (0.6, 2, 1, 0), (0.0, 2, 7, 2**32 - 70), (1.0, 3, 2**63, 5),
    (0.8, 3, 20261123, 0)])
def test_simulate_is_the_references_pence(rho, n_auth, seed, first):
    model = model_of(rho, n_auth)
    count = 300
    want_totals, want_shares = ref_simulate(model, seed, first, count)
    totals = np.empty((count, 5), dtype=np.int64)
    shares = np.empty((count, 5, n_auth), dtype=np.int64)
    for threads in (1, 3):
        _core.cost_simulate(*model, seed, first, count, threads, totals,
                            shares)
        assert np.array_equal(totals, want_totals)
        assert np.array_equal(shares, want_shares)
