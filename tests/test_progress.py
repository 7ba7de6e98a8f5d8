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


def test_simulate_in_pieces_under_a_bar_gives_the_same_run(
        capsys: pytest.CaptureFixture[str]) -> None:
    import pandas as pd

    from apportion import CostScenario, forecast
    cla = pd.Series([834, 936, 993, 1004, 1092, 1123, 1157, 1144, 1182, 1233],
                    index=range(2014, 2024))
    f = forecast.linear_trend(cla, predict_at=[2024, 2025, 2026])
    s = CostScenario(f, "£64,150", {"NNC": "44.16", "WNC": "55.84"},
                     inflation=0.035, inflation_sd=0.01, demand_correlation=0.8)
    quiet = s.simulate(400_000, seed=5, start=3, progress=False)
    assert capsys.readouterr().err == ""
    shown = s.simulate(400_000, seed=5, start=3, progress=True)
    assert "scenarios" in capsys.readouterr().err
    assert shown.identical(quiet)


def test_a_large_ledger_read_under_a_bar_is_the_same_ledger(
        tmp_path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from apportion import ledger as ledger_module
    from apportion.ledger import Ledger
    monkeypatch.setattr(ledger_module, "_BAR_BYTES", 1)  # any file counts as large
    rows = ["centre,period,amount"] + [f"C{i % 7},Q{i % 4 + 1},{i}.{i % 100:02d}"
                                      for i in range(1_200_003)]
    path = tmp_path / "big.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    kw = dict(centre="centre", period="period", amount="amount",
              financial_year="2021-22")
    quiet = Ledger.read_csv(path, progress=False, **kw)
    assert capsys.readouterr().err == ""
    shown = Ledger.read_csv(path, progress=True, **kw)
    assert "reading big.csv" in capsys.readouterr().err
    assert shown.total == quiet.total and len(shown) == len(quiet) == 1_200_003
    assert shown.totals_frame().equals(quiet.totals_frame())


def test_the_pack_shows_its_steps(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    from pathlib import Path

    from apportion.report import Pack
    plan = Path(__file__).resolve().parent.parent / "examples" / "iass-2021-22.json"
    steps: list[tuple[str, int, int]] = []
    Pack([plan], progress=lambda *step: steps.append(step)).write(
        tmp_path / "a", formats=["html"])
    assert steps == [("view", 1, 1), ("html", 1, 1)]
    assert capsys.readouterr().err == ""     # a callback, not a bar
    Pack([plan], progress=True).write(tmp_path / "b", formats=["html"])
    assert "committee pack" in capsys.readouterr().err
    assert (tmp_path / "a" / "pack.html").read_bytes() != b""


def test_records_read_under_a_bar_are_the_same_records(
        tmp_path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from apportion import _records
    rows = ["received,responded"] + [f"2021-04-{1 + i % 28:02d},"
                                     for i in range(250_001)]
    path = tmp_path / "records.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    quiet = _records.read_records(path)
    monkeypatch.setattr(_records, "_BAR_CHARS", 1)
    progress.enable(True)
    shown = _records.read_records(path)
    assert "reading records.csv" in capsys.readouterr().err
    assert shown.text("received").equals(quiet.text("received"))
    assert shown.where(250_000) == quiet.where(250_000)
