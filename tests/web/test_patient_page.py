"""The clinician's patient page opens on what matters (issue 15, point 3): a summary line
(infusion n of the series, latest mood and its baseline, PHQ-9 latest against baseline, open
flags), then the open flags in the triage queue's order, then the charts; and "sign out all
devices" asks first (point 6)."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.auth.models import AuthSession
from app.extensions import db
from app.flags.models import UNRESOLVED, Flag
from tests import factories
from tests.web.flag_support import (
    answers_totalling,
    form_actions,
    page_of,
    phq9,
    section,
    text_of,
)


@pytest.fixture
def chart(app, clock):
    """A patient two infusions in: mood 7 then a severe headache and mood 1 after the second
    (two high flags), a PHQ-9 of 20 with item 9 = 2 (urgent), then a PHQ-9 of 12."""
    now = clock()
    t0 = now - timedelta(hours=48)
    clinic = factories.clinic()
    clinician = factories.staff(clinic)
    patient = factories.patient(clinic, now - timedelta(days=14), by=clinician)
    factories.infusion(patient, end=t0 - timedelta(days=7))
    factories.checkin(patient, taken_at=t0 - timedelta(days=7) + timedelta(hours=2), mood=7)
    factories.infusion(patient, end=t0)
    factories.checkin(patient, taken_at=t0 + timedelta(hours=2), symptoms={"headache": 3})
    factories.checkin(patient, taken_at=t0 + timedelta(hours=6), mood=1, note="Worst day")
    phq9(patient, taken_at=t0 - timedelta(days=6), answers=answers_totalling(20, item9=2))
    phq9(patient, taken_at=t0 + timedelta(hours=24), answers=answers_totalling(12))
    return clinician, patient


def _page(client, patient) -> str:
    response = client.get(f"/clinic/patients/{patient.id}")
    assert response.status_code == 200
    return page_of(response)


def _open_flag_lines(page: str) -> list[str]:
    return [text_of(item) for item in re.findall(
        r'<li class="open-flag[^"]*"[^>]*>(.*?)<div class="open-flag-actions">',
        section(page, "open-flags-heading"), re.S)]


def test_the_page_opens_on_the_summary_line(chart, signed_in):
    clinician, patient = chart

    summary = text_of(section(_page(signed_in(clinician), patient), "summary-heading"))

    assert "Infusion 2 of 2 in the induction series" in summary
    assert "Latest mood 1 (baseline 7)" in summary
    assert "PHQ-9 12 (baseline 20)" in summary
    assert "3 open flags" in summary


def test_open_flags_come_most_pressing_first_in_the_queues_order(chart, signed_in):
    clinician, patient = chart

    lines = _open_flag_lines(_page(signed_in(clinician), patient))

    assert len(lines) == 3
    assert lines[0].startswith("urgent") and "PHQ-9 item 9 = 2" in lines[0]
    # within high, the newest evidence first: the mood 1 (6 h) above the headache (2 h)
    assert lines[1].startswith("high") and "Mood 1 against a baseline of 7" in lines[1]
    assert "Worst day" in lines[1]
    assert lines[2].startswith("high") and "Headache 3" in lines[2]


def test_an_escalated_urgent_flag_sits_at_the_top(chart, signed_in, clock):
    clinician, patient = chart
    flags = list(db.session.scalars(select(Flag).where(Flag.patient_id == patient.id)))
    [urgent] = [flag for flag in flags if flag.priority == 0]
    urgent.escalated_at = clock()  # the order among escalated flags: tests/unit/test_flag_reasons
    db.session.commit()

    lines = _open_flag_lines(_page(signed_in(clinician), patient))

    assert lines[0].startswith("urgent escalated")


def test_summary_then_open_flags_then_charts(chart, signed_in):
    clinician, patient = chart

    page = _page(signed_in(clinician), patient)

    positions = [page.index(f'id="{name}"') for name in (
        "summary-heading", "open-flags-heading", "trends-heading", "flags-heading")]
    assert positions == sorted(positions)


def test_open_flags_carry_their_actions_and_closed_ones_leave_the_list(chart, signed_in):
    clinician, patient = chart
    client = signed_in(clinician)
    page = _page(client, patient)
    flag_ids = [int(i) for i in re.findall(r'<li class="open-flag[^"]*" data-flag="(\d+)"',
                                           page)]
    assert form_actions(section(page, "open-flags-heading")) == [
        f"/clinic/flags/{flag_id}/{action}" for flag_id in flag_ids
        for action in ("acknowledge", "resolve")]

    response = client.form(f"/clinic/flags/{flag_ids[2]}/resolve",
                           {"note": "Phoned, paracetamol helped",
                            "back": f"/clinic/patients/{patient.id}"})

    assert response.status_code == 303
    page = _page(client, patient)
    assert len(_open_flag_lines(page)) == 2
    assert "2 open flags" in text_of(section(page, "summary-heading"))
    assert "Phoned, paracetamol helped" in section(page, "flags-heading")  # kept in history


def test_a_patient_with_nothing_yet(app, clock, signed_in):
    clinic = factories.clinic()
    clinician = factories.staff(clinic)
    patient = factories.patient(clinic, clock(), by=clinician)

    page = _page(signed_in(clinician), patient)

    summary = text_of(section(page, "summary-heading"))
    assert "No infusion given yet in the induction series" in summary
    assert "No mood yet" in summary and "No PHQ-9 yet this series" in summary
    assert "No open flags" in summary
    assert "No open flags." in section(page, "open-flags-heading")


def test_the_summary_counts_what_the_patient_list_counts(chart, signed_in):
    clinician, patient = chart
    open_count = len(list(db.session.scalars(select(Flag).where(
        Flag.patient_id == patient.id, Flag.status.in_(UNRESOLVED)))))

    summary = text_of(section(_page(signed_in(clinician), patient), "summary-heading"))

    assert f"{open_count} open flags" in summary


# --- sign out all devices asks first (issue 15, point 6) -----------------------------------

def _live_sessions(patient) -> int:
    db.session.expire_all()
    return len(list(db.session.scalars(select(AuthSession).where(
        AuthSession.user_id == patient.user_id, AuthSession.revoked_at.is_(None)))))


def test_sign_out_all_devices_asks_for_confirmation_first(app, chart, signed_in):
    clinician, patient = chart
    factories.sign_in(app, patient.user)
    client = signed_in(clinician)
    url = f"/clinic/patients/{patient.id}/sign-out"
    assert f'href="{url}"' in _page(client, patient)  # a link to the question, not a POST

    asked = client.get(url)

    page = page_of(asked)
    assert asked.status_code == 200
    assert "Sign this patient out of every device?" in page
    assert url in form_actions(page)
    assert _live_sessions(patient) == 1

    confirmed = client.form(url, {})

    assert confirmed.status_code == 302
    assert confirmed.headers["Location"].endswith(f"/clinic/patients/{patient.id}")
    assert _live_sessions(patient) == 0
