"""The patient's home page lists the check-ins they can answer now, push or no push."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.notifications.models import (
    DeliveryAttempt,
    Notification,
    NotificationKind,
    NotificationStatus,
)
from app.prompts.models import Prompt, PromptStatus
from tests import factories

# 13:00 UTC on 10 March 2026 is 09:00 in New York (EDT): the 2 h prompt is due at 11:00 local
# (15:00 UTC) and open until the 6 h one at 15:00 local (19:00 UTC).
END = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)
DUE = END + timedelta(hours=2)
HEADING = "Your clinic asks you to check in"


@pytest.fixture
def patient(app, clock):
    clock.now = END - timedelta(hours=1)
    patient = factories.patient(factories.clinic(), clock())
    factories.infusion(patient, end=END)
    return patient


@pytest.fixture
def phone(patient, signed_in):
    return signed_in(patient.user)


def _prompt(slot: str) -> Prompt:
    db.session.expire_all()
    return db.session.scalars(select(Prompt).where(Prompt.slot == slot)).one()


def _home(phone) -> str:
    response = phone.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_nothing_is_listed_before_the_first_prompt_is_due(phone, clock):
    clock.now = DUE - timedelta(minutes=1)

    page = _home(phone)

    assert HEADING not in page
    assert "after infusion" not in page


def test_an_open_prompt_is_listed_though_no_push_was_sent(phone, clock):
    clock.now = DUE + timedelta(minutes=30)

    page = _home(phone)

    assert HEADING in page
    assert "2 hours after infusion 1" in page
    assert "6 hours after infusion 1" not in page
    # No jobs process ran: the push is still waiting and nothing was delivered.
    push = db.session.scalars(select(Notification).where(
        Notification.prompt_id == _prompt("2h").id,
        Notification.kind == NotificationKind.PROMPT)).one()
    assert push.status == NotificationStatus.DUE
    assert db.session.scalars(select(DeliveryAttempt)).all() == []


def test_the_prompt_is_listed_until_its_window_closes(phone, clock):
    window_end = _prompt("2h").window_ends_at
    assert window_end == END + timedelta(hours=6)

    clock.now = window_end - timedelta(minutes=1)
    just_open = _home(phone)
    clock.now = window_end
    next_one = _home(phone)

    assert "2 hours after infusion 1" in just_open
    assert "2 hours after infusion 1" not in next_one
    assert "6 hours after infusion 1" in next_one


def test_answering_inside_the_window_removes_it_from_the_home_page(phone, clock):
    clock.now = DUE + timedelta(minutes=30)
    assert "2 hours after infusion 1" in _home(phone)

    response = phone.api("POST", "/api/v1/checkins", json={
        "client_id": str(uuid.uuid4()), "taken_at": (clock() - timedelta(minutes=1)).isoformat(),
        "mood": 6, "symptoms": [], "note": ""})
    page = _home(phone)

    assert response.status_code == 201
    assert HEADING not in page
    assert "2 hours after infusion 1" not in page
    prompt = _prompt("2h")
    assert prompt.status == PromptStatus.ANSWERED
    assert prompt.answered_checkin_id == response.get_json()["id"]
    assert {n.kind: n.status for n in db.session.scalars(
        select(Notification).where(Notification.prompt_id == prompt.id))} == {
        NotificationKind.PROMPT: NotificationStatus.CANCELLED}  # no push went: no reminder
    assert _prompt("6h").status == PromptStatus.PENDING


def test_another_patients_prompt_is_not_listed(app, clock, patient, signed_in):
    other = factories.patient(patient.clinic, clock())
    clock.now = DUE + timedelta(minutes=30)

    page = _home(signed_in(other.user))

    assert HEADING not in page
