"""The patient's home page: its main button and its due times in words (issue 15, points 9
and 10)."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.prompts.models import Prompt
from tests import factories

# 13:00 UTC on 10 March 2026 is 09:00 in New York (EDT).
END = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)


@pytest.fixture
def patient(app, clock):
    clock.now = END - timedelta(hours=1)
    made = factories.patient(factories.clinic(), clock(), timezone="America/New_York")
    factories.infusion(made, end=END)
    return made


@pytest.fixture
def phone(patient, signed_in):
    return signed_in(patient.user)


def _main_action(page: str) -> str:
    found = re.search(r'<a class="button big" href="([^"]+)" data-main-action>([^<]+)</a>', page)
    assert found, page
    return f"{found[2]} -> {found[1]}"


def _weekly(patient) -> Prompt:
    return db.session.scalars(select(Prompt).where(
        Prompt.patient_id == patient.id, Prompt.series_id.is_not(None))
        .order_by(Prompt.due_at)).first()


def test_check_in_is_the_main_button_when_no_questionnaire_is_due(phone, clock):
    clock.now = END + timedelta(hours=2, minutes=5)
    page = phone.get("/").get_data(as_text=True)
    assert _main_action(page) == "Check in now -> /checkin"
    assert "Weekly questionnaire" not in page


def test_the_due_phq9_is_the_main_button_and_check_in_comes_second(phone, clock, patient):
    weekly = _weekly(patient)
    clock.now = weekly.due_at + timedelta(minutes=5)

    page = phone.get("/").get_data(as_text=True)

    assert _main_action(page) == "Answer the weekly questionnaire -> /phq9"
    assert page.index("data-main-action") < page.index('href="/checkin"')
    assert 'class="button big secondary-link" href="/checkin">Check in now' in page


def test_due_times_are_in_words_in_the_patients_zone(phone, clock):
    # The 2 h prompt (11:00 New York) is open until the 6 h one, 15:00 local.
    clock.now = END + timedelta(hours=2, minutes=5)
    page = phone.get("/").get_data(as_text=True)
    assert "2 hours after infusion 1" in page
    assert "by 15:00 today" in page
