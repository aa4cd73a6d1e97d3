"""Session record input (issue 18): each value in its plausible range, refused in plain words
naming the value, and the in-session alert rule."""

from datetime import UTC, datetime

import pytest

from app.clinics.settings import DEFAULTS
from app.monitoring import schemas
from app.monitoring.alerts import reading_alert


def _reading(**overrides) -> dict:
    return {"taken_at": "2026-03-10T09:00", "phase": "before", "systolic": "128",
            "diastolic": "82", "heart_rate": "72", "spo2": "98", **overrides}


def _errors(schema, data) -> dict:
    return schema.validate(data)


def test_a_plausible_reading_is_kept_in_utc():
    data = schemas.Reading(timezone="America/New_York").load(_reading())
    assert data["taken_at"] == datetime(2026, 3, 10, 13, 0, tzinfo=UTC)
    assert (data["systolic"], data["diastolic"], data["heart_rate"], data["spo2"]) == (
        128, 82, 72, 98)


@pytest.mark.parametrize(("name", "value", "words"), [
    ("systolic", "400", "systolic pressure (the top number) must be between 60 and 260"),
    ("systolic", "59", "between 60 and 260 mmHg"),
    ("diastolic", "161", "diastolic pressure (the bottom number) must be between 30 and 160"),
    ("heart_rate", "29", "heart rate must be between 30 and 220"),
    ("spo2", "120", "oxygen saturation must be between 50 and 100"),
    ("spo2", "ninety", "Give the oxygen saturation as a whole number"),
    ("phase", "later", "Choose when the reading was taken"),
    ("taken_at", None, "Enter the time of the reading."),
])
def test_an_implausible_value_is_refused_naming_it(name, value, words):
    errors = _errors(schemas.Reading(timezone="UTC"), _reading(**{name: value}))
    assert list(errors) == [name]
    assert words in errors[name][0]


def test_diastolic_must_be_below_systolic():
    errors = _errors(schemas.Reading(timezone="UTC"), _reading(systolic="120", diastolic="120"))
    assert errors == {"diastolic": ["The diastolic pressure must be below the systolic. Check "
                                    "the two numbers."]}


def test_blood_pressure_comes_as_a_pair_and_a_reading_has_a_value():
    schema = schemas.Reading(timezone="UTC")
    assert "diastolic" in _errors(schema, _reading(diastolic=None))
    assert "systolic" in _errors(schema, _reading(systolic=None))
    assert "at least one value" in _errors(schema, _reading(
        systolic=None, diastolic=None, heart_rate=None, spo2=None))["systolic"][0]
    assert _errors(schema, _reading(systolic=None, diastolic=None)) == {}  # SpO2 and HR only


def test_observation_event_and_discharge():
    assert _errors(schemas.Observation(timezone="UTC"), {
        "observed_at": "2026-03-10T09:20", "dissociation": "moderate", "sedation": "none"}) == {}
    assert _errors(schemas.Observation(timezone="UTC"), {
        "observed_at": "2026-03-10T09:20", "dissociation": "very", "sedation": "none"}) == {
        "dissociation": ["Choose none, mild, moderate or severe."]}
    assert _errors(schemas.AdverseEvent(timezone="UTC"), {
        "occurred_at": "2026-03-10T09:30", "what": " ", "action_taken": None}) == {
        "what": ["Say what happened."], "action_taken": ["Say what was done about it."]}
    assert _errors(schemas.Discharge(timezone="UTC"), {
        "discharged_at": "2026-03-10T10:30", "stable": "yes"}) == {
        "driver_present": ["Answer whether a driver was there to take them home."]}


@pytest.mark.parametrize(("systolic", "diastolic", "spo2", "alert"), [
    (179, 109, 90, ""),
    (180, 100, 97, "Blood pressure at or above 180/110 mmHg"),
    (150, 110, 97, "Blood pressure at or above 180/110 mmHg"),
    (None, None, 89, "Oxygen saturation below 90%"),
    (185, 112, 88, "Blood pressure at or above 180/110 mmHg; Oxygen saturation below 90%"),
])
def test_reading_alert_at_the_default_thresholds(systolic, diastolic, spo2, alert):
    assert reading_alert(systolic, diastolic, spo2, DEFAULTS) == alert


def test_reading_alert_follows_the_clinic_thresholds():
    settings = {**DEFAULTS, "bp_alert_systolic": 160, "spo2_alert_below": 94}
    assert reading_alert(165, 90, 93, settings) == (
        "Blood pressure at or above 160/110 mmHg; Oxygen saturation below 94%")
