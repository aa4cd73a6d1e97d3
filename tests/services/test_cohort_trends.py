"""Cohort aggregates computed in SQL, against the hand-worked cohort of tests/trends_support."""

from datetime import date

import pytest

from app.trends import cohort
from app.trends.filters import build as build_filters
from tests import trends_support
from tests.conftest import FIXED_NOW

LADDER = [2, 6, 24, 48, 72]


@pytest.fixture
def data(snapshot):
    return trends_support.built(snapshot)


def filters(data, **query):
    return build_filters({"start": None, "end": None, "clinician": None, **query},
                         clinic=data.clinic, now=FIXED_NOW)


def test_mood_by_hours_since_infusion(data):
    rows = cohort.mood_by_hours(filters(data), LADDER)
    got = {(r["number"], r["hours"]): (r["mean_mood"], r["checkins"], r["patients"])
           for r in rows}
    assert got == {
        (1, 2): (4.33, 3, 3), (1, 6): (5.33, 3, 3), (1, 24): (6.0, 1, 1), (1, 48): (5.0, 1, 1),
        (2, 2): (6.0, 1, 1), (2, 24): (8.0, 1, 1),
    }


def test_mood_filtered_by_clinician_and_dates(data):
    by_a = cohort.mood_by_hours(filters(data, clinician=data.a.id), LADDER)
    assert {(r["number"], r["hours"]): r["mean_mood"] for r in by_a} == {
        (1, 2): 5.5, (1, 6): 6.0, (1, 24): 6.0, (2, 2): 6.0, (2, 24): 8.0}
    # Infusions that ended on 2 or 3 March (New York): P2's and P4's first.
    dated = cohort.mood_by_hours(filters(data, start=date(2026, 3, 2), end=date(2026, 3, 3)),
                                 LADDER)
    assert {(r["number"], r["hours"]): r["mean_mood"] for r in dated} == {
        (1, 2): 4.5, (1, 6): 5.5, (1, 48): 5.0}


def test_side_effect_incidence_and_median_duration(data):
    result = cohort.side_effects(filters(data))
    assert result["infusions_with_checkins"] == [{"number": 1, "infusions": 3, "patients": 3},
                                                 {"number": 2, "infusions": 1, "patients": 1}]
    got = {(r["number"], r["code"]): (r["episodes"], r["resolved"], r["incidence"],
                                      r["median_hours"], r["patients"], r["resolved_patients"])
           for r in result["rows"]}
    assert got == {
        # P1 gone by 24 h, P4 by 6 h, P2 never: median of 6 and 24.
        (1, "headache"): (3, 2, 1.0, 15.0, 3, 2),
        (1, "nausea"): (1, 1, 0.333, 6.0, 3, 1),
        (2, "headache"): (1, 1, 1.0, 24.0, 1, 1),
    }


def test_side_effect_median_of_an_odd_count(data):
    # Only clinician A's infusions: headache after infusion 1 lasted 24 h (P1) and 6 h (P4).
    rows = cohort.side_effects(filters(data, clinician=data.a.id))["rows"]
    assert {(r["number"], r["code"]): r["median_hours"] for r in rows} == {
        (1, "headache"): 15.0, (1, "nausea"): 6.0, (2, "headache"): 24.0}
    rows = cohort.side_effects(filters(data, clinician=data.b.id))["rows"]
    assert [(r["code"], r["episodes"], r["resolved"], r["median_hours"]) for r in rows] == [
        ("headache", 1, 0, None)]


def test_phq9_responders_and_remitters(data):
    assert cohort.phq9_outcomes(filters(data)) == {
        "series": 3, "patients": 3, "followed_patients": 2, "followed": 2,
        "responders": 1, "remitters": 1,
        "mean_baseline": 13.0, "mean_latest": 7.0}
    assert cohort.phq9_outcomes(filters(data, clinician=data.b.id)) == {
        "series": 1, "patients": 1, "followed_patients": 1, "followed": 1,
        "responders": 0, "remitters": 1,
        "mean_baseline": 6.0, "mean_latest": 4.0}


def test_adherence_by_infusion_number(data):
    assert cohort.adherence(filters(data)) == [
        {"number": 1, "prompted": 7, "answered": 5, "rate": 0.714, "patients": 3},
        {"number": 2, "prompted": 3, "answered": 2, "rate": 0.667, "patients": 1}]


def test_an_empty_scope_gives_empty_results(data):
    empty = filters(data, start=date(2027, 1, 1), end=date(2027, 1, 2))
    assert cohort.mood_by_hours(empty, LADDER) == []
    assert cohort.side_effects(empty) == {"infusions_with_checkins": [], "rows": []}
    assert cohort.adherence(empty) == []
    assert cohort.phq9_outcomes(empty)["series"] == 0


def test_without_dates_the_cohort_is_the_last_90_days(data):
    recent = cohort.mood_by_hours(filters(data), LADDER)
    assert recent  # every infusion of the hand-worked cohort ended within 90 days of now
    later = build_filters({"start": None, "end": None, "clinician": None},
                          clinic=data.clinic, now=FIXED_NOW + trends_support.timedelta(days=100))
    assert cohort.mood_by_hours(later, LADDER) == []
    everything = build_filters({"start": date(2020, 1, 1), "end": None, "clinician": None},
                               clinic=data.clinic,
                               now=FIXED_NOW + trends_support.timedelta(days=100))
    assert cohort.mood_by_hours(everything, LADDER) == recent
