"""Fixtures and helpers for the clinician journeys in Chromium (issue 15): desk and phone
viewport, and a crowded clinic for the triage queue. The phone, screenshots and axe are shared
with every browser test (``tests/browser/conftest.py``).
"""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.patients.models import Patient
from tests import factories
from tests.browser.conftest import DESK


@pytest.fixture
def desk(live, page):
    page.set_viewport_size(DESK)
    return page


def crowd(live, patients: int) -> list[int]:
    """``patients`` more patients of the browser clinic, each with a severe headache and a
    mood drop after an infusion (two high flags each); returns their ids."""
    now = datetime.now(UTC)
    ids = []
    with live.app.app_context():
        clinic = db.session.get(Patient, live.app.people["patient_id"]).clinic
        clinician = db.session.scalar(select(User).where(
            User.email == live.app.people["clinician"]))
        for index in range(patients):
            patient = factories.patient(clinic, now - timedelta(days=3), by=clinician)
            end = now - timedelta(hours=30 + index)
            factories.infusion(patient, end=end)
            factories.checkin(patient, taken_at=end + timedelta(hours=1), mood=7)
            factories.checkin(patient, taken_at=end + timedelta(hours=2), mood=2,
                              symptoms={"headache": 3}, note=f"bad day {index}")
            ids.append(patient.id)
    return ids


def rows_in_view(page) -> int:
    """Flag rows of the triage queue wholly inside the viewport, as the page first opens."""
    return page.evaluate("""() => [...document.querySelectorAll('table.queue tr.flag-row')]
        .filter(row => { const box = row.getBoundingClientRect();
                         return box.top >= 0 && box.bottom <= window.innerHeight; }).length""")
