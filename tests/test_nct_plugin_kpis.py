"""The NCT plugin's KPIs are the ones the SDC annual report 2021/22 names,
each saying what the report says of it, and every target, tolerance and
band (none of which the report prints) is labelled an assumption."""

import pytest

import apportion

# What the report (sections 2.1, 2.2 and 15) says of each KPI in 2021/22:
# a phrase each description must carry.
REPORTED = {
    "NCT-REF-DECISION": "above target 11 months of 12",
    "NCT-ASSESS-45WD": "never below 97%",
    "NCT-CIC-LONG-TERM-STABILITY": "improved through 2021/22 and finished "
                                   "above target",
    "NCT-CARE-LEAVERS-ACCOMMODATION": "above target and the national average",
    "NCT-CARE-LEAVERS-EET": "above target and the national average",
    "NCT-SW-VACANCIES": "better than target and at the national average",
    "NCT-SW-AGENCY": "hovered around target",
    "NCT-ADOPTION-A10": "improved in quarters 3 and 4",
    "NCT-ADOPTION-A2": "improved in quarters 3 and 4",
    "NCT-CPP-REPEAT": "fluctuated",
    "NCT-COMPLAINTS-10WD": "below target on 4 occasions",
    "NCT-COMPLAINTS-STAGE2": "propose removing it",
    "NCT-CIC-3PLACEMENTS": "declined gradually",
    "NCT-REREFERRAL-12M": "above target but within tolerance",
    "NCT-SW-CASELOADS": "just above target",
    "NCT-PLACED-20-MILES": "questions the KPI's benefit",
}


@pytest.fixture(scope="module")
def kpis():
    return apportion.service_area("NCT").kpis


def test_the_kpis_are_the_ones_the_report_names(kpis):
    assert sorted(kpis) == sorted(REPORTED)


@pytest.mark.parametrize("ref", sorted(REPORTED))
def test_each_says_what_the_report_says_and_labels_its_assumptions(kpis, ref):
    text = kpis[ref].description
    assert REPORTED[ref] in text
    assert kpis[ref].target is not None
    assert "assumption" in text and "illustrative" not in text
