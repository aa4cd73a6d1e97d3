"""A worrying check-in on a phone, through the check-in page's own controls: the crisis and
clinic contacts come first, online and when the outbox sends it later (clinical.md)."""

from datetime import UTC, datetime, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from sqlalchemy import select

from app.extensions import db
from app.flags.models import Flag
from app.patients.models import Patient
from tests import factories
from tests.browser.conftest import sign_in, status_says, wait_for_service_worker

CLINIC_PHONE = "555-0100"  # the factories' clinic phone


@pytest.fixture
def just_infused(live):
    """An infusion that ended an hour ago and has no check-in: the form asks "Did you get
    home safely?"."""
    with live.app.app_context():
        patient = db.session.get(Patient, live.app.people["patient_id"])
        factories.infusion(patient, end=datetime.now(UTC) - timedelta(hours=1))
    return live


def _rules(live) -> set[str]:
    with live.app.app_context():
        return set(db.session.scalars(select(Flag.rule)))


def _crisis_comes_first(page) -> None:
    page.wait_for_selector("main section.crisis")
    first = page.evaluate("""() => [...document.querySelector('main').children]
        .find(el => el.getClientRects().length > 0).className""")
    assert first == "crisis"
    crisis = page.locator("main section.crisis")
    box = crisis.bounding_box()
    assert box["y"] < 740 and box["width"] <= 360  # on the first screen, no sideways scroll
    text = crisis.inner_text()
    assert f"Call your clinic: {CLINIC_PHONE}" in text
    assert "Call 988" in text and "Text 988" in text and "Call 911" in text
    assert "Your clinic has been alerted" in text
    assert page.locator(f"main section.crisis a[href='tel:{CLINIC_PHONE}']").is_visible()
    assert "Most side effects fade" not in page.inner_text("main")


def test_not_home_safely_with_mood_0_shows_crisis_and_clinic_phone_first(just_infused, phone):
    live = just_infused
    sign_in(phone, live, "patient")
    phone.goto(f"{live.url}/checkin")

    phone.click("label[for=mood-0]")
    phone.click("label[for=home-no]")
    phone.click("form[data-checkin] button[type=submit]")

    phone.wait_for_url("**/checkins/*")
    _crisis_comes_first(phone)
    assert {"not_home_safely", "mood_drop"} <= _rules(live)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    violations = Axe().run(phone).response["violations"]
    assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == []


def test_a_worrying_checkin_sent_later_from_the_outbox_shows_the_crisis_block(live, phone):
    sign_in(phone, live, "patient")
    phone.goto(f"{live.url}/checkin")
    wait_for_service_worker(phone)
    phone.context.set_offline(True)

    phone.click("label[for=mood-0]")
    phone.click("form[data-checkin] button[type=submit]")
    status_says(phone, "Saved on this phone; it will be sent when you are back online.")
    assert phone.locator("main section.crisis").count() == 0
    assert "mood_drop" not in _rules(live)

    phone.context.set_offline(False)
    phone.evaluate("window.dispatchEvent(new Event('online'))")

    status_says(phone, "Sent. Thank you.")
    _crisis_comes_first(phone)
    assert "mood_drop" in _rules(live)
