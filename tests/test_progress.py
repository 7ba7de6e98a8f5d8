"""apportion.progress: when a bar shows, and that showing one changes
nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from apportion import progress


@pytest.fixture(autouse=True)
def _reset(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("APPORTION_PROGRESS", raising=False)
    progress.enable(None)
    yield
    progress.enable(None)


def test_off_when_nobody_watches(monkeypatch: pytest.MonkeyPatch) -> None:
    # pytest captures stdout: not a terminal, not a kernel.
    assert progress.enabled() is False
    monkeypatch.setenv("APPORTION_PROGRESS", "1")
    assert progress.enabled() is True
    progress.enable(False)                 # the process's setting wins
    assert progress.enabled() is False
    assert progress.enabled(True) is True  # and one call's wins over both


def test_environment_values_other_than_0_and_1_are_ignored(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APPORTION_PROGRESS", "yes")
    assert progress.enabled() is False


def test_enable_takes_only_a_bool_or_none() -> None:
    with pytest.raises(TypeError, match="True, False or None"):
        progress.enable(1)  # type: ignore[arg-type]


def test_bar_draws_on_stderr_when_on(capsys: pytest.CaptureFixture[str]) -> None:
    with progress.bar(1000, "scenarios", unit="scenario", progress=True) as tick:
        for _ in range(4):
            tick(250)
    err = capsys.readouterr().err
    assert "scenarios" in err and "0/1000" in err


def test_bar_off_is_silent(capsys: pytest.CaptureFixture[str]) -> None:
    with progress.bar(10, "rows", progress=False) as tick:
        tick(10)
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize("total,at_least,count", [
    (0, 1, 10), (1, 1, 10), (10, 1, 3), (1_000_003, 1000, 100), (999, 1000, 100)])
def test_pieces_cover_the_range_once(total: int, at_least: int, count: int) -> None:
    got = progress.pieces(total, at_least=at_least, count=count)
    covered = [i for a, b in got for i in range(a, b)]
    assert covered == list(range(total))
    assert all(b - a >= min(at_least, total) for a, b in got[:-1])
    assert len(got) <= max(1, count)
