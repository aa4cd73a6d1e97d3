"""Every job survives one broken unit of work, and a re-opened safety flag escalates again.

The broken unit is real: a database trigger makes every write of one row fail (no mocks).
Each job must still finish every other unit in the same run, record the run as failed, and
redo the broken unit on a later run once the row can be written again.
"""

import logging
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.auth.models import Role
from app.extensions import db
from app.flags import services as flags
from app.flags.models import Flag, FlagStatus
from app.jobruns.models import JobRun
from app.notifications import outbox
from app.notifications import services as notifications
from app.notifications.models import Notification, NotificationKind, NotificationStatus
from app.phq9 import services as phq9
from app.prompts.models import Prompt, PromptStatus
from jobs.runner import run_job
from jobs.schedule import JOBS
from tests import factories
from tests.broken_rows import broken

END = datetime(2026, 3, 3, 16, 0, tzinfo=UTC)
H = timedelta(hours=1)
MINUTE = timedelta(minutes=1)
JOB = {job.name: job for job in JOBS}


@pytest.fixture
def break_rows(app):
    made = []

    def make(table, column, value):
        made.append(broken(table, column, value))
        return made[-1]

    yield make
    for fault in made:
        fault.mend()


@pytest.fixture
def clinic(app, clock):
    clock.now = END - H
    return factories.clinic()


def _run(app, name, now):
    summary = run_job(app, JOB[name], now)
    db.session.expire_all()
    return summary


def _job_run(name) -> JobRun:
    db.session.expire_all()
    return db.session.get(JobRun, name)


def _safety_answer(patient, at: datetime):
    phq9.submit(patient, {"client_id": uuid.uuid4(), "taken_at": at,
                          "answers": [2, 2, 1, 1, 1, 2, 1, 0, 1]}, now=at)
    db.session.commit()


def _escalations(flag_id) -> set[tuple[int, int]]:
    db.session.expire_all()
    return set(db.session.execute(select(Notification.user_id, Notification.escalation_round)
                                  .where(Notification.flag_id == flag_id)).all())


# --- point 2: a re-opened urgent flag escalates again ------------------------------------------

def test_a_reopened_safety_flag_escalates_again_30_minutes_after_the_new_answer(app, clinic):
    clinician, admin = factories.staff(clinic), factories.staff(clinic, Role.ADMIN)
    first = factories.patient(clinic, END - H, by=clinician)
    other = factories.patient(clinic, END - H, by=clinician)
    staff_ids = {clinician.id, admin.id}

    _safety_answer(first, END)
    assert _run(app, "escalate", END + 30 * MINUTE) == {"escalated": 1}
    flag = db.session.scalar(select(Flag).where(Flag.patient_id == first.id))
    assert _escalations(flag.id) == {(user_id, 1) for user_id in staff_ids}
    flag = db.session.get(Flag, flag.id)
    assert flags.acknowledge(flag, by=clinician, now=END + 40 * MINUTE)
    db.session.commit()

    again = END + 3 * H  # a second safety answer, and another patient's first, at once
    _safety_answer(first, again)
    _safety_answer(other, again)
    flag = db.session.get(Flag, flag.id)
    assert (flag.status, flag.opened_at, flag.escalated_at) == (FlagStatus.OPEN, again, None)

    assert _run(app, "escalate", again + 29 * MINUTE) == {"escalated": 0}
    assert _escalations(flag.id) == {(user_id, 1) for user_id in staff_ids}

    assert _run(app, "escalate", again + 30 * MINUTE) == {"escalated": 2}
    assert _escalations(flag.id) == {(user_id, r) for user_id in staff_ids for r in (1, 2)}
    other_flag = db.session.scalar(select(Flag).where(Flag.patient_id == other.id))
    assert _escalations(other_flag.id) == {(user_id, 1) for user_id in staff_ids}
    assert db.session.get(Flag, flag.id).escalated_at == again + 30 * MINUTE
    due = db.session.scalars(select(Notification).where(
        Notification.flag_id == flag.id, Notification.escalation_round == 2)).all()
    assert {(n.kind, n.status, n.due_at) for n in due} == {
        (NotificationKind.ESCALATION, NotificationStatus.DUE, again + 30 * MINUTE)}
    assert _job_run("escalate").failures == 0
    first_round = db.session.scalars(select(Notification).where(
        Notification.flag_id == flag.id, Notification.escalation_round == 1)).first()
    assert outbox.payload(due[0])["tag"] != outbox.payload(first_round)["tag"]  # alerts anew

    assert _run(app, "escalate", again + 31 * MINUTE) == {"escalated": 0}  # once per round


# --- point 2: one broken unit never stops the others -------------------------------------------

def test_escalate_with_one_broken_flag_escalates_the_others_and_retries_it(
        app, clock, clinic, break_rows, caplog):
    factories.staff(clinic)
    stuck, fine = (factories.patient(clinic, END - H) for _ in range(2))
    _safety_answer(stuck, END)
    _safety_answer(fine, END)
    stuck_flag, fine_flag = (db.session.scalar(select(Flag.id).where(Flag.patient_id == p.id))
                             for p in (stuck, fine))
    fault = break_rows("notification", "flag_id", stuck_flag)

    with caplog.at_level(logging.ERROR, logger="aftercare.jobs"):
        assert _run(app, "escalate", END + 30 * MINUTE) == {"escalated": 1, "failed": 1}
    [logged] = [r.getMessage() for r in caplog.records if r.name == "aftercare.jobs"]
    error = _job_run("escalate").last_error
    assert logged == f"job escalate: flag {stuck_flag} failed ({error}); retried on a later run"
    assert "broken on purpose" not in caplog.text and stuck.display_name not in caplog.text
    assert _escalations(fine_flag) and not _escalations(stuck_flag)
    assert db.session.get(Flag, stuck_flag).escalated_at is None  # rolled back alone
    _assert_failed(clock, "escalate")

    fault.mend()
    assert _run(app, "escalate", END + 31 * MINUTE) == {"escalated": 1}
    assert _escalations(stuck_flag)
    _assert_succeeded(clock, "escalate")


def test_mark_missed_with_one_broken_prompt_marks_the_others_and_retries_it(
        app, clock, clinic, break_rows):
    stuck, fine = (factories.patient(clinic, END - H) for _ in range(2))
    for patient in (stuck, fine):
        factories.infusion(patient, end=END)
    stuck_prompt, fine_prompt = (db.session.scalar(select(Prompt.id).where(
        Prompt.patient_id == p.id, Prompt.slot == "2h")) for p in (stuck, fine))
    factories.send_due(END + 2 * H)  # both prompts reached their patients
    fault = break_rows("prompt", "id", stuck_prompt)

    assert _run(app, "mark_missed", END + 6 * H) == {"missed": 1, "not_sent": 0, "failed": 1}
    assert _prompt_status(fine_prompt) == PromptStatus.MISSED
    assert _prompt_status(stuck_prompt) == PromptStatus.PENDING
    _assert_failed(clock, "mark_missed")

    fault.mend()
    assert _run(app, "mark_missed", END + 6 * H + 5 * MINUTE) == {"missed": 1, "not_sent": 0}
    assert _prompt_status(stuck_prompt) == PromptStatus.MISSED
    _assert_succeeded(clock, "mark_missed")


def test_evaluate_flags_with_one_broken_patient_flags_the_others_and_retries_it(
        app, clock, clinic, break_rows):
    stuck, fine = (factories.patient(clinic, END - H) for _ in range(2))
    for patient in (stuck, fine):
        factories.infusion(patient, end=END)
        for hours in (2, 6, 26):  # a headache still there at 26 h: flags the job raises
            factories.checkin(patient, taken_at=END + hours * H, symptoms={"headache": 1})
    assert _rules(stuck) == _rules(fine) == set()  # nothing at submission
    fault = break_rows("flag", "patient_id", stuck.id)

    assert _run(app, "evaluate_flags", END + 33 * H) == {"patients": 2, "opened": 2, "failed": 1}
    assert _rules(fine) == {"persistent_symptom", "unresolved_symptom"}
    assert _rules(stuck) == set()
    _assert_failed(clock, "evaluate_flags")

    fault.mend()
    assert _run(app, "evaluate_flags", END + 33 * H + 10 * MINUTE) == {"patients": 2, "opened": 2}
    assert _rules(stuck) == {"persistent_symptom", "unresolved_symptom"}
    _assert_succeeded(clock, "evaluate_flags")


def test_send_notifications_with_one_broken_message_sends_the_others_and_retries_it(
        app, clock, clinic, push_service, break_rows):
    devices = {}
    for _ in range(2):
        patient = factories.patient(clinic, END - H)
        factories.infusion(patient, end=END)
        device = push_service.new_device()
        notifications.upsert_subscription(patient.user_id,
                                          device.subscription(push_service.base_url), now=END)
        db.session.commit()
        prompt_id = db.session.scalar(select(Prompt.id).where(
            Prompt.patient_id == patient.id, Prompt.slot == "2h"))
        notification = db.session.scalar(select(Notification.id).where(
            Notification.prompt_id == prompt_id, Notification.kind == NotificationKind.PROMPT))
        devices[notification] = device
    stuck, fine = devices
    fault = break_rows("delivery_attempt", "notification_id", stuck)

    first = END + 2 * H + MINUTE
    assert _run(app, "send_notifications", first) == {"claimed": 2, "sent": 1, "error": 1,
                                                 "failed": 1}
    assert _notification_status(fine) == NotificationStatus.SENT
    assert _notification_status(stuck) == NotificationStatus.SENDING  # its claim stays
    _assert_failed(clock, "send_notifications")

    fault.mend()
    retry = first + app.config["PUSH_LEASE"] + MINUTE
    assert _run(app, "send_notifications", retry) == {"claimed": 1, "sent": 1}
    assert _notification_status(stuck) == NotificationStatus.SENT
    assert len(push_service.deliveries_to(devices[fine])) == 1
    assert push_service.deliveries_to(devices[stuck])
    _assert_succeeded(clock, "send_notifications")


def _assert_failed(clock, name):
    row = _job_run(name)
    assert (row.last_started_at, row.last_failure_at, row.last_success_at) == (
        clock(), clock(), None)
    assert row.failures == 1
    assert row.last_error.endswith("Error")  # an exception class name, never its message


def _assert_succeeded(clock, name):
    row = _job_run(name)
    assert (row.last_success_at, row.failures) == (clock(), 0)
    assert row.last_failure_at == clock() and row.last_error  # the last failure is kept


def _prompt_status(prompt_id) -> PromptStatus:
    db.session.expire_all()
    return db.session.get(Prompt, prompt_id).status


def _notification_status(notification_id) -> NotificationStatus:
    db.session.expire_all()
    return db.session.get(Notification, notification_id).status


def _rules(patient) -> set[str]:
    db.session.expire_all()
    return set(db.session.scalars(select(Flag.rule).where(Flag.patient_id == patient.id)))
