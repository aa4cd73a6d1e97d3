"""Flags from real submissions and the jobs: the scenario, idempotence, escalation."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.auth.models import Role
from app.extensions import db
from app.flags import services as flags
from app.flags.models import Flag, FlagEvidence, FlagStatus
from app.notifications import services as notifications
from app.notifications.models import Notification, NotificationKind
from app.phq9 import services as phq9
from jobs import send_notifications
from jobs.runner import run_all
from tests import factories

END = datetime(2026, 3, 3, 16, 0, tzinfo=UTC)
H = timedelta(hours=1)


def _flags() -> set[tuple]:
    return {(f.rule, f.symptom, f.infusion.number if f.infusion else None, f.status.value)
            for f in db.session.scalars(select(Flag))}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def patient(app, clock):
    clock.now = END - H
    return factories.patient(factories.clinic(), clock())


def test_scenario_lasting_headache_job_at_30_and_32_hours(app, clock, patient):
    factories.infusion(patient, end=END)
    factories.checkin(patient, taken_at=END + 2 * H, mood=6, symptoms={
        "headache": 2, "dissociation": 2, "nausea": 1})
    factories.checkin(patient, taken_at=END + 6 * H, mood=6, symptoms={
        "headache": 2, "dissociation": 0, "nausea": 0})
    factories.checkin(patient, taken_at=END + 26 * H, mood=7, symptoms={
        "headache": 1, "dissociation": 0, "nausea": 0})
    assert _flags() == set()  # nothing severe, no mood drop: nothing at submission

    # At 30 h the last report (26 h) is only 4 h old: not yet 6 h of silence.
    assert run_all(app, END + 30 * H)["evaluate_flags"] == {"patients": 1, "opened": 1}
    summary = run_all(app, END + 32 * H)

    assert summary["evaluate_flags"] == {"patients": 1, "opened": 1}
    assert _flags() == {("persistent_symptom", "headache", 1, "open"),
                        ("unresolved_symptom", "headache", 1, "open")}
    persistent = db.session.scalar(select(Flag).where(Flag.rule == "persistent_symptom"))
    assert [e.kind for e in persistent.evidence] == ["checkin"]


def test_running_the_job_twice_changes_nothing(app, clock, patient):
    factories.infusion(patient, end=END)
    factories.checkin(patient, taken_at=END + 26 * H, symptoms={"nausea": 1})
    run_all(app, END + 31 * H)
    before = (_flags(), _count(FlagEvidence), _count(Notification))

    second = run_all(app, END + 31 * H)

    assert second["evaluate_flags"]["opened"] == 0
    assert (_flags(), _count(FlagEvidence), _count(Notification)) == before


def test_a_resolved_flag_returns_only_with_new_evidence(app, clock, patient):
    factories.infusion(patient, end=END)
    factories.checkin(patient, taken_at=END + 25 * H, symptoms={"nausea": 2})
    run_all(app, END + 25 * H)
    flag = db.session.scalar(select(Flag).where(Flag.rule == "persistent_symptom"))
    flags.resolve(flag, by=patient.user, now=END + 26 * H, note="called, fine")
    db.session.commit()

    run_all(app, END + 27 * H)
    persistent = select(func.count()).select_from(Flag).where(Flag.rule == "persistent_symptom")
    assert db.session.scalar(persistent) == 1  # the same check-in does not raise it again

    factories.checkin(patient, taken_at=END + 47 * H, symptoms={"nausea": 1})
    run_all(app, END + 48 * H)
    assert sorted(f.status.value for f in db.session.scalars(
        select(Flag).where(Flag.rule == "persistent_symptom"))) == ["open", "resolved"]


def test_severe_symptom_and_mood_drop_are_raised_at_submission(app, clock, patient):
    factories.infusion(patient, end=END)
    factories.checkin(patient, taken_at=END + 2 * H, mood=6)
    factories.checkin(patient, taken_at=END + 3 * H, mood=3, symptoms={"vision": 3})

    assert _flags() == {("severe_symptom", "vision", 1, "open"), ("mood_drop", None, 1, "open")}


def test_a_replayed_checkin_raises_nothing_twice(app, clock, patient, signed_in):
    factories.infusion(patient, end=END)
    clock.now = END + 2 * H
    client = signed_in(patient.user)
    body = {"client_id": str(uuid.uuid4()), "taken_at": clock.now.isoformat(), "mood": 1,
            "symptoms": [{"code": "headache", "severity": 4}]}

    for _ in range(3):
        assert client.api("POST", "/api/v1/checkins", json=body).status_code in (200, 201)

    assert _count(Flag) == 2
    assert _count(FlagEvidence) == 2


def _safety_answer(patient, at: datetime):
    response, _ = phq9.submit(patient, {"client_id": uuid.uuid4(), "taken_at": at,
                                        "answers": [2, 2, 1, 1, 1, 2, 1, 0, 1]}, now=at)
    db.session.commit()
    return response


def test_a_safety_answer_opens_an_urgent_flag_at_once(app, clock, patient):
    _safety_answer(patient, END)

    flag = db.session.scalar(select(Flag))
    assert (flag.rule, flag.priority, flag.status) == ("safety", 0, FlagStatus.OPEN)
    assert flag.created_at == END


def test_unacknowledged_safety_flag_escalates_after_30_minutes(app, clock, patient,
                                                               push_service):
    clinic = patient.clinic
    staff = [factories.staff(clinic), factories.staff(clinic, Role.ADMIN)]
    other_clinic = factories.staff(factories.clinic())
    device = push_service.new_device()
    notifications.upsert_subscription(staff[0].id, device.subscription(push_service.base_url),
                                      now=END)
    _safety_answer(patient, END)

    assert flags.escalate(END + 29 * H / 60) == 0
    assert flags.escalate(END + 30 * H / 60) == 1
    assert flags.escalate(END + 31 * H / 60) == 0  # once
    db.session.commit()

    recipients = set(db.session.scalars(select(Notification.user_id).where(
        Notification.kind == NotificationKind.ESCALATION)))
    creator = patient.created_by_id
    assert recipients == {s.id for s in staff} | {creator}
    assert other_clinic.id not in recipients
    assert db.session.scalar(select(Flag.escalated_at)) == END + 30 * H / 60

    send_notifications.run(END + 31 * H / 60)
    [delivery] = [d for d in push_service.deliveries_to(device)]
    assert delivery.payload["body"] == "An urgent flag is waiting for a clinician"
    assert delivery.payload["url"] == "/clinic/"
    assert "safety" not in str(delivery.payload).lower()
    assert patient.display_name not in str(delivery.payload)


def test_acknowledged_in_time_no_escalation(app, clock, patient):
    _safety_answer(patient, END)
    flag = db.session.scalar(select(Flag))
    assert flags.acknowledge(flag, by=patient.user, now=END + 10 * H / 60)
    assert not flags.acknowledge(flag, by=patient.user, now=END + 11 * H / 60)  # harmless
    db.session.commit()

    assert flags.escalate(END + 2 * H) == 0
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.flag_id.is_not(None))) == 0


def test_acknowledged_after_escalation_cancels_unsent_pushes(app, clock, patient):
    factories.staff(patient.clinic)
    _safety_answer(patient, END)
    flags.escalate(END + H)
    flag = db.session.scalar(select(Flag))
    flags.acknowledge(flag, by=patient.user, now=END + H)
    db.session.commit()

    statuses = set(db.session.scalars(select(Notification.status).where(
        Notification.flag_id == flag.id)))
    assert {s.value for s in statuses} == {"cancelled"}


def test_phq9_worsening_against_the_series_baseline(app, clock, patient):
    phq9.submit(patient, {"client_id": uuid.uuid4(), "taken_at": END,
                          "answers": [1, 1, 1, 1, 1, 1, 1, 1, 0]}, now=END)
    phq9.submit(patient, {"client_id": uuid.uuid4(), "taken_at": END + 7 * 24 * H,
                          "answers": [2, 2, 2, 2, 2, 1, 1, 1, 0]}, now=END + 7 * 24 * H)
    db.session.commit()

    flags.evaluate_patient(patient, now=END + 7 * 24 * H)
    db.session.commit()

    assert _flags() == {("phq9_worsening", None, None, "open")}


def test_a_second_safety_answer_reopens_the_acknowledged_flag(app, clock, patient):
    _safety_answer(patient, END)
    flag = db.session.scalar(select(Flag))
    flags.acknowledge(flag, by=patient.user, now=END + H)
    flags.escalate(END + H)  # acknowledged: nothing to escalate
    db.session.commit()

    _safety_answer(patient, END + 7 * 24 * H)

    db.session.refresh(flag)
    assert (flag.status, flag.escalated_at) == (FlagStatus.OPEN, None)
    assert len(flag.evidence) == 2
    assert flags.escalate(END + 7 * 24 * H + H) == 1
