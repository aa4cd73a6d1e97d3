"""What the delivery experiment did, as a test, on both databases: two jobs processes send
due pushes to a real Web Push service on 127.0.0.1; one is killed with SIGKILL while it holds
connections open to the push service (the service has received its messages and holds back
its answers); then the push service goes down for a while. Afterwards every due message was
delivered, none was lost, each extra copy is one the killed process had handed to the push
service (the at-least-once window, with the same Topic and tag), no lease is left behind, and
the lost claims counted as no delivery attempt (docs/DELIVERY.md).

The processes run the real send job in a loop (tests/faults/send_loop.py) on a clock ten
times faster than the real one, so the 30 s lease and the minute's retry back-off take
seconds.
"""

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from app.extensions import db
from app.notifications import services as notifications
from app.notifications.models import DeliveryAttempt, Notification, NotificationStatus
from tests import factories

WORKTREE = Path(__file__).parents[2]
KILLED, SURVIVOR = "mailto:jobs-a@aftercare.test", "mailto:jobs-b@aftercare.test"
PATIENTS = 30


def _midday_zone(now: datetime) -> str:
    """A time zone where it is about noon now: the prompts are outside quiet hours."""
    offset = (12 - now.hour + 12) % 24 - 12  # -12 .. 11 hours east of UTC
    return f"Etc/GMT{-offset:+d}" if offset else "UTC"


def _wait(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def _due_prompts(app, push_service) -> dict:
    """PATIENTS patients whose 2 h prompt fell due a minute ago, each with a phone."""
    now = datetime.now(UTC)
    clinic = factories.clinic()
    zone = _midday_zone(now)
    devices = {}
    for _ in range(PATIENTS):
        patient = factories.patient(clinic, now - timedelta(days=1), timezone=zone)
        factories.infusion(patient, end=now - timedelta(hours=2, minutes=1))
        device = push_service.new_device()
        notifications.upsert_subscription(patient.user_id,
                                          device.subscription(push_service.base_url), now=now)
        db.session.commit()
        devices[patient.user_id] = device
    return devices


def _rows(*, due_by=None, ids=None):
    db.session.remove()
    where = (Notification.id.in_(ids) if ids is not None else
             (Notification.status == NotificationStatus.DUE) & (Notification.due_at <= due_by))
    return db.session.scalars(select(Notification).where(where)).all()


def test_a_killed_sender_and_a_push_service_outage_lose_nothing(app, push_service,
                                                                database_url):
    devices = _due_prompts(app, push_service)
    now = datetime.now(UTC)
    due = {row.id for row in _rows(due_by=now)}
    assert len(due) >= PATIENTS  # each patient's 2 h prompt (and any other already due)
    environment = {**os.environ, "SECRET_KEY": "x", "DATABASE_URL": database_url,
                   "AFTERCARE_INSTANCE_PATH": app.instance_path,
                   "VAPID_PRIVATE_KEY_PATH": app.config["VAPID_PRIVATE_KEY_PATH"],
                   "SEND_LOOP_T0": now.isoformat(), "SEND_LOOP_SPEED": "10",
                   # The run's deadline (on the fast clock) must not release the held pushes
                   # before the kill: 60 real seconds.
                   "SEND_LOOP_DEADLINE": "600",
                   "PYTHONPATH": str(WORKTREE)}

    def jobs_process(subject):
        return subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "tests.faults.send_loop"], cwd=WORKTREE,
            env={**environment, "VAPID_SUBJECT": subject},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    push_service.hold_subject = KILLED  # it receives, and keeps its answers to itself
    killed = jobs_process(KILLED)
    survivor = None
    try:
        _wait(lambda: len(push_service.deliveries_from(KILLED)) >= 10, 30,
              "the first jobs process never sent its batch")
        survivor = jobs_process(SURVIVOR)
        _wait(lambda: push_service.deliveries_from(SURVIVOR), 30,
              "the second jobs process never sent")
        # SIGKILL while ten connections to the push service wait for their answers.
        in_flight = {d.path for d in push_service.deliveries_from(KILLED)}
        killed.send_signal(signal.SIGKILL)
        killed.wait(timeout=10)
        push_service.stop()  # the push service goes down ...
        push_service.released.set()
        time.sleep(4)  # ... longer than the lease (3 s here): takeovers meet it down
        push_service.restart()

        def all_sent():
            return all(row.status == NotificationStatus.SENT for row in _rows(ids=due))
        _wait(all_sent, 45, "not every due message was delivered")
    finally:
        for process in (killed, survivor):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=30)

    rows = {row.id: row for row in _rows(ids=due)}
    assert set(rows) == due
    assert all(row.lease_expires_at is None and row.status == NotificationStatus.SENT
               for row in rows.values())  # no lease left behind, nothing failed
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.status == NotificationStatus.SENDING)) == 0
    extra = 0
    for row in rows.values():
        copies = [d for d in push_service.deliveries_to(devices[row.user_id])
                  if d.payload["tag"] == f"prompt-{row.prompt_id}"]
        assert copies, "a due message was lost"
        if len(copies) > 1:
            # The one explanation allowed: the killed process had handed it over and died
            # before it could record the answer; the survivor sent it again.
            first, second = copies
            assert first.subject == KILLED and first.path in in_flight
            assert second.subject == SURVIVOR
            assert first.headers["topic"] == second.headers["topic"]
            assert first.payload == second.payload  # the same tag: one notification shown
            extra += 1
    assert 1 <= extra <= len(in_flight)  # the window was exercised, and is all there is
    # Only push services' answers (and refused connections) are attempts: the claims lost
    # with the killed process are not among them.
    attempts = dict(db.session.execute(
        select(DeliveryAttempt.notification_id, func.count()).group_by(
            DeliveryAttempt.notification_id)).all())
    assert {row.id: row.attempts for row in rows.values()} == {
        row_id: attempts.get(row_id, 0) for row_id in rows}
