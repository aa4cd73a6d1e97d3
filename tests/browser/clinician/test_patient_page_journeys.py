"""The patient page in Chromium (issue 15, point 3): it opens on the summary line, then the
open flags with the urgent one first, above the charts, at a desk and on a phone; axe finds
nothing serious; screenshots kept."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.patients.models import Patient
from tests import factories
from tests.browser.conftest import DESK, serious_axe_problems, sign_in
from tests.web.flag_support import answers_totalling, phq9


def _worrying_week(live) -> None:
    """The fixture patient (a severe headache 3 h ago: high) gets an older mood drop (high)
    and a safety answer a day ago (urgent): the urgent flag is neither the newest nor the
    first raised."""
    now = datetime.now(UTC)
    with live.app.app_context():
        patient = db.session.get(Patient, live.app.people["patient_id"])
        phq9(patient, taken_at=now - timedelta(days=1), answers=answers_totalling(18, item9=2))
        factories.checkin(patient, taken_at=now - timedelta(hours=4), mood=1,
                          note="cannot get up")


def _box(page, selector: str) -> dict:
    box = page.locator(selector).first.bounding_box()
    assert box, f"{selector} is not drawn"
    return box


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_the_patient_page_opens_on_the_summary_then_the_urgent_flag(live, page, phone, shots,
                                                                   size):
    _worrying_week(live)
    tab = phone if size == "phone" else page
    if size == "desk":
        tab.set_viewport_size(DESK)
    sign_in(tab, live, "clinician")
    tab.goto(f"{live.url}/clinic/patients/{live.app.people['patient_id']}")

    summary = tab.locator("#summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Infusion 1 of 1 in the induction series")
    expect(summary).to_contain_text("Latest mood 5 (baseline 1)")
    expect(summary).to_contain_text("PHQ-9 18 (baseline 18)")
    expect(summary).to_contain_text("3 open flags")
    first = tab.locator("ol.open-flags li.open-flag").first
    expect(first).to_contain_text("urgent")
    expect(first).to_contain_text("PHQ-9 item 9 = 2")
    flag_box, chart_box = _box(tab, "ol.open-flags li.open-flag"), _box(tab, "#trends-heading")
    summary_box = _box(tab, "#summary")
    assert summary_box["y"] + summary_box["height"] <= flag_box["y"]
    assert flag_box["y"] + flag_box["height"] <= chart_box["y"]
    if size == "desk":  # at a desk the summary and the urgent flag are on the first screen
        assert flag_box["y"] + flag_box["height"] <= DESK["height"]
    else:
        assert tab.evaluate("document.documentElement.scrollWidth") <= 360
    assert serious_axe_problems(tab) == []
    shots(tab, "patient-page")
