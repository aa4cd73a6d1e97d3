"""Prompt rows follow the infusion: created at the end, moved on edit, cancelled on delete."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.infusions import services as infusions
from app.notifications.models import Notification, NotificationKind, NotificationStatus
from app.prompts import services as prompts
from app.prompts.models import Prompt, PromptStatus
from tests import factories

# 16:00 UTC on 3 March 2026 is 11:00 in New York: the whole default ladder is in daytime
# except none; 2 h -> 13:00, 6 h -> 17:00, 24/48/72 h -> 11:00 on later days.
END = datetime(2026, 3, 3, 16, 0, tzinfo=UTC)


def _prompts(infusion_id: int) -> dict[str, Prompt]:
    return {p.slot: p for p in db.session.scalars(
        select(Prompt).where(Prompt.infusion_id == infusion_id))}


def _notifications(prompt: Prompt) -> dict[NotificationKind, Notification]:
    return {n.kind: n for n in db.session.scalars(
        select(Notification).where(Notification.prompt_id == prompt.id))}


@pytest.fixture
def patient(app, clock):
    clock.now = END - timedelta(hours=1)
    return factories.patient(factories.clinic(), clock())


def test_recording_the_end_creates_the_ladder_and_the_reminder_follows_the_push(patient, clock):
    infusion = factories.infusion(patient, end=END)

    rows = _prompts(infusion.id)

    assert {slot: p.due_at - END for slot, p in rows.items()} == {
        "2h": timedelta(hours=2), "6h": timedelta(hours=6), "24h": timedelta(hours=24),
        "48h": timedelta(hours=48), "72h": timedelta(hours=72)}
    assert all(p.status == PromptStatus.PENDING for p in rows.values())
    # each answerable until the next one, the last one for 24 hours
    assert rows["2h"].window_ends_at == rows["6h"].due_at
    assert rows["72h"].window_ends_at == rows["72h"].due_at + timedelta(hours=24)
    two = _notifications(rows["2h"])
    assert two[NotificationKind.PROMPT].due_at == rows["2h"].due_at
    assert NotificationKind.REMINDER not in two  # timed from when the prompt reaches the patient
    reached = rows["2h"].due_at + timedelta(minutes=7)
    assert factories.send_due(reached) == {"sent": 1}
    assert _notifications(rows["2h"])[NotificationKind.REMINDER].due_at == \
        reached + timedelta(hours=2)


def test_a_slot_in_quiet_hours_moves_to_their_end(app, clock):
    clock.now = datetime(2026, 3, 3, 20, 0, tzinfo=UTC)
    patient = factories.patient(factories.clinic(), clock())
    # Ends 20:00 New York (01:00 UTC): +2 h = 22:00, quiet -> 08:00 next morning (13:00 UTC).
    infusion = factories.infusion(patient, end=datetime(2026, 3, 4, 1, 0, tzinfo=UTC))

    assert _prompts(infusion.id)["2h"].due_at == datetime(2026, 3, 4, 13, 0, tzinfo=UTC)


def test_editing_the_end_reschedules_unsent_prompts(patient, clock):
    infusion = factories.infusion(patient, end=END)
    later = END + timedelta(hours=1)

    infusions.edit(infusion, {"actual_end": later}, by=patient.user, now=clock())
    db.session.commit()

    rows = _prompts(infusion.id)
    assert rows["2h"].due_at == later + timedelta(hours=2)
    assert _notifications(rows["2h"])[NotificationKind.PROMPT].due_at == rows["2h"].due_at
    assert len(_prompts(infusion.id)) == 5  # moved, not duplicated


def test_a_prompt_already_sent_keeps_its_time_when_the_infusion_is_edited(patient, clock):
    infusion = factories.infusion(patient, end=END)
    first = _prompts(infusion.id)["2h"]
    sent_at = first.due_at
    _notifications(first)[NotificationKind.PROMPT].status = NotificationStatus.SENT
    db.session.commit()

    infusions.edit(infusion, {"actual_end": END + timedelta(hours=1)}, by=patient.user,
                   now=clock())
    db.session.commit()

    assert _prompts(infusion.id)["2h"].due_at == sent_at
    assert _prompts(infusion.id)["6h"].due_at == END + timedelta(hours=7)


def test_deleting_the_infusion_leaves_nothing_to_send(patient, clock):
    infusion = factories.infusion(patient, end=END)

    infusions.delete(infusion)
    db.session.commit()

    assert db.session.scalars(select(Prompt).where(Prompt.infusion_id.is_not(None))).all() == []
    assert db.session.scalars(select(Notification).join(Notification.prompt).where(
        Prompt.infusion_id.is_not(None))).all() == []


def test_a_duplicate_prompt_is_impossible(patient):
    infusion = factories.infusion(patient, end=END)
    db.session.add(Prompt(patient_id=patient.id, infusion_id=infusion.id, slot="2h", due_at=END,
                          window_ends_at=END + timedelta(hours=1)))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_scheduling_twice_changes_nothing(patient, clock):
    infusion = factories.infusion(patient, end=END)
    before = {(p.slot, p.due_at, p.window_ends_at) for p in _prompts(infusion.id).values()}

    prompts.schedule_for_infusion(infusion, now=clock())
    db.session.commit()

    assert {(p.slot, p.due_at, p.window_ends_at) for p in _prompts(infusion.id).values()} == \
        before
    assert len(db.session.scalars(select(Notification).join(Notification.prompt).where(
        Prompt.infusion_id == infusion.id)).all()) == 5  # a push each, no reminder yet


def test_readiness_prompt_the_evening_before_a_planned_infusion(patient, clock):
    planned = datetime(2026, 3, 6, 15, 0, tzinfo=UTC)  # Friday 10:00 New York
    infusion = infusions.record(patient, {"planned_start": planned}, by=patient.user,
                                now=clock())
    db.session.commit()

    readiness = _prompts(infusion.id)["readiness"]
    assert readiness.due_at == datetime(2026, 3, 5, 23, 0, tzinfo=UTC)  # Thursday 18:00
    assert readiness.window_ends_at == readiness.due_at + timedelta(hours=16)  # until it starts


def test_the_next_infusion_ends_the_earlier_ladder(patient, clock):
    first = factories.infusion(patient, end=END)
    factories.infusion(patient, end=END + timedelta(hours=47))  # started 46 h 20 min after

    slots = {slot: p.status for slot, p in _prompts(first.id).items()}
    assert slots["24h"] == PromptStatus.PENDING
    assert slots["48h"] == slots["72h"] == PromptStatus.CANCELLED


def test_a_checkin_inside_the_window_answers_the_prompt(patient, clock):
    infusion = factories.infusion(patient, end=END)
    factories.send_due(END + timedelta(hours=2))
    checkin = factories.checkin(patient, taken_at=END + timedelta(hours=2, minutes=30))

    rows = _prompts(infusion.id)
    assert rows["2h"].status == PromptStatus.ANSWERED
    assert rows["2h"].answered_checkin_id == checkin.id
    assert rows["6h"].status == PromptStatus.PENDING
    reminder = _notifications(rows["2h"])[NotificationKind.REMINDER]
    assert reminder.status == NotificationStatus.CANCELLED


def test_a_checkin_before_the_prompt_is_due_answers_nothing(patient, clock):
    infusion = factories.infusion(patient, end=END)
    factories.checkin(patient, taken_at=END + timedelta(hours=1))

    assert all(p.status == PromptStatus.PENDING for p in _prompts(infusion.id).values())


def test_prompts_whose_window_closed_are_missed(patient, clock):
    infusion = factories.infusion(patient, end=END)
    factories.send_due(END + timedelta(hours=2))  # the 2 h prompt reached the patient

    # only the 2 h prompt
    assert prompts.mark_missed(END + timedelta(hours=6)) == {"missed": 1, "not_sent": 0}
    assert prompts.mark_missed(END + timedelta(hours=6)) == {"missed": 0, "not_sent": 0}
    db.session.commit()

    rows = _prompts(infusion.id)
    assert rows["2h"].status == PromptStatus.MISSED
    assert _notifications(rows["2h"])[NotificationKind.REMINDER].status == \
        NotificationStatus.CANCELLED
    assert rows["6h"].status == PromptStatus.PENDING


def test_a_prompt_that_never_reached_the_patient_is_not_sent_not_missed(patient, clock):
    infusion = factories.infusion(patient, end=END)  # and no send job ran in the 2 h window

    assert prompts.mark_missed(END + timedelta(hours=6)) == {"missed": 0, "not_sent": 1}
    db.session.commit()

    rows = _prompts(infusion.id)
    assert rows["2h"].status == PromptStatus.NOT_SENT
    assert _notifications(rows["2h"]) == {NotificationKind.PROMPT: _notifications(rows["2h"])[
        NotificationKind.PROMPT]}  # no reminder was ever made
    assert _notifications(rows["2h"])[NotificationKind.PROMPT].status == \
        NotificationStatus.CANCELLED
    assert factories.send_due(END + timedelta(hours=6)) == {"sent": 1}  # the 6 h one only


def test_open_prompts_are_those_answerable_now(patient, clock):
    factories.infusion(patient, end=END)

    assert prompts.open_prompts(patient.id, END + timedelta(hours=1)) == []
    assert [p.slot for p in prompts.open_prompts(patient.id, END + timedelta(hours=3))] == ["2h"]
    assert [p.slot for p in prompts.open_prompts(patient.id, END + timedelta(hours=6))] == ["6h"]


def test_a_reminder_never_falls_in_quiet_hours(app, clock):
    clock.now = datetime(2026, 3, 3, 20, 0, tzinfo=UTC)
    patient = factories.patient(factories.clinic(), clock())
    # Ends 20:30 New York: the 72 h prompt is at 20:30, its reminder at 22:30 is quiet.
    infusion = factories.infusion(patient, end=datetime(2026, 3, 4, 1, 30, tzinfo=UTC))

    last = _prompts(infusion.id)["72h"]
    assert last.due_at == datetime(2026, 3, 7, 1, 30, tzinfo=UTC)
    factories.send_due(last.due_at)
    reminder = _notifications(last)[NotificationKind.REMINDER]
    assert reminder.due_at == datetime(2026, 3, 7, 13, 0, tzinfo=UTC)  # 08:00 the next morning


def test_no_reminder_when_it_would_come_with_the_next_prompt(app, clock):
    clock.now = datetime(2026, 3, 3, 20, 0, tzinfo=UTC)
    patient = factories.patient(factories.clinic(), clock())
    # Ends 17:40: 2 h prompt 19:40, window until the 6 h prompt (23:40 -> 08:00). Its
    # reminder (21:40, quiet -> 08:00) would arrive with that prompt: there is none.
    infusion = factories.infusion(patient, end=datetime(2026, 3, 3, 22, 40, tzinfo=UTC))
    factories.send_due(datetime(2026, 3, 4, 0, 40, tzinfo=UTC))

    assert _notifications(_prompts(infusion.id)["2h"])[NotificationKind.PROMPT].status == \
        NotificationStatus.SENT
    assert NotificationKind.REMINDER not in _notifications(_prompts(infusion.id)["2h"])
