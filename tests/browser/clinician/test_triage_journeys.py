"""The triage queue in Chromium (issue 15, points 1 and 2): each row says why, at least 12 rows
on a 1366x900 screen, acknowledging in one click, resolving an urgent or high flag with a note
of what was done; axe on every page; screenshots kept (tests/browser/clinician/conftest.py)."""

import re

from playwright.sync_api import expect
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db
from app.flags.models import Flag, FlagStatus
from tests.browser.clinician.conftest import crowd, rows_in_view
from tests.browser.conftest import serious_axe_problems, sign_in


def _flags(live) -> list[Flag]:
    with live.app.app_context():
        found = list(db.session.scalars(select(Flag).order_by(Flag.id)))
        db.session.expunge_all()
        return found


def test_the_queue_says_why_and_shows_at_least_12_rows_at_a_desk(live, desk, shots):
    crowd(live, 11)  # 22 flags of 11 patients, and the fixture patient's severe headache
    sign_in(desk, live, "clinician")
    desk.goto(f"{live.url}/clinic/")

    expect(desk.get_by_role("heading", level=1)).to_have_text("Triage")
    desk.screenshot(path=str(shots.folder / "triage-queue-first-screen-1366x900.png"))
    assert rows_in_view(desk) >= 12
    first = desk.locator("table.queue tr.flag-row").first
    # The newest evidence comes first within "high": the fixture patient's headache 3 h ago.
    expect(first).to_contain_text("Headache 3 (severe) at 2 h")
    expect(first).to_contain_text("walked home slowly")
    expect(first).to_contain_text("No. 1")
    expect(first).to_contain_text("3 h ago")
    # One block per patient: each crowd patient's two flags sit together.
    assert desk.locator("table.queue tbody.patient-block").count() == 12
    expect(desk.locator("table.queue").get_by_text(
        re.compile(r"Mood 2 against a baseline of 7 at 2 h")).first).to_be_visible()
    assert serious_axe_problems(desk) == []
    shots(desk, "triage-queue")


def test_acknowledge_is_one_click(live, desk, shots):
    sign_in(desk, live, "clinician")
    desk.goto(f"{live.url}/clinic/")

    desk.get_by_role("button", name=re.compile("^Acknowledge")).first.click()

    expect(desk.get_by_role("status")).to_contain_text("Flag acknowledged.")
    expect(desk.locator("table.queue tr.flag-row").first).to_contain_text("acknowledged")
    assert {f.status for f in _flags(live)} == {FlagStatus.ACKNOWLEDGED}
    shots(desk, "triage-acknowledged")


def test_the_queue_works_on_a_phone(live, phone, shots):
    sign_in(phone, live, "clinician")
    phone.goto(f"{live.url}/clinic/")

    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    expect(phone.locator("table.queue tr.flag-row").first).to_contain_text(
        "Headache 3 (severe)")
    phone.get_by_role("button", name=re.compile("^Acknowledge")).first.click()
    expect(phone.get_by_role("status")).to_contain_text("Flag acknowledged.")
    assert serious_axe_problems(phone) == []
    shots(phone, "triage-queue")


def _audit(live, action: str) -> list[AuditEvent]:
    with live.app.app_context():
        found = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))
        db.session.expunge_all()
        return found


def test_resolving_a_high_flag_asks_what_was_done(live, desk, shots):
    sign_in(desk, live, "clinician")
    desk.goto(f"{live.url}/clinic/")

    desk.get_by_role("link", name=re.compile("^Resolve")).first.click()
    expect(desk.get_by_role("heading", level=1)).to_contain_text("Resolve: Severe side effect")
    expect(desk.locator("main")).to_contain_text("Headache 3 (severe) at 2 h")
    assert serious_axe_problems(desk) == []
    shots(desk, "resolve-form")
    desk.get_by_role("button", name="Resolve").click()  # no note yet

    expect(desk.get_by_role("alert")).to_contain_text("Please check the form.")
    note = desk.get_by_label("What was done")
    expect(note).to_have_attribute("aria-invalid", "true")
    expect(desk.locator("#note-error")).to_contain_text(
        "Write what was done before resolving an urgent or high flag")
    assert serious_axe_problems(desk) == []
    shots(desk, "resolve-form-error")
    assert {f.status for f in _flags(live)} == {FlagStatus.OPEN}
    note.fill("Phoned her: headache gone after paracetamol")
    desk.get_by_role("button", name="Resolve").click()

    expect(desk.get_by_role("status")).to_contain_text("Flag resolved.")
    [flag] = _flags(live)
    assert (flag.status, flag.resolve_note) == (
        FlagStatus.RESOLVED, "Phoned her: headache gone after paracetamol")
    [event] = _audit(live, "flag.resolve")
    assert event.detail["note"] == "Phoned her: headache gone after paracetamol"
    shots(desk, "resolve-done")
