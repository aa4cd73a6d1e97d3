"""Fixtures and helpers for the clinician journeys in Chromium (issue 15): desk and phone
viewports, a crowded clinic for the triage queue, axe, and screenshots kept as test artifacts.

Screenshots go to ``$AFTERCARE_SCREENSHOTS`` when it is set (CI keeps that folder), else to
pytest's temporary directory of the test (``pytest --basetemp=...`` to choose it); each name
says the journey, the step and the viewport (``triage-queue-1366x900.png``).
"""

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.patients.models import Patient
from tests import factories

DESK = {"width": 1366, "height": 900}
PHONE = {"width": 360, "height": 740}


@pytest.fixture
def shots(request, tmp_path):
    """``shots(page, name)``: a full-page PNG of the page as it is now; returns its path."""
    folder = Path(os.environ.get("AFTERCARE_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        size = page.viewport_size
        path = folder / f"{name}-{size['width']}x{size['height']}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    take.folder = folder
    return take


@pytest.fixture
def desk(live, page):
    page.set_viewport_size(DESK)
    return page


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                  device_scale_factor=2)
    yield context.new_page()
    context.close()


def serious_violations(page) -> list[str]:
    return [f"{v['id']} ({v['impact']}): {v['help']} at "
            f"{[n['target'] for n in v['nodes']][:3]}"
            for v in Axe().run(page).response["violations"]
            if v["impact"] in ("serious", "critical")]


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
