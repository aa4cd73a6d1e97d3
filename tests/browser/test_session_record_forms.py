"""The session record filled in real Chromium through the page's own controls, on a desktop
(1366x900) and a tablet (768x1024): a refused value with its message, a corrected reading, a
high reading marked at once, an observation, an adverse event and the discharge; axe clean."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.monitoring.models import Discharge, VitalReading
from tests.browser.conftest import sign_in

VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "tablet": {"width": 768, "height": 1024}}


def _axe_clean(page) -> None:
    violations = Axe().run(page).response["violations"]
    assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == []


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _reading(page, phase: str, systolic: str, diastolic: str, heart: str, spo2: str) -> None:
    page.get_by_label("When in the session").select_option(label=phase)
    page.get_by_label("Systolic (top number), mmHg").fill(systolic)
    page.get_by_label("Diastolic (bottom number), mmHg").fill(diastolic)
    page.get_by_label("Heart rate, beats a minute").fill(heart)
    page.get_by_label("Oxygen saturation (SpO2), %").fill(spo2)
    page.get_by_role("button", name="Record the reading").click()
    page.wait_for_load_state("load")


def _choose(page, group: str, option: str) -> None:
    """Tap the option's button (the label drawn over the radio input) and see it chosen."""
    fieldset = page.get_by_role("group", name=group, exact=True)
    fieldset.locator("label").filter(has_text=option).click()
    expect(fieldset.get_by_label(option, exact=True)).to_be_checked()


def _readings(live) -> list[VitalReading]:
    with live.app.app_context():
        found = list(db.session.scalars(select(VitalReading).order_by(VitalReading.taken_at,
                                                                      VitalReading.id)))
        db.session.expunge_all()
        return found


@pytest.mark.parametrize("screen", sorted(VIEWPORTS))
def test_fill_a_session_record(live, page, screen):
    page.set_viewport_size(VIEWPORTS[screen])
    sign_in(page, live, "clinician")
    page.goto(f"{live.url}/clinic/patients/{live.app.people['patient_id']}")
    page.get_by_role("link", name="Session record of infusion 1").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Session record: infusion 1")
    expect(page.get_by_label("Time of the reading")).not_to_have_value("")  # now, prefilled
    expect(page.locator(".missing-phases")).to_contain_text("before the infusion")
    _axe_clean(page)
    _fits(page)

    _reading(page, "Before the infusion", "400", "82", "72", "98")
    expect(page.locator("#systolic-error")).to_have_text(
        "The systolic pressure (the top number) must be between 60 and 260 mmHg. "
        "Check the reading.")
    expect(page.get_by_label("Systolic (top number), mmHg")).to_have_value("400")
    expect(page.get_by_label("Systolic (top number), mmHg")).to_have_attribute(
        "aria-invalid", "true")
    assert _readings(live) == []
    _axe_clean(page)

    _reading(page, "Before the infusion", "128", "82", "72", "98")
    expect(page.get_by_role("status")).to_contain_text("Reading recorded.")
    _reading(page, "At about 40 minutes", "184", "112", "80", "97")
    expect(page.get_by_role("status")).to_contain_text(
        "Alert: Blood pressure at or above 180/110 mmHg")
    expect(page.locator(".session-alerts")).to_contain_text("184/112 mmHg")
    expect(page.locator(".missing-phases")).to_have_text("Missing: before discharge.")

    _choose(page, "Dissociation", "moderate")
    _choose(page, "Sedation", "mild")
    page.get_by_role("button", name="Record the observation").click()
    expect(page.locator(".observations")).to_contain_text("dissociation moderate, sedation mild")

    page.get_by_label("What happened").fill("Blood pressure high at 40 minutes")
    page.get_by_label("What was done").fill("Rate halved, rechecked after 15 minutes")
    page.get_by_role("button", name="Record the adverse event").click()
    expect(page.locator(".adverse-events")).to_contain_text("Rate halved")

    _choose(page, "Stable at discharge?", "Yes")
    _choose(page, "Driver present to take them home?", "Yes")
    page.get_by_role("button", name="Record the discharge").click()
    expect(page.locator(".discharge-record")).to_contain_text("stable, driver present")
    _axe_clean(page)
    _fits(page)

    assert [(r.phase, r.systolic, bool(r.alert)) for r in _readings(live)] == [
        ("before", 128, False), ("40min", 184, True)]
    with live.app.app_context():
        assert db.session.scalar(select(Discharge.driver_present)) is True
