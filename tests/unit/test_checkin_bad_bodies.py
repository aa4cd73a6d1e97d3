"""Every bad check-in body is refused by the check-in schema with a message at the field that
is wrong (no app, no database). The API's answer to them (one 422 shape, nothing stored) is
tested once over the same cases in tests/web/test_checkin_bad_input.py."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from marshmallow import ValidationError

from app.checkins.schemas import CheckinIn

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


def _payload(clock, **overrides) -> dict:
    body = {
        "client_id": str(uuid.uuid4()),
        "taken_at": (clock() - timedelta(minutes=1)).isoformat(),
        "mood": 7,
        "symptoms": [{"code": "headache", "severity": 2}],
        "note": "",
    }
    body.update(overrides)
    return body


def _without(key: str):
    return lambda clock: {k: v for k, v in _payload(clock).items() if k != key}


def _with(**overrides):
    return lambda clock: _payload(clock, **overrides)


def _with_symptoms(*symptoms):
    return lambda clock: _payload(clock, symptoms=list(symptoms))


def _taken(delta: timedelta):
    return lambda clock: _payload(clock, taken_at=(clock() + delta).isoformat())


# Each case: a body builder (given the clock) and the path of the field the error is under.
BAD_BODIES = [
    pytest.param(_with(mood="5"), ("mood",), id="mood-string"),
    pytest.param(_with(mood=True), ("mood",), id="mood-bool"),
    pytest.param(_with(mood=5.5), ("mood",), id="mood-float"),
    pytest.param(_with(mood=-1), ("mood",), id="mood-minus-1"),
    pytest.param(_with(mood=11), ("mood",), id="mood-11"),
    pytest.param(_with(mood=None), ("mood",), id="mood-null"),
    pytest.param(_with_symptoms({"code": "headache", "severity": 5}),
                 ("symptoms", "0", "severity"), id="severity-5"),
    pytest.param(_with_symptoms({"code": "headache", "severity": -1}),
                 ("symptoms", "0", "severity"), id="severity-minus-1"),
    pytest.param(_with_symptoms({"code": "headache", "severity": "2"}),
                 ("symptoms", "0", "severity"), id="severity-string"),
    pytest.param(_with_symptoms({"code": "toothache", "severity": 1}),
                 ("symptoms", "0", "code"), id="unknown-symptom-code"),
    pytest.param(_with_symptoms({"code": "nausea", "severity": 1},
                                {"code": "nausea", "severity": 2}),
                 ("symptoms",), id="duplicate-symptom-code"),
    pytest.param(_with_symptoms({"code": "headache", "severity": 1, "detail": "pounding"}),
                 ("symptoms", "0", "detail"), id="detail-on-non-other"),
    pytest.param(_with_symptoms({"code": "other", "severity": 2}),
                 ("symptoms", "0", "detail"), id="other-without-detail"),
    pytest.param(_with(symptoms="headache"), ("symptoms",), id="symptoms-not-a-list"),
    pytest.param(_without("client_id"), ("client_id",), id="missing-client-id"),
    pytest.param(_without("taken_at"), ("taken_at",), id="missing-taken-at"),
    pytest.param(_without("mood"), ("mood",), id="missing-mood"),
    pytest.param(_with(client_id="1234-not-a-uuid"), ("client_id",), id="malformed-uuid"),
    pytest.param(_with(taken_at="2026-03-10T14:59:00"), ("taken_at",), id="naive-taken-at"),
    pytest.param(_taken(timedelta(minutes=10)), ("taken_at",), id="future-taken-at"),
    pytest.param(_taken(-timedelta(days=8)), ("taken_at",), id="8-day-old-taken-at"),
    pytest.param(_with(note="x" * 100_000), ("note",), id="100-kb-note"),
    pytest.param(_with(home_safely="maybe"), ("home_safely",), id="home-safely-garbage"),
    pytest.param(_with(is_admin=True), ("is_admin",), id="unknown-extra-field"),
]


def _error_at(fields: dict, path: tuple[str, ...]):
    node = fields
    for key in path:
        assert isinstance(node, dict) and key in node, f"no error at {path} in {fields}"
        node = node[key]
    return node


def error_at(fields: dict, path: tuple[str, ...]):
    """The messages under ``path`` (list positions as the JSON answer spells them: "0")."""
    node = fields
    for key in path:
        node = {str(name): value for name, value in node.items()} if isinstance(node, dict) \
            else node
        assert isinstance(node, dict) and key in node, f"no error at {path} in {fields}"
        node = node[key]
    return node


def assert_refused_at(schema_class, build, path) -> None:
    """``schema_class`` (a Timed schema, as of NOW) refuses ``build``'s body at ``path``."""
    schema = schema_class(now=NOW, max_skew=timedelta(minutes=5), max_age=timedelta(days=7))
    with pytest.raises(ValidationError) as caught:
        schema.load(build(lambda: NOW))
    assert error_at(caught.value.messages, path)


@pytest.mark.parametrize(("build", "path"), BAD_BODIES)
def test_a_bad_body_is_refused_at_its_field(build, path):
    assert_refused_at(CheckinIn, build, path)
