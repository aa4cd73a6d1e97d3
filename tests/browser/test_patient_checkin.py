"""The common check-in in two taps at 360x740, through the form's own controls (issue 15,
point 7): the mood, then Send, nothing scrolls. Last time's side effects are asked first."""

import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.checkins.models import CheckIn
from app.extensions import db
from app.patients.models import Patient
from tests import factories
from tests.browser.conftest import serious_axe_problems, sign_in
from tests.browser.patient_support import Taps, fits_the_screen_width

SEND = "form[data-checkin] button[type=submit]"


def _latest(live) -> tuple[int, dict[str, int]]:
    with live.app.app_context():
        checkin = db.session.scalars(select(CheckIn).order_by(CheckIn.id.desc())).first()
        return checkin.mood, {s.code: s.severity for s in checkin.symptoms}


def _count(live) -> int:
    with live.app.app_context():
        return len(db.session.scalars(select(CheckIn.id)).all())


def _without_side_effects_last_time(live) -> None:
    with live.app.app_context():
        patient = db.session.get(Patient, live.app.people["patient_id"])
        factories.checkin(patient, taken_at=datetime.now(UTC) - timedelta(hours=1), mood=6)


def _timed_checkin(phone, live, taps: Taps, steps: list[str]) -> float:
    phone.goto(f"{live.url}/checkin")
    start = time.monotonic()
    for selector in steps:
        taps(selector)
    phone.wait_for_url("**/checkins/*")
    return time.monotonic() - start


def test_feeling_7_with_no_side_effects_takes_two_taps_and_no_scrolling(live, phone, shots):
    _without_side_effects_last_time(live)
    before = _count(live)
    sign_in(phone, live, "patient")
    phone.goto(f"{live.url}/checkin")
    assert fits_the_screen_width(phone)
    assert phone.locator("details[data-side-effects] > summary").inner_text().startswith(
        "No side effects")
    assert phone.locator("fieldset.asked").count() == 0
    assert serious_axe_problems(phone) == []
    shots(phone, "form")

    taps = Taps(phone)
    seconds = _timed_checkin(phone, live, taps, ["label[for=mood-7]", SEND])

    assert taps.count == 2
    assert "Thank you" in phone.inner_text("main")
    assert _count(live) == before + 1
    mood, symptoms = _latest(live)
    assert mood == 7 and set(symptoms.values()) == {0} and len(symptoms) == 8
    shots(phone, "saved")
    print(f"\ncheck-in 'mood 7, no side effects': {taps.count} taps, {seconds:.1f} s")


def test_last_times_side_effects_are_asked_first_on_the_first_screen(live, phone, shots):
    # The fixture's last check-in reported a headache (severe) and nausea (mild).
    sign_in(phone, live, "patient")
    phone.goto(f"{live.url}/checkin")
    asked = phone.locator("fieldset.asked legend").all_inner_texts()
    assert asked == ["Still have the headache?", "Still feeling sick (nausea)?"]
    assert phone.locator("details[data-side-effects] > summary").inner_text().startswith(
        "No other side effects")
    assert serious_axe_problems(phone) == []
    shots(phone, "asked-first")

    taps = Taps(phone)
    seconds = _timed_checkin(phone, live, taps, [
        "label[for=mood-6]", "label[for=symptom-headache-1]", SEND])

    assert taps.count == 3
    mood, symptoms = _latest(live)
    assert (mood, symptoms["headache"], symptoms["nausea"]) == (6, 1, 0)
    print(f"\ncheck-in 'mood 6, headache now mild, nausea gone': {taps.count} taps, "
          f"{seconds:.1f} s")


def test_the_side_effect_list_opens_on_demand(live, phone, shots):
    _without_side_effects_last_time(live)
    sign_in(phone, live, "patient")
    phone.goto(f"{live.url}/checkin")
    assert not phone.locator("label[for=symptom-anxiety-2]").is_visible()

    taps = Taps(phone, scrolling=True)
    start = time.monotonic()
    taps("label[for=mood-5]")
    taps("details[data-side-effects] > summary")
    taps("label[for=symptom-anxiety-2]")
    summary = phone.locator("details[data-side-effects] [data-summary]").inner_text()
    assert summary == "1 side effect chosen"
    assert fits_the_screen_width(phone)
    assert serious_axe_problems(phone) == []
    shots(phone, "list-open")
    taps(SEND)
    phone.wait_for_url("**/checkins/*")
    seconds = time.monotonic() - start

    assert taps.count == 4
    mood, symptoms = _latest(live)
    assert (mood, symptoms["anxiety"], symptoms["headache"]) == (5, 2, 0)
    print(f"\ncheck-in 'mood 5, a new side effect': {taps.count} taps, {seconds:.1f} s")
