"""The cost-scenario core through apportion._core: Philox draws, the cost
model's projection and Monte Carlo runs, and percentiles of pence against
numpy, with the glue's checks of every shape and value."""

import itertools
import math
import threading

import numpy as np
import pytest

from apportion import _core
from apportion.errors import InputError, MoneyOverflowError

DEMAND, INFLATION, DEMAND_COMMON = 0, 1, 2  # ap_scenario_variable


# ---- Philox and the draws ---------------------------------------------------

def test_philox_known_answers():
    # Random123's kat_vectors, philox4x32 with 10 rounds.
    assert _core.philox4x32((0, 0, 0, 0), (0, 0)) == (
        0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8)
    ones = 0xffffffff
    assert _core.philox4x32((ones,) * 4, (ones, ones)) == (
        0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd)
    assert _core.philox4x32(
        (0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344),
        (0xa4093822, 0x299f31d0)) == (
        0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1)
    # numpy integers are ints too.
    assert _core.philox4x32(tuple(np.uint32([0] * 4)), (0, np.int64(0)))[0] \
        == 0x6627e8d5


@pytest.mark.parametrize("counter, key, message", [
    ((0, 0, 0), (0, 0), "counter must be a tuple of 4 ints"),
    ((0, 0, 0, 0), (0,), "key must be a tuple of 2 ints"),
    ((0, 0, 2**32, 0), (0, 0),
     r"counter\[2\] must be an int in \[0, 2\*\*32\)"),
    ((0, 0, 0, 0), (0, -1), r"key\[1\] must be an int in \[0, 2\*\*32\)"),
])
def test_philox_bad_words(counter, key, message):
    with pytest.raises(ValueError, match=message):
        _core.philox4x32(counter, key)
    with pytest.raises(TypeError, match="must be an int"):
        _core.philox4x32((0, 0, 0, 1.0), (0, 0))


def test_uniform_and_normal_from_the_documented_coordinates():
    # Counter word 3 is the pair, variable >> 1: demand and inflation share
    # the uniforms of pair 0 (cosine and sine branches).
    seed, scenario, year = 2**64 - 5, 0x1234_5678_9abc_def0, 3
    words = _core.philox4x32(
        (scenario & 0xffffffff, scenario >> 32, year, INFLATION >> 1),
        (seed & 0xffffffff, seed >> 32))
    half0 = words[0] | words[1] << 32
    half1 = words[2] | words[3] << 32
    u0 = _core.scenario_uniform(seed, scenario, INFLATION, year, 0)
    u1 = _core.scenario_uniform(seed, scenario, INFLATION, year, 1)
    assert u0 == (half0 >> 11) * 2.0**-53
    assert u1 == (half1 >> 11) * 2.0**-53
    assert _core.scenario_uniform(seed, scenario, DEMAND, year, 0) == u0
    # apportion's own log, cos and sin (bit for bit in
    # test_scenario_reference.py) are within a few ulp of the library's.
    radius = math.sqrt(-2.0 * math.log(u0))
    z = _core.scenario_normal(seed, scenario, INFLATION, year)
    assert z == pytest.approx(radius * math.sin(2 * math.pi * u1), abs=1e-14)
    z = _core.scenario_normal(seed, scenario, DEMAND, year)
    assert z == pytest.approx(radius * math.cos(2 * math.pi * u1), abs=1e-14)


def test_uniforms_are_open_and_normals_standard():
    u = np.array([_core.scenario_uniform(9, k, DEMAND, k % 4, k & 1)
                  for k in range(20000)])
    assert ((u > 0) & (u < 1)).all()
    assert abs(u.mean() - 0.5) < 6 / math.sqrt(12 * u.size)
    z = np.array([_core.scenario_normal(9, k, DEMAND_COMMON, 0)
                  for k in range(20000)])
    assert abs(z.mean()) < 5 / math.sqrt(z.size)
    assert abs(z.var() - 1) < 5 * math.sqrt(2 / z.size)


@pytest.mark.parametrize("args, message", [
    ((-1, 0, 0, 0), r"seed must be an int in \[0, 2\*\*64\)"),
    ((2**64, 0, 0, 0), r"seed must be an int in \[0, 2\*\*64\)"),
    ((0, 2**64, 0, 0), r"scenario must be an int in \[0, 2\*\*64\)"),
    ((0, 0, -1, 0), r"variable must be an int in \[0, 2\*\*32\)"),
    ((0, 0, 0, 2**32), r"year must be an int in \[0, 2\*\*32\)"),
])
def test_draw_coordinates_checked(args, message):
    with pytest.raises(ValueError, match=message):
        _core.scenario_normal(*args)
    with pytest.raises(ValueError, match=message):
        _core.scenario_uniform(*args, 0)


def test_draw_which_and_types():
    with pytest.raises(ValueError, match=r"which must be an int in \{0, 1\}"):
        _core.scenario_uniform(0, 0, 0, 0, 2)
    with pytest.raises(TypeError, match="seed must be an int, not float"):
        _core.scenario_normal(1.0, 0, 0, 0)
    with pytest.raises(TypeError, match="scenario must be an int, not bool"):
        _core.scenario_normal(0, True, 0, 0)


# ---- the cost model ---------------------------------------------------------

def worked_model(**changes):
    """1,094 children at £1,000.00 a child in year 0's prices, 3.5% a year
    for two years then 2%, split NNC 44.16 : WNC 55.84."""
    model = dict(
        demand=np.array([1094, 1094, 1130, 1187], dtype=np.float64),
        demand_sd=None,
        correlation=0.0,
        unit_cost_pence=100_000,
        inflation=np.array([0.0, 0.035, 0.035, 0.02]),
        inflation_sd=None,
        weights=np.array([[4416, 5584]] * 4, dtype=np.int64),
    )
    model.update(changes)
    return model


def args_of(model):
    return (model["demand"], model["demand_sd"], model["correlation"],
            model["unit_cost_pence"], model["inflation"],
            model["inflation_sd"], model["weights"])


def sizes(model):
    """(n_years, n_authorities) as the outputs need them, also for the
    malformed models the shape tests pass."""
    return len(model["demand"]), model["weights"].shape[-1]


def project(model):
    n_years, n_auth = sizes(model)
    totals = np.empty(n_years, dtype=np.int64)
    shares = np.empty((n_years, n_auth), dtype=np.int64)
    _core.cost_project(*args_of(model), totals, shares)
    return totals, shares


def simulate(model, seed, first, count, threads=1, totals=True, shares=True):
    n_years, n_auth = sizes(model)
    t = np.empty((count, n_years), dtype=np.int64) if totals else None
    s = np.empty((count, n_years, n_auth), dtype=np.int64) if shares else None
    _core.cost_simulate(*args_of(model), seed, first, count, threads, t, s)
    return t, s


def test_project_worked_example():
    totals, shares = project(worked_model())
    # £1,094,000.00; x 1.035 = £1,132,290.00; 1,130 x 1.071225 =
    # £1,210,484.25; 1,187 x 1.0926495 = 129,697,495.65p -> .96.
    assert totals.tolist() == [109_400_000, 113_229_000, 121_048_425,
                               129_697_496]
    # NNC's exact shares 48,311,040; 50,001,926.4; 53,454,984.48;
    # 57,274,414.2336: WNC has the larger remainder each time.
    assert shares.tolist() == [[48_311_040, 61_088_960],
                               [50_001_926, 63_227_074],
                               [53_454_984, 67_593_441],
                               [57_274_414, 72_423_082]]
    assert (shares.sum(axis=1) == totals).all()


def busy_model():
    return worked_model(
        demand_sd=np.array([60.0, 90.0, 140.0, 180.0]),
        correlation=0.4,
        inflation_sd=np.array([0.0, 0.01, 0.015, 0.02]),
        weights=np.array([[4416, 5584, 0], [79186, 92050, 3],
                          [80112, 93502, 1], [1, 1, 1]], dtype=np.int64))


def test_simulate_same_for_any_threads_and_any_split():
    model = busy_model()
    seed, first, n = 2021_22, 2**32 - 700, 5000  # scenario numbers cross 2^32
    totals, shares = simulate(model, seed, first, n, threads=1)
    for threads in (2, 4, 0):
        t, s = simulate(model, seed, first, n, threads=threads)
        assert np.array_equal(t, totals) and np.array_equal(s, shares)
    cuts = [0, 1, 699, 700, 2500, n]
    pieces = [simulate(model, seed, first + a, b - a, threads=1 + i % 3)
              for i, (a, b) in enumerate(itertools.pairwise(cuts))]
    assert np.array_equal(np.concatenate([p[0] for p in pieces]), totals)
    assert np.array_equal(np.concatenate([p[1] for p in pieces]), shares)
    # Only totals, only shares.
    t, none = simulate(model, seed, first, n, threads=2, shares=False)
    assert none is None and np.array_equal(t, totals)
    none, s = simulate(model, seed, first, n, threads=2, totals=False)
    assert none is None and np.array_equal(s, shares)
    # Every scenario and year keeps every penny.
    assert (shares.sum(axis=2) == totals).all()
    assert (totals >= 0).all()
    assert (shares[:, 0, 2] == 0).all()  # weight 0 pays nothing
    # A different seed is a different run.
    assert not np.array_equal(simulate(model, seed + 1, first, n)[0], totals)


def test_simulate_with_zero_sd_is_the_projection():
    zeros = np.zeros(4)
    expected_totals, expected_shares = project(worked_model())
    for sd in (None, zeros):
        for rho in (0.0, 0.5, 1.0):
            model = worked_model(demand_sd=sd, inflation_sd=sd,
                                 correlation=rho)
            t, s = simulate(model, 7, 0, 300, threads=2)
            assert (t == expected_totals).all()
            assert (s == expected_shares).all()


def test_simulate_statistics():
    # Demand 1,000 a year with sd 100 and no inflation: totals average
    # 1,000 x £1,000.00 with sd 100 x £1,000.00.
    model = worked_model(demand=np.full(4, 1000.0),
                         demand_sd=np.full(4, 100.0),
                         inflation=np.zeros(4), correlation=0.5)
    t, _ = simulate(model, 3, 0, 40_000, threads=0, shares=False)
    mean = t.mean(axis=0) / 100_000
    assert (abs(mean - 1000) < 5 * 100 / math.sqrt(t.shape[0])).all()
    assert (abs(t.std(axis=0) / 100_000 - 100) < 2).all()
    # The years share half their variance: correlation rho = 0.5.
    r = np.corrcoef(t[:, 0], t[:, 3])[0, 1]
    assert abs(r - 0.5) < 0.03


def test_overflow_names_year_and_lowest_scenario():
    model = worked_model(demand=np.array([1e9, 1e9]),
                         unit_cost_pence=9_000_000_000,
                         inflation=np.array([0.0, 0.05]),
                         weights=np.array([[1, 1], [1, 1]], dtype=np.int64))
    with pytest.raises(MoneyOverflowError, match="year 1: the cost"):
        project(model)
    model["inflation"] = np.zeros(2)
    model["inflation_sd"] = np.full(2, 0.006)
    lowest = next(k for k in range(1000, 3000)
                  if _fails(model, 99, k))
    for threads in (1, 2, 3, 4):
        with pytest.raises(MoneyOverflowError,
                           match=f"scenario {lowest}, year "):
            simulate(model, 99, 1000, 1400, threads=threads)


def _fails(model, seed, k):
    try:
        simulate(model, seed, k, 1)
    except MoneyOverflowError:
        return True
    return False


@pytest.mark.parametrize("change, message", [
    (dict(demand=np.array([10.0, -1.0, 1.0, 1.0])),
     r"demand\[1\] \(year 1\) is -1"),
    (dict(demand_sd=np.array([1.0, 1.0, np.nan, 1.0])),
     r"demand_sd\[2\] \(year 2\) is nan"),
    (dict(correlation=1.5), "demand_correlation is 1.5"),
    (dict(unit_cost_pence=-5), "unit_cost_pence is -5"),
    (dict(inflation=np.array([0.0, -1.0, 0.0, 0.0])),
     r"inflation\[1\] \(year 1\) is -1"),
    (dict(inflation_sd=np.array([0.0, 0.0, 0.0, -0.1])),
     r"inflation_sd\[3\] \(year 3\)"),
    (dict(weights=np.array([[1, 1], [1, -1], [1, 1], [1, 1]])),
     r"weights\[1\]\[1\] \(year 1, authority 1\) is -1"),
    (dict(weights=np.array([[1, 1], [1, 1], [0, 0], [1, 1]])),
     "every weight of year 2 is 0"),
])
def test_bad_values_name_field_and_year(change, message):
    model = worked_model(**change)
    with pytest.raises(InputError, match=message):
        project(model)
    with pytest.raises(InputError, match=message):
        simulate(model, 1, 0, 10)


@pytest.mark.parametrize("change, error, message", [
    (dict(demand=np.ones((2, 2))), ValueError, "demand must be 1-D"),
    (dict(demand=np.ones(0)), ValueError, "demand holds no years"),
    (dict(inflation=np.zeros(3)), ValueError,
     "inflation holds 3 values; expected 4, one a year as demand"),
    (dict(demand_sd=np.zeros(5)), ValueError, "demand_sd holds 5 values"),
    (dict(inflation_sd=np.zeros(4, dtype=np.float32)), TypeError,
     "inflation_sd must hold float64"),
    (dict(weights=np.ones(8, dtype=np.int64)), ValueError,
     r"weights must be 2-D \(n_years x n_authorities\), not 1-D"),
    (dict(weights=np.ones((3, 2), dtype=np.int64)), ValueError,
     r"weights is 3 x 2; expected 4 rows"),
    (dict(weights=np.ones((4, 2))), TypeError, "weights must hold int64"),
    (dict(unit_cost_pence=1000.0), TypeError,
     "unit_cost_pence must be an int"),
])
def test_bad_shapes_name_the_argument(change, error, message):
    model = worked_model(**change)
    with pytest.raises(error, match=message):
        project(model)
    with pytest.raises(error, match=message):
        simulate(model, 1, 0, 10)


def test_bad_outputs_and_run_arguments():
    model = worked_model()
    args = args_of(model)
    with pytest.raises(ValueError,
                       match="totals holds 3 values; expected n_years = 4"):
        _core.cost_project(*args, np.empty(3, np.int64),
                           np.empty(8, np.int64))
    with pytest.raises(ValueError, match="shares holds 4 values; expected "
                       "n_years x n_authorities = 8"):
        _core.cost_project(*args, np.empty(4, np.int64),
                           np.empty(4, np.int64))
    with pytest.raises(TypeError, match="totals must hold int64"):
        _core.cost_project(*args, np.empty(4), np.empty(8, np.int64))
    readonly = np.empty(4, np.int64)
    readonly.flags.writeable = False
    with pytest.raises((BufferError, ValueError)):
        _core.cost_project(*args, readonly, np.empty(8, np.int64))
    with pytest.raises(ValueError, match="totals holds 40 values; expected "
                       "count x n_years = 44"):
        _core.cost_simulate(*args, 1, 0, 11, 1, np.empty(40, np.int64), None)
    with pytest.raises(ValueError, match="shares holds 80 values; expected "
                       "count x n_years x n_authorities = 88"):
        _core.cost_simulate(*args, 1, 0, 11, 1, None, np.empty(80, np.int64))
    with pytest.raises(ValueError, match="count must not be negative"):
        _core.cost_simulate(*args, 1, 0, -1, 1, None, None)
    with pytest.raises(ValueError, match=r"first must be an int in \[0, 2"):
        _core.cost_simulate(*args, 1, -3, 1, 1, None, None)
    with pytest.raises(InputError, match="threads is -1"):
        _core.cost_simulate(*args, 1, 0, 1, -1, None, None)
    with pytest.raises(InputError, match="2\\^64"):
        _core.cost_simulate(*args, 1, 2**64 - 2, 3, 1, None, None)
    _core.cost_simulate(*args, 1, 2**64 - 3, 3, 1, None, None)
    _core.cost_simulate(*args, 1, 0, 0, 1, np.empty(0, np.int64), None)


def test_simulate_releases_the_gil():
    # While a long run is in C, another Python thread keeps running.
    model = busy_model()
    ticks = []
    done = threading.Event()

    def tick():
        while not done.is_set():
            ticks.append(1)
            done.wait(0.001)

    ticker = threading.Thread(target=tick)
    ticker.start()
    try:
        before = len(ticks)
        simulate(model, 1, 0, 200_000, threads=1)
        during = len(ticks) - before
    finally:
        done.set()
        ticker.join()
    assert during > 3


# ---- percentiles ----------------------------------------------------------

def numpy_reference(values, q):
    """numpy's linear percentile by column, rounded half to even."""
    return np.round(np.percentile(values, q, axis=0,
                                  method="linear")).astype(np.int64)


def percentiles(values, q):
    q = np.asarray(q, dtype=np.float64)
    out = np.empty((q.shape[0], values.shape[1]), dtype=np.int64)
    _core.percentiles_i64(np.ascontiguousarray(values), q, out)
    return out


@pytest.mark.parametrize("seed", range(8))
def test_percentiles_match_numpy(seed):
    rng = np.random.default_rng(seed)
    rows = int(rng.integers(1, 3000))
    # Up to 22 columns: percentiles copies them out 8 at a time.
    columns = int(rng.integers(1, 7)) + seed % 3 * 8
    bound = 2**int(rng.integers(3, 50))
    values = rng.integers(-bound, bound, size=(rows, columns),
                          dtype=np.int64)
    if seed % 2:
        values[:, 0] = rng.integers(0, 4, size=rows) * 1000  # many ties
    q = np.concatenate([[0, 5, 50, 95, 100, 2.5, 97.5, 33.3],
                        rng.uniform(0, 100, size=int(rng.integers(1, 90)))])
    assert np.array_equal(percentiles(values, q), numpy_reference(values, q))
    # A few percentiles take the selection path, hundreds the sort.
    assert np.array_equal(percentiles(values, q[:5]),
                          numpy_reference(values, q[:5]))
    many = np.concatenate([q, np.linspace(0, 100, 301)])
    assert np.array_equal(percentiles(values, many),
                          numpy_reference(values, many))


def test_percentiles_of_a_run_do_not_depend_on_the_split():
    model = busy_model()
    totals, _ = simulate(model, 11, 0, 4000, threads=2, shares=False)
    whole = percentiles(totals, [5, 50, 95])
    assert np.array_equal(whole, numpy_reference(totals, [5, 50, 95]))
    joined = np.concatenate([simulate(model, 11, a, b - a, shares=False)[0]
                             for a, b in [(0, 1234), (1234, 4000)]])
    assert np.array_equal(percentiles(joined, [5, 50, 95]), whole)


def test_percentiles_hand_example_and_half_even():
    values = np.array([[30, 4], [10, 1], [40, 3], [20, 2]], dtype=np.int64)
    out = percentiles(values, [0, 25, 50, 62.5, 100])
    # Column 0: 10, 17.5 -> 18, 25, 28.75 -> 29, 40;
    # column 1: 1, 1.75 -> 2, 2.5 -> 2, 2.875 -> 3, 4.
    assert out.tolist() == [[10, 1], [18, 2], [25, 2], [29, 3], [40, 4]]


def test_percentiles_exact_beyond_numpy_doubles():
    big = 2**60
    values = np.array([[big + 3], [big]], dtype=np.int64)
    assert percentiles(values, [50, 25, 75])[:, 0].tolist() == [
        big + 2, big + 1, big + 2]


def test_percentiles_errors():
    values = np.zeros((3, 2), dtype=np.int64)
    with pytest.raises(InputError, match=r"q\[1\] is 101"):
        percentiles(values, [50, 101])
    with pytest.raises(InputError, match=r"q\[0\] is nan"):
        percentiles(values, [np.nan])
    with pytest.raises(InputError, match="no rows"):
        percentiles(np.zeros((0, 2), dtype=np.int64), [50])
    with pytest.raises(ValueError, match=r"values must be 2-D"):
        _core.percentiles_i64(np.zeros(3, np.int64), np.array([50.0]),
                              np.empty(1, np.int64))
    with pytest.raises(ValueError, match=r"q must be 1-D"):
        _core.percentiles_i64(values, np.array([[50.0]]),
                              np.empty(2, np.int64))
    with pytest.raises(ValueError, match=r"out holds 3 values; expected "
                       r"len\(q\) x columns = 4"):
        _core.percentiles_i64(values, np.array([5.0, 95.0]),
                              np.empty(3, np.int64))
    with pytest.raises(TypeError, match="values must hold int64"):
        _core.percentiles_i64(values.astype(np.float64), np.array([5.0]),
                              np.empty(2, np.int64))
    with pytest.raises((BufferError, ValueError)):
        _core.percentiles_i64(np.zeros((4, 4), np.int64)[:, ::2],
                              np.array([5.0]), np.empty(2, np.int64))
