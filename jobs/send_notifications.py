"""Every minute: claim due pushes, commit the claim, send them concurrently, record each result.

The one job that commits more than once, by design: a claim must be committed before the
first byte is sent, and each result as soon as it is known.

Pushes go out from a bounded pool of threads (PUSH_SEND_WORKERS) that do network I/O only;
every database read and write stays in this thread (the run's session). Escalations are
claimed first. While pushes are in flight the run renews its claims' lease every
PUSH_LEASE_RENEW_EVERY, so another jobs process takes them over only if this one died. A run
stops waiting at PUSH_RUN_DEADLINE: what has no answer by then is released for the next run,
and that is not a delivery attempt. A push still in flight at the deadline may yet reach the
phone and then be sent again by the next run: the at-least-once window (same Topic and tag,
so one notification).

Time in a run is ``now`` plus the time elapsed since the run began (the app's clock), so a
test that fixes the clock fixes the run's time too.
"""

from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import datetime
from functools import partial

from flask import Flask, current_app

from app.clock import utcnow
from app.extensions import db
from app.notifications import leases, outbox
from app.notifications.models import NotificationKind
from app.notifications.push_keys import sender
from app.notifications.webpush import PushResult
from jobs.units import Units

POLL_SECONDS = 0.5  # how often the run wakes to renew leases and check its deadline


def run(now: datetime, units: Units | None = None) -> dict:
    units = units or Units("send_notifications")
    app = current_app._get_current_object()  # noqa: SLF001  (handed to the sending threads)
    config = app.config
    push = sender(app)
    if push is None:
        app.logger.warning("no VAPID key yet: pushes wait until the jobs process makes one")
        return {"claimed": 0}
    began = utcnow()

    def clock() -> datetime:
        return now + (utcnow() - began)

    deadline = now + config["PUSH_RUN_DEADLINE"]
    batch = config["PUSH_CLAIM_BATCH"]
    counts: dict[str, int] = {"claimed": 0}
    pool = ThreadPoolExecutor(max_workers=config["PUSH_SEND_WORKERS"],
                              thread_name_prefix="push-send")
    try:
        while clock() < deadline:
            claimed_at = clock()
            claimed = leases.claim_due(claimed_at, lease=config["PUSH_LEASE"], limit=batch)
            kinds = leases.kinds(claimed)
            db.session.commit()  # the claim is ours before anything leaves the building
            counts["claimed"] += len(claimed)
            _send_batch(app, pool, push, claimed, kinds, claimed_at, clock, deadline, units,
                        counts)
            if len(claimed) < batch:
                break
    finally:
        # Pushes still in flight at the deadline finish (or time out) in their threads; their
        # rows were released, so their answers are not waited for.
        pool.shutdown(wait=False, cancel_futures=True)
    return units.summary(**counts)


def _send_batch(app: Flask, pool: ThreadPoolExecutor, push, claimed: list[int],
                kinds: dict[int, NotificationKind], claimed_at: datetime, clock,
                deadline: datetime, units: Units, counts: dict[str, int]) -> None:
    """Send one claimed batch, escalations first; reminders only once everything else in the
    batch has its answer (a reminder goes only after its prompt reached the patient, which
    may be decided in this very batch)."""
    batch = _Batch(app, pool, push, claimed_at, clock, units, counts)
    batch.start([n for n in claimed if kinds[n] != NotificationKind.REMINDER])
    later = [n for n in claimed if kinds[n] == NotificationKind.REMINDER]
    while (batch.in_flight or later) and clock() < deadline:
        if not batch.in_flight:
            batch.start(later)
            later = []
            continue
        batch.collect(min(POLL_SECONDS, (deadline - clock()).total_seconds()))
        batch.renew_when_due()
    batch.stop_at_deadline(later)


class _Batch:
    """The pushes of one claimed batch: prepared and recorded here (the run's session), sent
    by the pool's threads (network only)."""

    def __init__(self, app: Flask, pool: ThreadPoolExecutor, push, claimed_at: datetime, clock,
                 units: Units, counts: dict[str, int]):
        self.app, self.pool, self.push, self.claimed_at = app, pool, push, claimed_at
        self.clock, self.units, self.counts = clock, units, counts
        self.waiting: dict[int, tuple[list[outbox.Outgoing], list]] = {}
        self.in_flight: dict[Future, tuple[int, outbox.Outgoing]] = {}
        self.renewed_at = clock()

    def count(self, outcome: str, n: int = 1) -> None:
        self.counts[outcome] = self.counts.get(outcome, 0) + n

    def start(self, notification_ids: list[int]) -> None:
        ready = []
        for notification_id in notification_ids:
            ok, prepared = self.units.run("message", notification_id, partial(
                outbox.prepare, notification_id, claimed_at=self.claimed_at, now=self.clock()))
            if not ok:
                self.count("error")  # rolled back alone; taken again when its lease ends
            elif isinstance(prepared, str):
                self.count(prepared)
            else:
                ready.append((notification_id, prepared))
        # Cancellations, deferrals, "no device" and the texts and emails handed over are kept
        # before anything is sent (textsend: a handed-over text is never sent twice).
        db.session.commit()
        for notification_id, prepared in ready:
            self.waiting[notification_id] = (prepared, [])
            for outgoing in prepared:
                future = self.pool.submit(_send_in_app, self.app, self.push, outgoing)
                self.in_flight[future] = (notification_id, outgoing)

    def collect(self, timeout: float) -> None:
        """Record every message whose pushes have all been answered."""
        done, _ = wait(list(self.in_flight), timeout=max(timeout, 0),
                       return_when=FIRST_COMPLETED)
        for future in done:
            notification_id, outgoing = self.in_flight.pop(future)
            pushes, results = self.waiting[notification_id]
            results.append((outgoing, future.result()))
            if len(results) == len(pushes):
                del self.waiting[notification_id]
                self.record(notification_id, results)

    def record(self, notification_id: int, results: list) -> None:
        self.count(_record(notification_id, self.claimed_at, self.clock(), results, self.units,
                           self.app.config))

    def renew_when_due(self) -> None:
        config = self.app.config
        if self.waiting and self.clock() - self.renewed_at >= config["PUSH_LEASE_RENEW_EVERY"]:
            self.renewed_at = self.clock()
            leases.renew(list(self.waiting), claimed_at=self.claimed_at,
                         until=self.renewed_at + config["PUSH_LEASE"])
            db.session.commit()

    def stop_at_deadline(self, later: list[int]) -> None:
        """A message that reached one of its devices is sent; the others go back unsent."""
        unanswered = list(later)
        for notification_id, (_, results) in self.waiting.items():
            if any(result.delivered for _, result in results):
                self.record(notification_id, results)
            else:
                unanswered.append(notification_id)
        if not unanswered:
            return
        leases.release(unanswered, claimed_at=self.claimed_at)
        db.session.commit()
        self.count("released", len(unanswered))


def _record(notification_id, claimed_at, now, results, units: Units, config) -> str:
    ok, outcome = units.run("message", notification_id, partial(
        outbox.record, notification_id, claimed_at=claimed_at, now=now, results=results,
        max_attempts=config["PUSH_MAX_ATTEMPTS"]))
    db.session.commit()  # each result is kept even if a later one fails
    return outcome if ok else "error"


def _send_in_app(app: Flask, push, outgoing: outbox.Outgoing) -> PushResult:
    """In a pool thread: the app's settings are there, the run's database session is not."""
    with app.app_context():
        return outbox.send_to_device(push, outgoing)
