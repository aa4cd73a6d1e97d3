"""A saved check-in is never filed under another person (issue 12, point 3), in real Chromium.

As the penetration test found it: patient A checks in offline on a shared browser, A's
sessions are ended from elsewhere (the lost-phone procedure), patient B signs in on the same
browser and goes online. Nothing of A's may be stored under B, A's entry is not sent, and the
device forgets what it kept.
"""

from datetime import UTC, datetime

from sqlalchemy import select

from app.auth import services as auth_services
from app.auth.models import User
from app.checkins.models import CheckIn
from app.extensions import db
from app.patients.models import Patient
from tests import factories
from tests.browser.conftest import eventually, sign_in, status_says, wait_for_service_worker

SAVED = "Saved on this phone; it will be sent when you are back online."
NOTE_OF_A = "A's private note about the weekend"
NO_OUTBOX = "indexedDB.databases().then(d => !d.some(x => x.name === 'aftercare'))"


def _sign_in_after_reconnecting(page, live, who: str) -> None:
    """Sign in as a person would right after the phone reconnects. The service worker's
    background sync may ask for a session at the same moment as the sign-in page, cookie-less
    both, and the later cookie wins: the form then answers "Please try again" (the form
    expired), and the person signs in again."""
    for _attempt in range(2):
        page.goto(f"{live.url}/login")
        page.fill("#email", live.app.people[who])
        page.fill("#password", factories.PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_load_state("networkidle")
        if "/login" not in page.url:
            return
        assert "Please try again" in page.inner_text("main"), page.inner_text("main")
    raise AssertionError("still not signed in after trying again")


def _second_patient(live) -> int:
    with live.app.app_context():
        first = db.session.scalar(select(Patient).where(
            Patient.id == live.app.people["patient_id"]))
        other = factories.patient(first.clinic, datetime.now(UTC), email="b@browser.test")
        live.app.people["patient_b"] = other.user.email
        return other.id


def _notes(live) -> list[tuple[int, str]]:
    with live.app.app_context():
        rows = db.session.execute(select(CheckIn.patient_id, CheckIn.note).order_by(CheckIn.id))
        return [tuple(row) for row in rows]


def _save_offline_as_a(live, page) -> dict:
    sign_in(page, live, "patient")
    page.goto(f"{live.url}/checkin")
    wait_for_service_worker(page)
    page.context.set_offline(True)
    page.click("label[for=mood-2]")
    page.click("summary:has-text('Add a note')")
    page.fill("#note", NOTE_OF_A)
    page.click("form[data-checkin] button[type=submit]")
    status_says(page, SAVED)
    [saved] = page.evaluate("AftercareOutbox.waiting()")
    assert saved["account"] == page.evaluate("document.body.dataset.account")
    return saved


def _end_sessions_of_a(live) -> None:
    """The clinician's "sign out everywhere" for a lost phone, done on the server."""
    with live.app.app_context():
        user = db.session.scalar(select(User).where(User.email == live.app.people["patient"]))
        assert auth_services.end_sessions(user, now=datetime.now(UTC)) == 1
        db.session.commit()


def test_a_revoked_device_forgets_a_saved_checkin_before_the_next_person_signs_in(live, page):
    patient_b = _second_patient(live)
    before = _notes(live)
    _save_offline_as_a(live, page)
    _end_sessions_of_a(live)

    # The phone changes hands: back online, B opens the sign-in page in the same tab.
    page.context.set_offline(False)
    page.goto(f"{live.url}/login")

    # The first contact (the page's or the service worker's session check, or the sign-in
    # page) tells the device its session was ended (Clear-Site-Data, proved header by header
    # in tests/web/test_outbox_accounts.py): it forgets everything.
    assert eventually(page, NO_OUTBOX), "the saved check-in is still on the device"
    assert eventually(page, "caches.keys().then(k => k.length === 0)")

    live.app.people["patient"] = live.app.people["patient_b"]
    _sign_in_after_reconnecting(page, live, "patient")  # B, on the same browser
    page.goto(f"{live.url}/")
    page.wait_for_load_state("networkidle")
    wait_for_service_worker(page)
    page.evaluate("AftercareOutbox.drain()")

    notes = _notes(live)
    assert notes == before, "A's check-in was stored"
    assert all(note != NOTE_OF_A for _, note in notes)
    assert patient_b not in {patient for patient, _ in notes}
    assert page.evaluate("AftercareOutbox.waiting()") == []


def test_an_entry_of_one_account_is_never_sent_while_another_is_signed_in(live, page):
    """Without the revocation signal (the cookie simply gone), the binding alone holds."""
    patient_b = _second_patient(live)
    before = _notes(live)
    saved = _save_offline_as_a(live, page)

    page.context.clear_cookies()  # A's sign-in is gone from this browser; A's session is not
    page.context.set_offline(False)
    live.app.people["patient"] = live.app.people["patient_b"]
    _sign_in_after_reconnecting(page, live, "patient")
    page.goto(f"{live.url}/")
    page.wait_for_load_state("networkidle")
    # The page drains on load too; a drain that finds another one running returns at once, so
    # ask until one has looked at the entry: it is another account's, not sent.
    assert eventually(page, "AftercareOutbox.drain().then(c => c.sent === 0 && c.other === 1)")
    assert _notes(live) == before
    assert patient_b not in {patient for patient, _ in _notes(live)}
    assert page.evaluate("AftercareOutbox.waiting()") == [saved]  # kept for A alone
    assert page.evaluate("document.body.dataset.account") != saved["account"]
    assert not page.is_visible("#outbox-status")  # B is not told about A's entry

    # Sent anyway (a bug, or an old copy of the app): the server refuses it, nothing stored.
    answer = page.evaluate("""entry => AftercareOutbox.freshCsrfToken().then(token => fetch(
        '/api/v1/checkins', {method: 'POST', headers: {'Content-Type': 'application/json',
        'X-CSRFToken': token}, body: JSON.stringify(Object.assign(JSON.parse(entry.body),
        {account: entry.account}))}).then(r => r.json().then(b => [r.status, b])))""", saved)
    assert answer[0] == 409
    assert answer[1]["error"]["reason"] == "account_mismatch"
    assert _notes(live) == before
