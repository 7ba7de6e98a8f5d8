"""`python -m apportion service`: a plugin's service area from a shell, on
the examples `make demo` runs."""

from pathlib import Path

import pytest

from apportion.__main__ import main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_iass_scores_iass2_and_invoices(capsys):
    status, out, _ = run(capsys, "service", "IASS", "--records",
                         str(EXAMPLES / "iass-referrals-2021-22.csv"), "--by",
                         "authority", "--as-of", "2022-03-31", "--recharge",
                         "£211,654")
    assert status == 0
    assert "iass.so" in out and "calculators: notice_end, population_share" in out
    # WNC's third quarter is out of tolerance: a Performance Failure.
    line = next(ln for ln in out.splitlines() if "WNC" in ln and "Q3" in ln)
    assert "78.4% (152/194)" in line and "red" in line
    assert "performance failure" in line
    assert ("£52,914.00, £52,914.00, £52,914.00, £52,912.00 "
            "(sum £211,654.00)") in out


def test_iass_balancing_payment_from_the_actual_share(capsys):
    status, out, _ = run(capsys, "service", "IASS", "--recharge", "£211,654",
                         "--actual", "£200,000")
    assert status == 0
    # Nothing billed yet: four instalments that sum to the actual share.
    assert "(sum £200,000.00)" in out


def test_transformation_table_as_printed_has_errors(capsys):
    data = str(EXAMPLES / "transformation-2024-25.json")
    status, out, _ = run(capsys, "service", "TRANSFORMATION", "--check", data)
    assert status == 0
    assert "error [block3.total]" in out and "£0.203m more" in out
    assert "error [block3.balance_outstanding]" in out
    status, _, _ = run(capsys, "service", "TRANSFORMATION", "--check", data,
                       "--strict")
    assert status == 1


def test_nct_outturn_is_within_rounding(capsys):
    status, out, _ = run(capsys, "service", "NCT", "--check",
                         str(EXAMPLES / "nct-outturn-2021-22.json"), "--section",
                         "outturn_by_service_area", "--strict")
    assert status == 0
    assert "within the rounding of the printed figures" in out
    assert "error" not in out.split("Checks of")[1].split("Figures in")[0]
    assert "| **Total** | **0** | **3,701** | **(2,631)** | **1,070** |" in out


def test_unknown_area_is_a_clear_error(capsys):
    status, _, err = run(capsys, "service", "NOPE")
    assert status == 2
    assert "no service area 'NOPE' is loaded" in err and "IASS" in err


def test_records_without_a_measured_kpi(capsys, tmp_path):
    csv = tmp_path / "r.csv"
    csv.write_text("a,b\n1,2\n")
    status, _, err = run(capsys, "service", "TRANSFORMATION", "--records",
                         str(csv))
    assert status == 2
    assert "no KPI of TRANSFORMATION has a measure" in err


@pytest.mark.parametrize("argv", [["plugin", "list"]])
def test_plugin_subcommand_is_routed(capsys, argv):
    status, out, _ = run(capsys, *argv)
    assert status == 0
    assert "transformation" in out
