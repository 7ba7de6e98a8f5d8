"""The array kernels release the GIL; results must not depend on threads."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np

import apportion


def test_threads_give_the_same_answer():
    rng = np.random.default_rng(7)
    chunks = [rng.integers(-10**12, 10**12, size=50_000) for _ in range(8)]
    expected = [apportion.apportion_array(c, ["44.16", "55.84"]) for c in chunks]
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda c: apportion.apportion_array(c, ["44.16", "55.84"]),
                            chunks))
    for chunk, e, g in zip(chunks, expected, got):
        assert np.array_equal(e, g)
        assert np.array_equal(g.sum(axis=1), chunk)


def test_large_array_conserves_pennies():
    rng = np.random.default_rng(11)
    totals = rng.integers(-(2**62), 2**62, size=300_000)  # above the threading threshold
    out = apportion.apportion_array(totals, ["46.43", "53.57"])
    assert np.array_equal(out.sum(axis=1), totals)
    # Spot-check against the scalar path, which uses a different kernel.
    for i in rng.integers(0, totals.size, size=200):
        assert out[i].tolist() == apportion.apportion(int(totals[i]), ["46.43", "53.57"])


def test_plugin_measures_from_many_threads():
    """The registry and its measures, C and Python (through a libffi
    closure that takes the GIL back on its calling thread), used from
    several threads at once give what they give on one."""
    area = apportion.service_area("IASS")
    rng = np.random.default_rng(5)
    n = 20_000
    received = np.datetime64("2021-04-01") + rng.integers(0, 360, n)
    responded = received + rng.integers(0, 9, n)
    records = {"received": received.astype("datetime64[D]"),
               "responded": responded.astype("datetime64[D]")}
    keys = rng.integers(0, 5, n)
    cal = apportion.Calendar()

    def python_within(recs, ctx):
        r = recs["received"].view("datetime64[D]")
        s = recs["responded"].view("datetime64[D]")
        elapsed = ctx.calendar.elapsed_working_days(r, s)
        return (np.asarray(elapsed) <= 3).astype(np.int64), np.ones(len(r), np.int64)

    area.register_measure("threads_python_within", python_within,
                          ["received", "responded"])
    names = ["responded_within_3_working_days", "threads_python_within"] * 4
    serial = area.measure(names[0], records, by=keys, calendar=cal)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(
            lambda name: area.measure(name, records, by=keys, calendar=cal), names))
    for got in results:
        assert got[["numerator", "denominator"]].equals(
            serial[["numerator", "denominator"]])
