"""The jobs process through a database outage (a real one, see ``database_outage``): every
job the scheduler runs logs its failure and returns, the scheduler keeps going, and when the
database is back the next run sends every prompt that fell due, each exactly once, to a real
push service on 127.0.0.1."""

import logging
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select

from app.extensions import db
from app.notifications.models import Notification, NotificationStatus
from jobs.__main__ import build_scheduler
from jobs.schedule import JOBS
from tests import factories
from tests.faults.conftest import allow_connections, database_outage, refuse_connections

END = datetime(2026, 3, 3, 16, 0, tzinfo=UTC)  # the infusion ended; ladder 2, 6, 24 ... hours


def _scheduled(app):
    """What the real scheduler would call for each job: (name, callable taking ``now``)."""
    scheduler = build_scheduler(app)
    return {job.id: (lambda now, job=job: job.func(*job.args, now=now))
            for job in scheduler.get_jobs()}


def _three_patients_with_a_phone(clock, push_service) -> list:
    """Three patients whose infusion ended at END, each with a phone subscribed to push."""
    return factories.patients_with_phones(clock, push_service, 3, end=END)


@contextmanager
def _failing_sooner(engine, milliseconds: int = 200):
    """On SQLite every write of the outage waits out the busy timeout (5 s) and then fails with
    "database is locked"; here it waits 0.2 s and fails the same way (16 writes: 80 s of
    waiting otherwise). PostgreSQL refuses at once: nothing changes there."""
    def shorter(dbapi_connection, _record, _proxy):
        if engine.dialect.name == "sqlite":
            dbapi_connection.execute(f"PRAGMA busy_timeout={int(milliseconds)}")

    event.listen(engine, "checkout", shorter)
    try:
        yield
    finally:
        event.remove(engine, "checkout", shorter)
        engine.dispose()  # the next connections get the app's own busy timeout again


def _due_unsent(now) -> set[int]:
    db.session.remove()
    return set(db.session.scalars(select(Notification.id).where(
        Notification.status == NotificationStatus.DUE, Notification.due_at <= now)))


def test_jobs_survive_an_outage_and_then_send_every_due_prompt_once(app, clock, push_service,
                                                                     caplog):
    devices = _three_patients_with_a_phone(clock, push_service)
    scheduled = _scheduled(app)
    assert set(scheduled) == {job.name for job in JOBS}
    db.session.remove()

    # The database goes down just before the 2 h prompts fall due and stays down through
    # scheduler ticks for over two hours, but comes back before the prompts' windows close at
    # 6 h: what is due then is still worth sending.
    ticks = [END + timedelta(hours=1, minutes=59) + timedelta(minutes=35 * n) for n in range(5)]
    with caplog.at_level(logging.ERROR, logger="aftercare.jobs"), _failing_sooner(db.engine), \
            database_outage(app.config["SQLALCHEMY_DATABASE_URI"]):
        for now in ticks:
            assert scheduled["send_notifications"](now) is None  # logged, not raised
        for name in ("mark_missed", "evaluate_flags", "escalate"):
            scheduled[name](ticks[-1])  # may read, may fail; never raises
    failures = [r for r in caplog.records if r.getMessage() == "job send_notifications failed"]
    assert len(failures) == len(ticks)
    assert push_service.received == []  # nothing went out while nothing could be recorded

    back = ticks[-1] + timedelta(minutes=1)
    waiting = _due_unsent(back)
    assert len(waiting) == 3  # each patient's 2 h prompt (a reminder follows a sent prompt)
    summary = scheduled["send_notifications"](back)
    assert summary == {"claimed": 3, "sent": 3}  # the prompts, and not their reminders with them
    assert scheduled["send_notifications"](back + timedelta(minutes=1)) == {"claimed": 0}
    for device in devices:
        assert [d.payload["body"] for d in push_service.deliveries_to(device)] == [
            "Time for your check-in"]
    # A reminder would come 2 h after its prompt reached the phone (END + 6 h 20 min), when
    # the 2 h prompt's window has closed: there is none; the 6 h prompts come at their time.
    assert scheduled["send_notifications"](END + timedelta(hours=5, minutes=59)) == {"claimed": 0}
    assert scheduled["send_notifications"](END + timedelta(hours=6)) == {"claimed": 3, "sent": 3}

    for device in devices:
        tags = [d.payload["tag"] for d in push_service.deliveries_to(device)]
        bodies = [d.payload["body"] for d in push_service.deliveries_to(device)]
        assert len(set(tags)) == 2  # the 2 h prompt, then the 6 h one
        assert bodies == ["Time for your check-in", "Time for your check-in"]
    db.session.remove()
    statuses = dict(db.session.execute(
        select(Notification.id, Notification.status).where(Notification.id.in_(waiting))).all())
    assert set(statuses.values()) == {NotificationStatus.SENT}


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_an_outage_between_the_claim_and_the_send_loses_and_repeats_nothing(
        app, clock, push_service, database_url, caplog):
    """PostgreSQL goes down the moment the claim is committed: the claimed pushes cannot be
    read, so none is sent; once back, they are taken again when their lease ends (half a
    minute) and each sent once. (The lease is what a crash mid-send relies on as well.)"""
    devices = _three_patients_with_a_phone(clock, push_service)
    send = _scheduled(app)["send_notifications"]
    db.session.remove()
    due = END + timedelta(hours=2)

    claims = []

    def outage_after_the_claim(session):
        if not claims:  # the first commit of the run is the claim's
            claims.append(session)
            refuse_connections(database_url)

    event.listen(db.session, "after_commit", outage_after_the_claim)
    try:
        with caplog.at_level(logging.ERROR, logger="aftercare.jobs"):
            summary = send(due)
    finally:
        event.remove(db.session, "after_commit", outage_after_the_claim)
        allow_connections(database_url)
    # Each claimed push failed alone; then the run could not even be recorded: a failed run.
    failed_units = [r for r in caplog.records if r.getMessage().startswith(
        "job send_notifications: message ") and "(OperationalError)" in r.getMessage()]
    assert len(failed_units) == 3
    assert summary is None
    assert push_service.received == []

    lease = app.config["PUSH_LEASE"]
    assert send(due + lease / 2) == {"claimed": 0}  # the leases may be renewed
    assert send(due + lease + timedelta(seconds=1)) == {"claimed": 3, "sent": 3}
    assert send(due + timedelta(minutes=12)) == {"claimed": 0}
    assert [len(push_service.deliveries_to(d)) for d in devices] == [1, 1, 1]
