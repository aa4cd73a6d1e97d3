"""Pure schema tests: the check-in payload and the clinician's infusion form (no app, no DB)."""

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from marshmallow import ValidationError

from app.checkins import catalog
from app.checkins.schemas import CheckinIn
from app.infusions.schemas import Infusion
from app.schema_words import MISSING

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
NEW_YORK = ZoneInfo("America/New_York")


def checkin_schema() -> CheckinIn:
    return CheckinIn(now=NOW, max_skew=timedelta(minutes=5), max_age=timedelta(days=7))


def checkin_body(**overrides) -> dict:
    body = {"client_id": str(uuid.uuid4()), "taken_at": NOW.isoformat(), "mood": 5}
    body.update(overrides)
    return body


def checkin_errors(**overrides) -> dict:
    with pytest.raises(ValidationError) as caught:
        checkin_schema().load(checkin_body(**overrides))
    return caught.value.messages


# --- CheckinIn: accepted values ---------------------------------------------------------------

@pytest.mark.parametrize("mood", [0, 10])
def test_mood_bounds_are_accepted(mood):
    assert checkin_schema().load(checkin_body(mood=mood))["mood"] == mood


@pytest.mark.parametrize("offset", [
    pytest.param(timedelta(minutes=5), id="exactly-5-min-ahead"),
    pytest.param(timedelta(0), id="now"),
    pytest.param(-timedelta(days=7), id="exactly-7-days-old"),
])
def test_taken_at_within_limits_is_accepted(offset):
    loaded = checkin_schema().load(checkin_body(taken_at=(NOW + offset).isoformat()))
    assert loaded["taken_at"] == NOW + offset


def test_taken_at_with_other_offset_is_the_same_instant():
    loaded = checkin_schema().load(checkin_body(taken_at="2026-03-10T11:00:00-04:00"))
    assert loaded["taken_at"] == NOW


@pytest.mark.parametrize("severity", [catalog.SEVERITY_MIN, catalog.SEVERITY_MAX])
def test_severity_bounds_are_accepted(severity):
    loaded = checkin_schema().load(checkin_body(
        symptoms=[{"code": "headache", "severity": severity}]))
    assert loaded["symptoms"] == [{"code": "headache", "severity": severity, "detail": ""}]


def test_defaults_for_optional_fields():
    loaded = checkin_schema().load(checkin_body())
    assert loaded["symptoms"] == []
    assert loaded["note"] == ""
    assert loaded["home_safely"] is None
    assert isinstance(loaded["client_id"], uuid.UUID)


@pytest.mark.parametrize("home_safely", [True, False, None])
def test_home_safely_is_bool_or_null(home_safely):
    assert checkin_schema().load(checkin_body(home_safely=home_safely))["home_safely"] is (
        home_safely)


def test_every_catalog_code_once_is_accepted():
    symptoms = [{"code": s.code, "severity": 1} for s in catalog.SYMPTOMS]
    symptoms[-1]["detail"] = "jaw ache"  # "other" is last and needs a description
    loaded = checkin_schema().load(checkin_body(symptoms=symptoms))
    assert {s["code"] for s in loaded["symptoms"]} == catalog.SYMPTOM_CODES


@pytest.mark.parametrize("symptom", [
    pytest.param({"code": "other", "severity": 2, "detail": "jaw ache"}, id="other-with-detail"),
    pytest.param({"code": "other", "severity": 0}, id="other-none-without-detail"),
])
def test_other_detail_rules_accept(symptom):
    assert checkin_schema().load(checkin_body(symptoms=[symptom]))["symptoms"][0]["code"] == (
        "other")


def test_note_at_max_length_is_accepted():
    note = "x" * catalog.NOTE_MAX_LENGTH
    assert checkin_schema().load(checkin_body(note=note))["note"] == note


# --- CheckinIn: refused values ----------------------------------------------------------------

@pytest.mark.parametrize(("overrides", "field"), [
    pytest.param({"mood": -1}, "mood", id="mood-minus-1"),
    pytest.param({"mood": 11}, "mood", id="mood-11"),
    pytest.param({"mood": "5"}, "mood", id="mood-string"),
    pytest.param({"mood": True}, "mood", id="mood-bool"),
    pytest.param({"mood": 5.5}, "mood", id="mood-float"),
    pytest.param({"mood": 5.0}, "mood", id="mood-whole-float"),
    pytest.param({"mood": None}, "mood", id="mood-null"),
    pytest.param({"client_id": "not-a-uuid"}, "client_id", id="client-id-malformed"),
    pytest.param({"taken_at": "2026-03-10T15:00:00"}, "taken_at", id="taken-at-naive"),
    pytest.param({"taken_at": "yesterday"}, "taken_at", id="taken-at-garbage"),
    pytest.param({"taken_at": (NOW + timedelta(minutes=5, seconds=1)).isoformat()},
                 "taken_at", id="taken-at-5-min-1-s-ahead"),
    pytest.param({"taken_at": (NOW - timedelta(days=7, seconds=1)).isoformat()},
                 "taken_at", id="taken-at-7-days-1-s-old"),
    pytest.param({"note": "x" * (catalog.NOTE_MAX_LENGTH + 1)}, "note", id="note-too-long"),
    pytest.param({"note": None}, "note", id="note-null"),
    pytest.param({"home_safely": "maybe"}, "home_safely", id="home-safely-garbage"),
    pytest.param({"symptoms": "headache"}, "symptoms", id="symptoms-not-a-list"),
    pytest.param({"surprise": 1}, "surprise", id="unknown-field"),
])
def test_refused_checkin_field(overrides, field):
    assert field in checkin_errors(**overrides)


@pytest.mark.parametrize("missing", ["client_id", "taken_at", "mood"])
def test_required_field_missing(missing):
    body = checkin_body()
    del body[missing]
    with pytest.raises(ValidationError) as caught:
        checkin_schema().load(body)
    said = "Please choose your mood, from 0 to 10." if missing == "mood" else MISSING
    assert caught.value.messages == {missing: [said]}


def test_future_and_old_messages_say_why():
    future = checkin_errors(taken_at=(NOW + timedelta(minutes=6)).isoformat())["taken_at"]
    old = checkin_errors(taken_at=(NOW - timedelta(days=8)).isoformat())["taken_at"]
    assert "future" in future[0]
    assert "7 days" in old[0]


@pytest.mark.parametrize(("symptom", "problem_field"), [
    pytest.param({"code": "headache", "severity": 5}, "severity", id="severity-5"),
    pytest.param({"code": "headache", "severity": -1}, "severity", id="severity-minus-1"),
    pytest.param({"code": "headache", "severity": "2"}, "severity", id="severity-string"),
    pytest.param({"code": "headache", "severity": True}, "severity", id="severity-bool"),
    pytest.param({"code": "headache", "severity": 1.5}, "severity", id="severity-float"),
    pytest.param({"code": "headache"}, "severity", id="severity-missing"),
    pytest.param({"code": "headache", "severity": 1, "detail": "pounding"}, "detail",
                 id="detail-on-non-other"),
    pytest.param({"code": "other", "severity": 1}, "detail", id="other-without-detail"),
    pytest.param({"code": "other", "severity": 1, "detail": "   "}, "detail",
                 id="other-blank-detail"),
    pytest.param({"code": "other", "severity": 1,
                  "detail": "x" * (catalog.OTHER_DETAIL_MAX_LENGTH + 1)}, "detail",
                 id="other-detail-too-long"),
])
def test_refused_symptom(symptom, problem_field):
    errors = checkin_errors(symptoms=[symptom])
    assert problem_field in errors["symptoms"][0]


@pytest.mark.parametrize("symptom", [
    pytest.param({"code": "toothache", "severity": 1}, id="unknown-code"),
    pytest.param({"severity": 1}, id="code-missing"),
    pytest.param("headache", id="not-an-object"),
])
def test_malformed_symptom_is_a_validation_error(symptom):
    """A bad entry must give a 422-style message, never an exception from a later validator."""
    errors = checkin_errors(symptoms=[symptom])
    assert 0 in errors["symptoms"]


def test_duplicate_symptom_code_is_refused():
    errors = checkin_errors(symptoms=[{"code": "nausea", "severity": 1},
                                      {"code": "nausea", "severity": 3}])
    assert errors == {"symptoms": ["Each symptom may appear once."]}


def test_more_symptoms_than_the_catalog_is_refused():
    symptoms = [{"code": "headache", "severity": 1}] * (len(catalog.SYMPTOMS) + 1)
    assert "symptoms" in checkin_errors(symptoms=symptoms)


# --- Infusion form schema ---------------------------------------------------------------------

def infusion_schema() -> Infusion:
    return Infusion(timezone="America/New_York")


def infusion_errors(**values) -> dict:
    with pytest.raises(ValidationError) as caught:
        infusion_schema().load({"planned_start": "2026-03-10T09:00", **values})
    return caught.value.messages


@pytest.mark.parametrize(("typed", "utc"), [
    pytest.param("2026-01-15T09:00", datetime(2026, 1, 15, 14, 0, tzinfo=UTC), id="winter-EST"),
    pytest.param("2026-03-10T09:00", datetime(2026, 3, 10, 13, 0, tzinfo=UTC), id="summer-EDT"),
])
def test_local_times_become_aware_in_clinic_zone(typed, utc):
    loaded = infusion_schema().load({"planned_start": typed, "actual_start": typed})
    for name in ("planned_start", "actual_start"):
        assert loaded[name].tzinfo is not None
        assert loaded[name] == utc


def test_infusion_defaults():
    loaded = infusion_schema().load({"planned_start": "2026-03-10T09:00"})
    assert loaded["actual_start"] is None
    assert loaded["actual_end"] is None
    assert loaded["dose_mg_per_kg"] is None
    assert loaded["dose_mg"] is None
    assert loaded["route"] == "IV"
    assert loaded["notes"] == ""


@pytest.mark.parametrize(("values", "field"), [
    pytest.param({"actual_start": "2026-03-10T09:00", "actual_end": "2026-03-10T08:59"},
                 "actual_end", id="end-before-start"),
    pytest.param({"actual_start": "2026-03-10T09:00", "actual_end": "2026-03-10T09:00"},
                 "actual_end", id="end-equals-start"),
    pytest.param({"actual_end": "2026-03-10T09:40"}, "actual_start", id="end-without-start"),
    pytest.param({"actual_start": "2026-03-10T09:00", "actual_end": "2026-03-10T15:01"},
                 "actual_end", id="longer-than-6-hours"),
    pytest.param({"dose_mg_per_kg": "0"}, "dose_mg_per_kg", id="dose-per-kg-0"),
    pytest.param({"dose_mg_per_kg": "3.001"}, "dose_mg_per_kg", id="dose-per-kg-above-3"),
    pytest.param({"dose_mg_per_kg": "-0.5"}, "dose_mg_per_kg", id="dose-per-kg-negative"),
    pytest.param({"dose_mg_per_kg": "abc"}, "dose_mg_per_kg", id="dose-per-kg-garbage"),
    pytest.param({"dose_mg_per_kg": "NaN"}, "dose_mg_per_kg", id="dose-per-kg-nan"),
    pytest.param({"dose_mg": "0"}, "dose_mg", id="dose-mg-0"),
    pytest.param({"dose_mg": "500.1"}, "dose_mg", id="dose-mg-above-500"),
    pytest.param({"route": "oral"}, "route", id="unknown-route"),
    pytest.param({"planned_start": "2026-13-01T09:00"}, "planned_start", id="month-13"),
    pytest.param({"planned_start": "10/03/2026 09:00"}, "planned_start", id="wrong-format"),
    pytest.param({"planned_start": None}, "planned_start", id="planned-start-null"),
    pytest.param({"notes": "x" * 2001}, "notes", id="notes-too-long"),
])
def test_refused_infusion_field(values, field):
    assert field in infusion_errors(**values)


def test_planned_start_is_required():
    with pytest.raises(ValidationError) as caught:
        infusion_schema().load({})
    assert "planned_start" in caught.value.messages


UNUSUAL_OK = {"weight_kg": "70", "confirm_dose": "yes"}  # hard limits, so confirmed and weighed


@pytest.mark.parametrize(("values", "field", "expected"), [
    pytest.param({"actual_start": "2026-03-10T09:00", "actual_end": "2026-03-10T15:00"},
                 "actual_end", datetime(2026, 3, 10, 19, 0, tzinfo=UTC), id="exactly-6-hours"),
    pytest.param({"dose_mg_per_kg": "0.01", **UNUSUAL_OK}, "dose_mg_per_kg", Decimal("0.01"),
                 id="kg-min"),
    pytest.param({"dose_mg_per_kg": "3", **UNUSUAL_OK}, "dose_mg_per_kg", Decimal("3"),
                 id="kg-max"),
    pytest.param({"dose_mg": "0.1", **UNUSUAL_OK}, "dose_mg", Decimal("0.1"), id="mg-min"),
    pytest.param({"dose_mg": "500", **UNUSUAL_OK}, "dose_mg", Decimal("500"), id="mg-max"),
    pytest.param({"route": "intranasal"}, "route", "intranasal", id="route"),
])
def test_infusion_boundaries_are_accepted(values, field, expected):
    loaded = infusion_schema().load({"planned_start": "2026-03-10T09:00", **values})
    assert loaded[field] == expected


def test_duration_limit_uses_elapsed_time_across_spring_forward():
    # Clocks jump 02:00 -> 03:00 on 8 March 2026: 00:00 -> 06:30 local is 5 h 30 min.
    loaded = infusion_schema().load({"planned_start": "2026-03-08T00:00",
                                     "actual_start": "2026-03-08T00:00",
                                     "actual_end": "2026-03-08T06:30"})
    utc_end, utc_start = (loaded[n].astimezone(UTC) for n in ("actual_end", "actual_start"))
    assert utc_end - utc_start == timedelta(hours=5, minutes=30)


def test_duration_over_6_hours_across_fall_back_is_refused():
    # Clocks go 02:00 -> 01:00 on 1 November 2026: 00:00 -> 06:00 local is 7 hours.
    errors = infusion_errors(actual_start="2026-11-01T00:00", actual_end="2026-11-01T06:00")
    assert "actual_end" in errors
