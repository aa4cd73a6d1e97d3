"""An offline save is seen and cannot be doubled (issue 15, point 8), at 360x740 through the
form's own controls: the confirmation takes the focus, the entry stays on screen, the same
entry cannot be saved twice, and after reconnecting exactly one check-in is stored."""

from sqlalchemy import func, select

from app.checkins.models import CheckIn
from app.extensions import db
from tests.browser.conftest import (
    serious_axe_problems,
    sign_in,
    status_says,
    wait_for_service_worker,
)
from tests.browser.patient_support import Taps

SEND = "form[data-checkin] button[type=submit]"


def _checkins(live) -> int:
    with live.app.app_context():
        return db.session.scalar(select(func.count()).select_from(CheckIn))


def _focused(page) -> str:
    return page.evaluate("document.activeElement.hasAttribute('data-saved-message') ? "
                         "'confirmation' : document.activeElement.outerHTML.slice(0, 80)")


def test_an_offline_save_is_seen_kept_on_screen_and_stored_once(live, phone, shots):
    before = _checkins(live)
    sign_in(phone, live, "patient")
    phone.goto(f"{live.url}/checkin")
    wait_for_service_worker(phone)
    phone.context.set_offline(True)

    tap = Taps(phone)
    tap("label[for=mood-7]")
    tap(SEND)

    phone.wait_for_selector("[data-saved]:not([hidden])")
    assert _focused(phone) == "confirmation"
    message = phone.inner_text("[data-saved-message]")
    assert message.startswith("Saved on this phone at ") and "sent when you are back" in message
    assert phone.is_checked("#mood-7")  # not silently cleared
    assert phone.is_disabled(SEND)
    assert serious_axe_problems(phone) == []
    shots(phone, "saved-offline")

    # Filling it in again: the saved entry's controls no longer change or send anything.
    phone.locator("label[for=mood-3]").tap(force=True)  # a tap on a locked choice
    assert phone.is_checked("#mood-7") and not phone.is_checked("#mood-3")
    assert len(phone.evaluate("AftercareOutbox.waiting()")) == 1

    # "New check-in" starts another entry, with an idempotency key of its own.
    saved_key = phone.evaluate("AftercareOutbox.waiting().then(w => w[0].key)")
    phone.locator("[data-new-checkin]").tap()
    assert phone.is_enabled(SEND) and not phone.is_checked("#mood-7")
    assert phone.input_value("input[name=client_id]") not in ("", saved_key)
    assert phone.is_hidden("[data-saved]")

    phone.context.set_offline(False)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    status_says(phone, "Sent. Thank you.")
    assert _checkins(live) == before + 1
    shots(phone, "sent")


def test_the_same_entry_saved_again_while_waiting_is_stored_once(live, phone):
    """The outbox is keyed by the entry's client_id: a second save of it replaces the first."""
    before = _checkins(live)
    sign_in(phone, live, "patient")
    phone.goto(f"{live.url}/checkin")
    wait_for_service_worker(phone)
    phone.context.set_offline(True)
    Taps(phone)("label[for=mood-4]")
    Taps(phone)(SEND)
    phone.wait_for_selector("[data-saved]:not([hidden])")
    entry = phone.evaluate("AftercareOutbox.waiting().then(w => w[0])")
    phone.evaluate("entry => AftercareOutbox.save(entry)", entry)
    assert len(phone.evaluate("AftercareOutbox.waiting()")) == 1

    phone.context.set_offline(False)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    status_says(phone, "Sent. Thank you.")
    phone.evaluate("entry => AftercareOutbox.save(entry).then(() => AftercareOutbox.drain())",
                   entry)
    assert _checkins(live) == before + 1
