"""The send job under slow endpoints and crashes: pushes go out concurrently, a run has a
deadline, escalations go first, a failing endpoint is backed off, a claim is a lease renewed
while the run works, and only a push service's answer is a delivery attempt. Real pushes to
the real push service on 127.0.0.1 (tests/push_service.py)."""

import threading
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.auth.models import Role
from app.extensions import db
from app.notifications import leases
from app.notifications import services as notifications
from app.notifications.models import (
    Notification,
    NotificationKind,
    NotificationStatus,
    PushSubscription,
)
from jobs import send_notifications
from jobs.__main__ import build_scheduler
from tests import factories

END = datetime(2026, 3, 3, 16, 0, tzinfo=UTC)  # the 2 h prompts fall due at 18:00 UTC
DUE = END + timedelta(hours=2)
LEASE = timedelta(seconds=30)


def _patients_with_phones(clock, push_service, count):
    return factories.patients_with_phones(clock, push_service, count, end=END)


def _moving_clock(app, start):
    """The app's clock runs in real time from ``start`` (the run's deadline and lease renewal
    are measured on it)."""
    began = datetime.now(UTC)
    app.config["CLOCK"] = lambda: start + (datetime.now(UTC) - began)


def _two_hour_notification(device) -> Notification:
    db.session.expire_all()
    subscription = db.session.scalar(select(PushSubscription).where(
        PushSubscription.endpoint.endswith(device.path)))
    return db.session.scalar(select(Notification).where(
        Notification.user_id == subscription.user_id, Notification.kind == NotificationKind.PROMPT,
        Notification.due_at == DUE))


def test_an_endpoint_that_does_not_answer_holds_up_no_other(app, clock, push_service):
    slow, *others = _patients_with_phones(clock, push_service, 5)
    slow.hold = threading.Event()  # the first claimed: its push service does not answer
    app.config["PUSH_TIMEOUT_SECONDS"] = 10.0
    the_others_arrived = []

    def release_when_the_others_arrived():
        # Well inside the sender's 10 s timeout: one after another, nothing else would go
        # before the slow endpoint's answer.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if all(push_service.deliveries_to(d) for d in others):
                the_others_arrived.append(True)
                break
            time.sleep(0.02)
        slow.hold.set()

    watcher = threading.Thread(target=release_when_the_others_arrived)
    watcher.start()
    summary = send_notifications.run(DUE)
    watcher.join()

    assert the_others_arrived == [True]
    assert summary == {"claimed": 5, "sent": 5}
    assert [len(push_service.deliveries_to(d)) for d in [slow, *others]] == [1] * 5


def test_a_run_stops_at_its_deadline_and_what_it_did_not_send_is_no_attempt(
        app, clock, push_service):
    stuck, fine = _patients_with_phones(clock, push_service, 2)
    stuck.hold = threading.Event()
    app.config["PUSH_RUN_DEADLINE"] = timedelta(seconds=1)
    _moving_clock(app, DUE)
    try:
        assert send_notifications.run(DUE) == {"claimed": 2, "sent": 1, "released": 1}
        held = _two_hour_notification(stuck)
        assert (held.status, held.attempts, held.claimed_at, held.lease_expires_at) == (
            NotificationStatus.DUE, 0, None, None)
    finally:
        stuck.hold.set()
    stuck.hold = None
    assert send_notifications.run(DUE + timedelta(minutes=1)) == {"claimed": 1, "sent": 1}
    assert _two_hour_notification(stuck).attempts == 1
    # The copy that was in flight at the deadline arrived too: the same Topic and tag, so the
    # phone shows one notification (the at-least-once window, docs/DELIVERY.md).
    first, second = push_service.deliveries_to(stuck)
    assert first.headers["topic"] == second.headers["topic"]
    assert first.payload["tag"] == second.payload["tag"]
    assert len(push_service.deliveries_to(fine)) == 1


def _escalation(user_id, due_at) -> int:
    row = Notification(user_id=user_id, kind=NotificationKind.ESCALATION, due_at=due_at)
    db.session.add(row)
    db.session.commit()
    return row.id


def test_escalations_are_claimed_before_prompts_and_retried_first(app, clock, push_service):
    _patients_with_phones(clock, push_service, 3)
    clinician = factories.staff(factories.clinic(), Role.CLINICIAN)
    escalation = _escalation(clinician.id, DUE + timedelta(minutes=5))  # due after the prompts
    now = DUE + timedelta(minutes=10)

    claimed = leases.claim_due(now, lease=LEASE, limit=2)
    db.session.commit()
    assert claimed[0] == escalation
    assert leases.claim_due(now, lease=LEASE, limit=10)[-1] != escalation
    db.session.commit()
    # Every claim lost in a crash: when the leases end, the escalation is taken again first.
    later = now + LEASE + timedelta(seconds=1)
    assert leases.claim_due(later, lease=LEASE, limit=1) == [escalation]


def test_an_endpoint_that_keeps_failing_is_backed_off(app, clock, push_service):
    clinician = factories.staff(factories.clinic(), Role.CLINICIAN)
    device = push_service.new_device(status=500)
    notifications.upsert_subscription(clinician.id, device.subscription(push_service.base_url),
                                      now=END)
    db.session.commit()
    first, second = _escalation(clinician.id, DUE), _escalation(clinician.id, DUE)

    assert send_notifications.run(DUE) == {"claimed": 2, "retry": 2}
    assert send_notifications.run(DUE + timedelta(minutes=1)) == {"claimed": 2, "retry": 2}
    subscription = db.session.scalars(select(PushSubscription)).one()
    assert subscription.failures == 4
    assert subscription.next_attempt_at == DUE + timedelta(minutes=16)
    asked = len(push_service.deliveries_to(device))
    assert asked == 4

    # Both messages are due again in 2 minutes; the endpoint is not asked until its back-off
    # ends, and waiting for it is no attempt.
    assert send_notifications.run(DUE + timedelta(minutes=3)) == {"claimed": 2, "deferred": 2}
    assert len(push_service.deliveries_to(device)) == asked
    db.session.expire_all()
    attempts = db.session.scalars(select(Notification.attempts).where(
        Notification.id.in_([first, second]))).all()
    assert attempts == [2, 2]

    device.status = 201
    assert send_notifications.run(DUE + timedelta(minutes=16)) == {"claimed": 2, "sent": 2}
    db.session.expire_all()
    assert (subscription.failures, subscription.next_attempt_at) == (0, None)


def test_claims_lost_in_crashes_never_make_a_message_fail(app, clock, push_service):
    [device] = _patients_with_phones(clock, push_service, 1)
    now = DUE
    for _ in range(app.config["PUSH_MAX_ATTEMPTS"] + 4):  # a process dies after each claim
        assert len(leases.claim_due(now, lease=LEASE)) == 1
        db.session.commit()
        now += LEASE + timedelta(seconds=1)

    assert send_notifications.run(now) == {"claimed": 1, "sent": 1}
    notification = _two_hour_notification(device)
    assert (notification.status, notification.attempts) == (NotificationStatus.SENT, 1)


def test_the_run_renews_its_lease_while_it_waits_for_an_answer(app, clock, push_service):
    [device] = _patients_with_phones(clock, push_service, 1)
    device.hold = threading.Event()
    app.config["PUSH_LEASE"] = timedelta(seconds=1)
    app.config["PUSH_LEASE_RENEW_EVERY"] = timedelta(seconds=0.2)
    _moving_clock(app, DUE)
    taken_by_another = []

    def another_jobs_process():
        try:
            time.sleep(2.5)  # the first lease ended long ago, had it not been renewed
            with app.app_context():
                taken_by_another.extend(leases.claim_due(app.config["CLOCK"](), lease=LEASE))
                db.session.commit()
                db.session.remove()
        finally:
            device.hold.set()

    other = threading.Thread(target=another_jobs_process)
    other.start()
    summary = send_notifications.run(DUE)
    other.join()

    assert taken_by_another == []
    assert summary == {"claimed": 1, "sent": 1}
    assert len(push_service.deliveries_to(device)) == 1


def test_a_jobs_process_runs_every_job_as_soon_as_it_starts(app):
    before = datetime.now(UTC)
    jobs = build_scheduler(app).get_jobs()
    assert jobs
    assert all(before <= job.next_run_time <= datetime.now(UTC) for job in jobs)
