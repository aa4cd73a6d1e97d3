"""Property tests for the marshmallow input schemas: whatever arrives, a schema either loads it
to a value within the documented bounds or raises ValidationError with messages per field;
never another exception. What loads survives a dump and a second load unchanged."""

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from app.checkins import catalog
from app.checkins.schemas import MAX_AGE, MAX_SKEW, CheckinIn, CheckinListQuery, SymptomIn
from app.clinics.schemas import MAX_WINDOW_HOURS, ClinicSettings
from app.forms import TimeZone, known_timezones
from app.notifications.schemas import SubscriptionIn, SubscriptionRef
from app.patients.schemas import Enrollment
from app.phq9.schemas import Phq9In
from app.routing import MAX_ID
from tests.properties.strategies import hostile_endpoints, huge_digits, zone_like

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
FAST = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])

json_scalars = (st.none() | st.booleans() | st.integers() | st.integers(-(2**70), 2**70)
                | st.floats(allow_nan=False) | st.text(max_size=30))
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                           max_leaves=12)
moments = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30),
                       timezones=st.sampled_from([UTC, None]))
timestamps = moments.map(lambda d: d.isoformat()) | st.text(max_size=30) | json_scalars
near_now = st.integers(-8 * 24 * 60, 10).map(lambda m: (NOW + timedelta(minutes=m)).isoformat())


def _fields_of(schema_class) -> set[str]:
    return {field.data_key or name for name, field in schema_class().fields.items()}


def _field_like(keys: dict) -> st.SearchStrategy[dict]:
    """Dicts with some of the schema's own keys (each with a plausible or hostile value),
    sometimes an unknown key too: closer to what a real client sends than random JSON."""
    return st.fixed_dictionaries({}, optional={key: value | json_values
                                               for key, value in keys.items()}) | st.builds(
        lambda known, extra: {**known, **extra},
        st.fixed_dictionaries({}, optional=dict(keys.items())),
        st.dictionaries(st.text(max_size=6), json_values, max_size=2))


def assert_messages_per_field(error: ValidationError, schema_class, sent) -> None:
    """Messages are keyed by the schema's fields, an unknown key that was sent, or _schema;
    every leaf is a human-readable string."""
    messages = error.messages
    assert isinstance(messages, dict), messages
    allowed = _fields_of(schema_class) | {"_schema"}
    if isinstance(sent, dict):
        allowed |= set(sent)
    assert set(messages) <= allowed, (messages, sent)
    assert _leaves(messages) and all(isinstance(m, str) and m for m in _leaves(messages))
    json.dumps(messages, default=str)


def _leaves(messages) -> list:
    if isinstance(messages, dict):
        return [leaf for value in messages.values() for leaf in _leaves(value)]
    if isinstance(messages, list):
        return [leaf for value in messages for leaf in _leaves(value)]
    return [messages]


def load_or_refuse(schema, schema_class, payload):
    """The loaded value, or None after checking the refusal has the promised shape."""
    try:
        return schema.load(payload)
    except ValidationError as error:
        assert_messages_per_field(error, schema_class, payload)
        return None


# --- check-ins ---------------------------------------------------------------------------

symptom_codes = st.sampled_from(sorted(catalog.SYMPTOM_CODES)) | st.text(max_size=12)
symptoms = st.fixed_dictionaries(
    {"code": symptom_codes, "severity": st.integers(-2, 6) | json_scalars},
    optional={"detail": st.text(max_size=220) | json_scalars})
CHECKIN_KEYS = {
    "client_id": st.uuids().map(str) | st.text(max_size=40),
    "taken_at": near_now | timestamps,
    "mood": st.integers(-3, 14) | json_scalars,
    "symptoms": st.lists(symptoms | json_values, max_size=10),
    "note": st.text(max_size=50) | st.text(min_size=1990, max_size=2010, alphabet="ab"),
    "home_safely": st.booleans() | st.none() | json_scalars,
}


def _checkin_schema() -> CheckinIn:
    return CheckinIn(now=NOW, max_skew=MAX_SKEW, max_age=MAX_AGE)


def assert_a_valid_checkin(data: dict) -> None:
    assert isinstance(data["client_id"], uuid.UUID)
    assert NOW - MAX_AGE <= data["taken_at"] <= NOW + MAX_SKEW
    assert data["taken_at"].tzinfo is not None
    assert type(data["mood"]) is int and catalog.MOOD_MIN <= data["mood"] <= catalog.MOOD_MAX
    assert isinstance(data["note"], str) and len(data["note"]) <= catalog.NOTE_MAX_LENGTH
    assert data["home_safely"] in (True, False, None)
    codes = [s["code"] for s in data["symptoms"]]
    assert len(codes) == len(set(codes)) <= len(catalog.SYMPTOMS)
    for symptom in data["symptoms"]:
        assert symptom["code"] in catalog.SYMPTOM_CODES
        assert type(symptom["severity"]) is int
        assert catalog.SEVERITY_MIN <= symptom["severity"] <= catalog.SEVERITY_MAX
        assert len(symptom["detail"]) <= catalog.OTHER_DETAIL_MAX_LENGTH
        if symptom["code"] != catalog.OTHER:
            assert not symptom["detail"].strip()


@FAST
@given(payload=json_values | _field_like(CHECKIN_KEYS))
def test_a_checkin_loads_within_bounds_or_is_refused_field_by_field(payload):
    data = load_or_refuse(_checkin_schema(), CheckinIn, payload)
    if data is not None:
        assert_a_valid_checkin(data)


valid_checkins = st.fixed_dictionaries({
    "client_id": st.uuids().map(str),
    "taken_at": st.integers(-7 * 24 * 60 + 1, 5).map(
        lambda m: (NOW + timedelta(minutes=m)).isoformat()),
    "mood": st.integers(catalog.MOOD_MIN, catalog.MOOD_MAX),
}, optional={
    "note": st.text(max_size=catalog.NOTE_MAX_LENGTH),
    "home_safely": st.booleans() | st.none(),
    "symptoms": st.lists(st.sampled_from(sorted(catalog.SYMPTOM_CODES - {catalog.OTHER})),
                         unique=True).flatmap(lambda codes: st.tuples(*[
                             st.fixed_dictionaries({"code": st.just(code), "severity":
                                                    st.integers(0, 4)}) for code in codes])
                         ).map(list),
})


@FAST
@given(payload=valid_checkins)
def test_every_valid_checkin_loads_and_round_trips(payload):
    schema = _checkin_schema()
    data = schema.load(payload)
    assert_a_valid_checkin(data)
    assert data["mood"] == payload["mood"]
    sent_again = json.loads(json.dumps(schema.dump(data)))
    assert schema.load(sent_again) == data


@FAST
@given(payload=valid_checkins, mood=st.integers(11, 10**6) | st.integers(-(10**6), -1))
def test_a_mood_out_of_range_is_refused_on_mood_alone(payload, mood):
    with pytest.raises(ValidationError) as refused:
        _checkin_schema().load({**payload, "mood": mood})
    assert set(refused.value.messages) == {"mood"}


@FAST
@given(payload=st.fixed_dictionaries({"code": symptom_codes, "severity": st.integers(-5, 9)},
                                     optional={"detail": st.text(max_size=250)}))
def test_a_symptom_is_in_the_catalog_and_on_the_scale_or_refused(payload):
    data = load_or_refuse(SymptomIn(), SymptomIn, payload)
    if data is not None:
        assert data["code"] in catalog.SYMPTOM_CODES
        assert catalog.SEVERITY_MIN <= data["severity"] <= catalog.SEVERITY_MAX
        if data["code"] == catalog.OTHER and data["severity"] > 0:
            assert data["detail"].strip()


@FAST
@given(query=st.dictionaries(st.sampled_from(["limit", "before_id", "x"]),
                             st.text(max_size=25) | st.integers(-5, 2**40).map(str)))
def test_the_list_query_loads_within_bounds_or_is_refused(query):
    data = load_or_refuse(CheckinListQuery(), CheckinListQuery, query)
    if data is not None:
        assert 1 <= data["limit"] <= 200
        assert data["before_id"] is None or 1 <= data["before_id"] <= MAX_ID


# --- PHQ-9 -------------------------------------------------------------------------------

PHQ9_KEYS = {
    "client_id": st.uuids().map(str) | st.text(max_size=40),
    "taken_at": near_now | timestamps,
    "answers": st.lists(st.integers(-1, 4) | json_scalars, min_size=7, max_size=11)
    | json_values,
}


@FAST
@given(payload=json_values | _field_like(PHQ9_KEYS))
def test_a_phq9_loads_nine_answers_of_0_to_3_or_is_refused(payload):
    data = load_or_refuse(Phq9In(now=NOW), Phq9In, payload)
    if data is not None:
        assert len(data["answers"]) == 9
        assert all(type(a) is int and 0 <= a <= 3 for a in data["answers"])
        assert NOW - MAX_AGE <= data["taken_at"] <= NOW + MAX_SKEW


@FAST
@given(answers=st.lists(st.integers(0, 3), min_size=9, max_size=9), minutes=st.integers(-600, 5))
def test_a_valid_phq9_round_trips(answers, minutes):
    schema = Phq9In(now=NOW)
    payload = {"client_id": str(uuid.uuid4()), "answers": answers,
               "taken_at": (NOW + timedelta(minutes=minutes)).isoformat()}
    data = schema.load(payload)
    assert data["answers"] == answers
    assert schema.load(json.loads(json.dumps(schema.dump(data)))) == data


# --- push subscriptions ------------------------------------------------------------------

b64ish = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/",
                 max_size=100)
SUBSCRIPTION_KEYS = {
    "endpoint": st.sampled_from(["https://push.example/x", "http://push.example/y",
                                 "https://evil.example/z", "ftp://push.example", "https://"])
    | st.text(max_size=40) | hostile_endpoints,
    "keys": st.fixed_dictionaries({}, optional={"p256dh": b64ish | json_scalars,
                                                "auth": b64ish | json_scalars}) | json_values,
    "expirationTime": json_scalars,
}


@FAST
@given(payload=json_values | _field_like(SUBSCRIPTION_KEYS))
def test_a_subscription_is_an_allowed_https_push_service_or_refused(payload):
    schema = SubscriptionIn(allowed_hosts=("push.example",))
    data = load_or_refuse(schema, SubscriptionIn, payload)
    if data is not None:
        assert data["endpoint"].startswith("https://push.example")
        assert set(data["keys"]) == {"p256dh", "auth"}
    data = load_or_refuse(SubscriptionRef(), SubscriptionRef, payload)
    if data is not None:
        assert len(data["endpoint"]) <= 2048


# --- clinic settings (an HTML form: every value arrives as text) --------------------------

hhmm = st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.integers(0, 59))
SETTINGS_TEXT = {
    "checkin_ladder_hours": st.lists(st.integers(-1, 200), max_size=12).map(
        lambda hours: ", ".join(map(str, hours))) | st.text(max_size=20) | huge_digits,
    "quiet_hours_start": hhmm | st.text(max_size=6),
    "quiet_hours_end": hhmm | st.text(max_size=6),
    "readiness_time": hhmm | st.text(max_size=6),
    **{name: st.integers(-2, 2000).map(str) | st.text(max_size=5)
       for name in ("reminder_delay_hours", "answer_window_hours", "severe_from",
                    "persistent_after_hours", "unresolved_after_hours", "mood_drop_points",
                    "mood_floor", "missed_in_a_row", "phq9_worsening_points",
                    "escalate_after_minutes")},
}
BOUNDS = {"reminder_delay_hours": (1, 24), "answer_window_hours": (1, MAX_WINDOW_HOURS),
          "severe_from": (1, 4), "persistent_after_hours": (1, MAX_WINDOW_HOURS),
          "unresolved_after_hours": (1, MAX_WINDOW_HOURS), "mood_drop_points": (1, 10),
          "mood_floor": (0, 10), "missed_in_a_row": (1, 10), "phq9_worsening_points": (1, 27),
          "escalate_after_minutes": (5, 24 * 60)}


@FAST
@given(form=st.fixed_dictionaries(SETTINGS_TEXT) | _field_like(SETTINGS_TEXT))
def test_clinic_settings_load_within_clinical_bounds_or_are_refused(form):
    data = load_or_refuse(ClinicSettings(), ClinicSettings, form)
    if data is None:
        return
    hours = data["checkin_ladder_hours"]
    assert hours == sorted(set(hours)) and 1 <= len(hours) <= 10
    assert hours[0] >= 1 and hours[-1] <= MAX_WINDOW_HOURS
    for name, (low, high) in BOUNDS.items():
        assert low <= data[name] <= high, name
    assert data["quiet_hours_start"] != data["quiet_hours_end"]
    as_form = {**{k: str(v) for k, v in data.items()},
               "checkin_ladder_hours": ", ".join(map(str, hours))}
    assert ClinicSettings().load(as_form) == data


@FAST
@given(zone=zone_like | st.sampled_from(sorted(known_timezones())))
def test_a_time_zone_is_a_known_zone_or_refused_in_words(zone):
    try:
        loaded = TimeZone().deserialize(zone)
    except ValidationError as error:
        assert error.messages == ["Choose a time zone such as America/Chicago."]
        return
    assert loaded in known_timezones()


@FAST
@given(zone=zone_like)
def test_enrollment_refuses_a_zone_that_is_no_zone_on_the_field(zone):
    payload = {"display_name": "Sam", "email": "sam@example.test", "timezone": zone}
    data = load_or_refuse(Enrollment(), Enrollment, payload)
    assert data is None or data["timezone"] in known_timezones()
