"""History and account pages at 360x740 (issue 15, point 12): the history's series headings
newest first with their infusions in order, and the account page's devices told apart in
words with every button a full-size target (44 px at least)."""

from datetime import UTC, datetime, timedelta

from app.auth import services as auth_services
from app.auth.models import User
from app.extensions import db
from app.infusions import services as infusion_services
from app.patients.models import Patient
from tests import factories
from tests.browser.conftest import serious_axe_problems, sign_in
from tests.browser.patient_support import fits_the_screen_width

HEADINGS = "[data-series] h2, [data-series] h3[data-infusion]"


def _maintenance_after_the_induction(live) -> None:
    """The fixture's induction infusion 1 (ended 5 h ago, a check-in at 3 h ago), then a
    maintenance series (started after the induction one) whose infusion 1 ended an hour ago,
    with a check-in since."""
    with live.app.app_context():
        patient = db.session.get(Patient, live.app.people["patient_id"])
        by = db.session.get(User, patient.created_by_id)
        now = datetime.now(UTC)
        infusion_services.start_maintenance(patient, by=by, now=datetime.now(UTC))
        db.session.commit()
        factories.infusion(patient, end=now - timedelta(hours=1), by=by)
        factories.checkin(patient, taken_at=now - timedelta(minutes=20), mood=8)


def _another_device(live) -> None:
    with live.app.app_context():
        patient = db.session.get(Patient, live.app.people["patient_id"])
        auth_services.start_session(patient.user, now=datetime.now(UTC) - timedelta(days=1),
                                    lifetime=timedelta(days=30), idle_timeout=None,
                                    device="Safari on iPhone")
        db.session.commit()


def test_history_is_grouped_by_series_newest_first(live, phone, shots):
    _maintenance_after_the_induction(live)
    sign_in(phone, live, "patient")
    phone.goto(f"{live.url}/history")

    headings = [" ".join(text.split()).split(" ·")[0]
                for text in phone.locator(HEADINGS).all_inner_texts()]
    assert headings == ["Maintenance series", "Infusion 1", "Induction series", "Infusion 1"]
    tops = [box["y"] for box in (h.bounding_box() for h in phone.locator(HEADINGS).all())]
    assert tops == sorted(tops)  # shown in that order, top to bottom
    assert "Mood 8 out of 10" in phone.inner_text("[data-series] >> nth=0")
    assert "Mood 5 out of 10" in phone.inner_text("[data-series] >> nth=1")
    assert fits_the_screen_width(phone)
    assert serious_axe_problems(phone) == []
    shots(phone, "history")


def test_account_buttons_are_full_size_and_devices_told_apart(live, phone, shots):
    _another_device(live)
    sign_in(phone, live, "patient")
    phone.goto(f"{live.url}/account")
    phone.wait_for_selector("#reminders:not([hidden])")

    labels = phone.locator("[data-device-label]").all_inner_texts()
    assert len(labels) == 2
    assert labels[0].startswith("Chrome on ") and ", last used today at " in labels[0]
    assert labels[1].startswith("Safari on iPhone, last used yesterday at ")
    buttons = phone.locator("main button:visible").all()
    assert len(buttons) >= 5  # sign out here, reminders, two devices, every other, password
    small = [(b.inner_text(), box) for b in buttons
             if (box := b.bounding_box())["height"] < 44 or box["width"] < 44]
    assert small == []
    assert fits_the_screen_width(phone)
    assert serious_axe_problems(phone) == []
    shots(phone, "account")
