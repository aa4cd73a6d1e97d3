"""The claim/send cycle, delivered to a real push service that decrypts what it receives."""

import os
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.notifications import leases, outbox
from app.notifications import services as notifications
from app.notifications.models import (
    DeliveryAttempt,
    Notification,
    NotificationKind,
    NotificationStatus,
    PushSubscription,
)
from app.notifications.push_keys import sender
from jobs import send_notifications
from jobs.runner import run_job
from jobs.schedule import JOBS
from tests import factories

END = datetime(2026, 3, 3, 16, 0, tzinfo=UTC)
LEASE = timedelta(seconds=60)
SEND_JOB = next(job for job in JOBS if job.name == "send_notifications")


@pytest.fixture
def patient(app, clock):
    clock.now = END - timedelta(hours=1)
    patient = factories.patient(factories.clinic(), clock())
    factories.infusion(patient, end=END, notes="private clinical note")
    factories.checkin(patient, taken_at=END - timedelta(minutes=30), mood=2,
                      note="I feel awful", symptoms={"headache": 3})
    return patient


def _subscribe(patient, device, base_url):
    notifications.upsert_subscription(patient.user_id, device.subscription(base_url), now=END)
    db.session.commit()


def _status(kind=NotificationKind.PROMPT, slot_hours=2):
    return db.session.scalar(
        select(Notification.status).join(Notification.prompt)
        .where(Notification.kind == kind, Notification.prompt.has(slot=f"{slot_hours}h")))


def test_a_due_prompt_reaches_the_phone_once_with_no_health_data(app, patient, push_service):
    device = push_service.new_device()
    _subscribe(patient, device, push_service.base_url)

    assert send_notifications.run(END + timedelta(hours=1)) == {"claimed": 0}
    first = send_notifications.run(END + timedelta(hours=2))
    again = send_notifications.run(END + timedelta(hours=2, minutes=1))

    assert first == {"claimed": 1, "sent": 1}
    assert again == {"claimed": 0}
    [delivery] = push_service.deliveries_to(device)
    token = db.session.scalar(select(Notification.link_token)
                              .where(Notification.link_token.is_not(None)))
    assert delivery.payload == {"title": "Aftercare", "body": "Time for your check-in",
                                "url": f"/m/{token}", "page": "/checkin",
                                "tag": delivery.payload["tag"]}
    text = str(delivery.payload).lower()
    for private in ("awful", "headache", "private", "mood", patient.display_name.lower()):
        assert private not in text
    assert delivery.vapid_ok
    assert int(delivery.headers["ttl"]) >= 12 * 3600
    assert delivery.headers["content-encoding"] == "aes128gcm"
    assert _status() == NotificationStatus.SENT
    assert db.session.scalar(select(DeliveryAttempt.outcome)) == "delivered"


def test_one_reminder_when_unanswered_and_none_when_answered(app, patient, push_service, clock):
    device = push_service.new_device()
    _subscribe(patient, device, push_service.base_url)
    send_notifications.run(END + timedelta(hours=2))
    send_notifications.run(END + timedelta(hours=4))  # 2 h prompt's reminder
    factories.checkin(patient, taken_at=END + timedelta(hours=6, minutes=5))
    send_notifications.run(END + timedelta(hours=6, minutes=5))  # 6 h prompt was answered first
    send_notifications.run(END + timedelta(hours=8, minutes=10))

    bodies = [d.payload["body"] for d in push_service.deliveries_to(device)
              if d.payload["page"] == "/checkin"]  # the weekly questionnaire has its own
    assert bodies == ["Time for your check-in", "Reminder: your check-in is still open"]


def test_gone_subscription_is_removed(app, patient, push_service):
    device = push_service.new_device(status=410)
    _subscribe(patient, device, push_service.base_url)

    send_notifications.run(END + timedelta(hours=2))

    assert db.session.scalar(select(func.count()).select_from(PushSubscription)) == 0
    attempt = db.session.scalars(select(DeliveryAttempt)).one()
    assert (attempt.status_code, attempt.outcome, attempt.subscription_id) == (410, "gone", None)


@pytest.mark.parametrize("status", [429, 500, 503])
def test_busy_push_service_is_retried_with_backoff(app, patient, push_service, status):
    device = push_service.new_device(status=status)
    _subscribe(patient, device, push_service.base_url)
    now = END + timedelta(hours=2)

    assert send_notifications.run(now) == {"claimed": 1, "retry": 1}
    notification = db.session.scalars(select(Notification).where(
        Notification.status == NotificationStatus.DUE).order_by(Notification.due_at)).first()
    assert notification.attempts == 1
    assert notification.due_at == now + timedelta(minutes=1)
    assert send_notifications.run(now + timedelta(seconds=30)) == {"claimed": 0}

    device.status = 201
    assert send_notifications.run(now + timedelta(minutes=1)) == {"claimed": 1, "sent": 1}
    assert [a.outcome for a in db.session.scalars(
        select(DeliveryAttempt).order_by(DeliveryAttempt.id))] == ["retry", "delivered"]


def test_retry_after_is_respected(app, patient, push_service):
    device = push_service.new_device(status=429)
    device.retry_after = "600"
    _subscribe(patient, device, push_service.base_url)
    now = END + timedelta(hours=2)

    send_notifications.run(now)

    due = db.session.scalar(select(func.min(Notification.due_at)).where(
        Notification.attempts == 1))
    assert due == now + timedelta(minutes=10)


def test_gives_up_after_the_last_attempt(app, patient, push_service):
    app.config["PUSH_MAX_ATTEMPTS"] = 2
    device = push_service.new_device(status=500)
    _subscribe(patient, device, push_service.base_url)
    now = END + timedelta(hours=2)

    send_notifications.run(now)
    send_notifications.run(now + timedelta(minutes=1))

    assert _status() == NotificationStatus.FAILED
    assert len(push_service.deliveries_to(device)) == 2


def test_no_device_still_counts_as_sent_the_app_shows_it(app, patient, push_service):
    assert send_notifications.run(END + timedelta(hours=2)) == {"claimed": 1, "sent": 1}
    assert db.session.scalar(select(DeliveryAttempt.outcome)) == "no-device"


def test_a_claim_lost_in_a_crash_is_taken_again_when_its_lease_ends(app, patient, push_service):
    device = push_service.new_device()
    _subscribe(patient, device, push_service.base_url)
    due = END + timedelta(hours=2)
    # A jobs process claims and commits, then dies before sending.
    assert len(leases.claim_due(due, lease=LEASE)) == 1
    db.session.commit()

    # Restarted: nothing is taken while the lease may still be renewed ...
    assert send_notifications.run(due + timedelta(seconds=30)) == {"claimed": 0}
    # ... and once it has ended (about a minute) it is sent, once.
    assert send_notifications.run(due + timedelta(seconds=61)) == {"claimed": 1, "sent": 1}
    assert send_notifications.run(due + timedelta(minutes=30)) == {"claimed": 0}
    assert len(push_service.deliveries_to(device)) == 1
    # The lost claim was no attempt: only the push service's answer counts.
    assert db.session.scalar(select(Notification.attempts).where(
        Notification.status == NotificationStatus.SENT)) == 1


def test_the_job_runner_commits_and_reports(app, patient, push_service):
    device = push_service.new_device()
    _subscribe(patient, device, push_service.base_url)

    assert run_job(app, SEND_JOB, END + timedelta(hours=2)) == {"claimed": 1, "sent": 1}
    assert len(push_service.deliveries_to(device)) == 1


def test_two_runners_at_once_never_send_twice(app, clock, push_service):
    """Two jobs processes, each with its own connection, race over the same due rows.

    On PostgreSQL the claim skips rows the other runner has locked; on SQLite the write
    lock serialises the two conditional UPDATEs. Either way each row goes to one runner.
    """
    clock.now = END - timedelta(hours=1)
    clinic = factories.clinic()
    devices = []
    for _ in range(12):
        patient = factories.patient(clinic, clock())
        factories.infusion(patient, end=END)
        device = push_service.new_device()
        _subscribe(patient, device, push_service.base_url)
        devices.append(device)
    barrier = threading.Barrier(2)
    results = []

    def runner():
        with app.app_context():
            barrier.wait()
            results.append(send_notifications.run(END + timedelta(hours=2)))
            db.session.remove()

    threads = [threading.Thread(target=runner) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(r["claimed"] for r in results) == 12
    assert [len(push_service.deliveries_to(d)) for d in devices] == [1] * 12
    assert sender(app) is not None


def test_a_jobs_process_killed_mid_send_loses_nothing(app, patient, push_service,
                                                      database_url):
    """A real `flask jobs run-once` process is killed while its push is in flight."""
    device = push_service.new_device()
    device.delay_seconds = 30  # the push service holds the request: the process is mid-send
    _subscribe(patient, device, push_service.base_url)
    due = END + timedelta(hours=2)
    # The process sends only to allowed push services (checked again at send time): the
    # suite's, set as a deployment sets them, in instance/config.py.
    Path(app.instance_path, "config.py").write_text(
        'PUSH_ENDPOINT_HOSTS = ("127.0.0.1",)\nPUSH_ALLOW_HTTP = True\n')
    environment = {**os.environ, "SECRET_KEY": "x", "DATABASE_URL": database_url,
                   "AFTERCARE_INSTANCE_PATH": str(Path(app.instance_path)),
                   "VAPID_PRIVATE_KEY_PATH": app.config["VAPID_PRIVATE_KEY_PATH"]}
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "flask", "--app", "app", "jobs", "run-once", "--now",
         due.isoformat()], env=environment, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, cwd=Path(__file__).parents[2])
    try:
        assert push_service.arrived.wait(timeout=30), "the jobs process never sent"
    finally:
        process.kill()
        process.wait(timeout=10)
    db.session.expire_all()
    assert _status() == NotificationStatus.SENDING  # claimed and committed, never finished

    device.delay_seconds = 0
    assert send_notifications.run(due + timedelta(seconds=15)) == {"claimed": 0}  # lease still on
    assert send_notifications.run(due + timedelta(seconds=61)) == {"claimed": 1, "sent": 1}
    assert send_notifications.run(due + timedelta(minutes=30)) == {"claimed": 0}

    assert _status() == NotificationStatus.SENT
    # The copy in flight when the process died and the resend carry one Topic, so the push
    # service replaces the first with the second and the phone shows one notification.
    deliveries = push_service.deliveries_to(device)
    assert len(deliveries) == 2
    assert deliveries[0].headers["topic"] == deliveries[1].headers["topic"]
    assert deliveries[0].payload == deliveries[1].payload


def test_a_claim_taken_over_is_no_longer_the_first_claimers(app, patient, push_service):
    device = push_service.new_device()
    _subscribe(patient, device, push_service.base_url)
    first = END + timedelta(hours=2)
    [claimed] = leases.claim_due(first, lease=LEASE)
    db.session.commit()
    later = first + timedelta(seconds=61)  # the lease was not renewed: presumed dead ...
    assert leases.claim_due(later, lease=LEASE) == [claimed]
    db.session.commit()

    # ... but was only slow: its late delivery must not send a second copy.
    assert outbox.deliver(claimed, claimed_at=first, now=later, sender=sender(app),
                          max_attempts=6) == "not-claimed"
    assert outbox.deliver(claimed, claimed_at=later, now=later, sender=sender(app),
                          max_attempts=6) == "sent"
    assert len(push_service.deliveries_to(device)) == 1
