"""apportion_array(..., out=): the shares written into a caller's array,
checked before anything is written."""

from __future__ import annotations

import numpy as np
import pytest

import apportion
from apportion import InputError

W = ["44.16", "55.84"]


def test_out_is_filled_and_returned_with_the_same_shares():
    rng = np.random.default_rng(7)
    # Past the size at which the kernel splits the work between threads
    # and streams its blocks out, and a small array, in every mode.
    for n in (5, 300_001):
        totals = rng.integers(-10**12, 10**12, size=n, dtype=np.int64)
        for mode in ("largest_remainder", "first_come", "largest_ratio"):
            expected = apportion.apportion_array(totals, W, mode)
            out = np.full((n, 2), -99, dtype=np.int64)
            got = apportion.apportion_array(totals, W, mode, out=out)
            assert got is out
            assert np.array_equal(out, expected)
            assert (out.sum(axis=1) == totals).all()


def test_out_is_reused_and_takes_more_parties_and_other_inputs():
    out = np.empty((3, 3), dtype=np.int64)
    apportion.apportion_array([10, -10, 0], [1, 1, 1], out=out)
    assert out.tolist() == [[4, 3, 3], [-4, -3, -3], [0, 0, 0]]
    # A list, an int32 array: converted first, so never the same memory.
    apportion.apportion_array(np.array([7, 8, 9], dtype=np.int32), [1, 1, 1], out=out)
    assert out.tolist() == [[3, 2, 2], [3, 3, 2], [3, 3, 3]]
    empty = np.empty((0, 2), dtype=np.int64)
    assert apportion.apportion_array(np.array([], dtype=np.int64), [1, 1], out=empty) is empty
    # A row slice of a bigger C-contiguous array is contiguous itself.
    big = np.zeros((4, 2), dtype=np.int64)
    apportion.apportion_array([5, 6], [1, 1], out=big[1:3])
    assert big.tolist() == [[0, 0], [3, 2], [3, 3], [0, 0]]


@pytest.mark.parametrize("make, message", [
    (lambda: np.full((3, 2), 3, dtype=np.int32), "int64 .pence., not of int32"),
    (lambda: np.full((3, 2), 3.0), "int64 .pence., not of float64"),
    (lambda: np.full((3, 3), 3, dtype=np.int64), r"shape \(3, 2\).*not \(3, 3\)"),
    (lambda: np.full((2, 2), 3, dtype=np.int64), r"shape \(3, 2\).*not \(2, 2\)"),
    (lambda: np.full(6, 3, dtype=np.int64), r"shape \(3, 2\).*not \(6,\)"),
    (lambda: np.full((2, 3), 3, dtype=np.int64).T, "C-contiguous"),
    (lambda: np.full((3, 4), 3, dtype=np.int64)[:, ::2], "C-contiguous"),
])
def test_an_out_that_does_not_fit_says_what_is_wrong(make, message):
    out = make()
    with pytest.raises(InputError, match=message):
        apportion.apportion_array(np.array([1, 2, 3]), W, out=out)
    assert (out == 3).all()  # nothing written


def test_a_read_only_out_is_refused():
    out = np.zeros((2, 2), dtype=np.int64)
    out.flags.writeable = False
    with pytest.raises(InputError, match="writable"):
        apportion.apportion_array([1, 2], W, out=out)
    assert not out.any()


def test_an_out_that_is_not_an_array_is_a_type_error():
    with pytest.raises(TypeError, match="numpy array of int64, not list"):
        apportion.apportion_array([1, 2], W, out=[[0, 0], [0, 0]])  # type: ignore[arg-type]


def test_an_out_sharing_memory_with_the_totals_is_refused():
    buf = np.arange(8, dtype=np.int64)
    totals = buf[:4]
    # The shares of the first totals would land on totals not yet read.
    with pytest.raises(InputError, match="share memory with totals"):
        apportion.apportion_array(totals, W, out=buf.reshape(4, 2))
    assert buf.tolist() == list(range(8))
    # Overlapping at one end only is overlapping too.
    buf = np.arange(12, dtype=np.int64)
    with pytest.raises(InputError, match="share memory"):
        apportion.apportion_array(buf[:4], W, out=buf[3:11].reshape(4, 2))
    assert buf.tolist() == list(range(12))
    # Next to each other in one buffer, not overlapping: fine.
    buf = np.zeros(12, dtype=np.int64)
    buf[:4] = [10, 20, 30, 40]
    apportion.apportion_array(buf[:4], [1, 1], out=buf[4:].reshape(4, 2))
    assert buf[4:].tolist() == [5, 5, 10, 10, 15, 15, 20, 20]
