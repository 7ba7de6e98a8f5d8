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
