"""Every bad PHQ-9 body is refused by the PHQ-9 schema with a message at the field that is
wrong (no app, no database). The API's answer to them (one 422 shape, nothing stored, no flag)
is tested once over the same cases in tests/web/test_phq9.py."""

import uuid
from datetime import timedelta

import pytest

from app.phq9.schemas import Phq9In
from tests.unit.test_checkin_bad_bodies import assert_refused_at


def _body(clock, **overrides) -> dict:
    body = {"client_id": str(uuid.uuid4()),
            "taken_at": (clock() - timedelta(minutes=1)).isoformat(),
            "answers": [1, 2, 3, 0, 1, 2, 0, 1, 0]}
    body.update(overrides)
    return body


# Each case: a body builder (given the clock) and the path of the field the error is under.
# Item 9 is 3 in the base body, so a body stored by mistake would open a flag as well.
def _answers(*answers):
    return lambda clock: _body(clock, answers=list(answers))


def _without(key: str):
    return lambda clock: {k: v for k, v in _body(clock, answers=[0] * 8 + [3]).items()
                          if k != key}


def _with(**overrides):
    return lambda clock: _body(clock, **{"answers": [0] * 8 + [3], **overrides})


BAD_BODIES = [
    pytest.param(_answers(0, 0, 0, 0, 0, 0, 0, 3), ("answers",), id="8-answers"),
    pytest.param(_answers(0, 0, 0, 0, 0, 0, 0, 0, 3, 0), ("answers",), id="10-answers"),
    pytest.param(_answers(0, 0, 4, 0, 0, 0, 0, 0, 3), ("answers", "2"), id="answer-4"),
    pytest.param(_answers(-1, 0, 0, 0, 0, 0, 0, 0, 3), ("answers", "0"), id="answer-minus-1"),
    pytest.param(_answers(0, 0, 0, 0, "2", 0, 0, 0, 3), ("answers", "4"), id="answer-string"),
    pytest.param(_answers(0, True, 0, 0, 0, 0, 0, 0, 3), ("answers", "1"), id="answer-true"),
    pytest.param(_answers(0, 0, 0, 0, 0, 0, 0, 0, None), ("answers", "8"), id="answer-null"),
    pytest.param(_answers(0, 0, 0, 1.0, 0, 0, 0, 0, 3), ("answers", "3"), id="answer-float"),
    pytest.param(_with(answers="000000003"), ("answers",), id="answers-not-a-list"),
    pytest.param(_with(answers=None), ("answers",), id="answers-null"),
    pytest.param(_without("answers"), ("answers",), id="missing-answers"),
    pytest.param(_without("client_id"), ("client_id",), id="missing-client-id"),
    pytest.param(_with(client_id="not-a-uuid"), ("client_id",), id="malformed-client-id"),
    pytest.param(_without("taken_at"), ("taken_at",), id="missing-taken-at"),
    pytest.param(lambda clock: _body(clock, answers=[0] * 8 + [3],
                                     taken_at=(clock() + timedelta(minutes=10)).isoformat()),
                 ("taken_at",), id="future-taken-at"),
    pytest.param(lambda clock: _body(clock, answers=[0] * 8 + [3],
                                     taken_at=(clock() - timedelta(days=8)).isoformat()),
                 ("taken_at",), id="8-day-old-taken-at"),
    pytest.param(_with(taken_at="2026-03-10T14:59:00"), ("taken_at",), id="naive-taken-at"),
]


@pytest.mark.parametrize(("build", "path"), BAD_BODIES)
def test_a_bad_body_is_refused_at_its_field(build, path):
    assert_refused_at(Phq9In, build, path)
