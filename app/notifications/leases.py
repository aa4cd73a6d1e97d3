"""Claims on the push outbox are leases.

A claim is a single conditional UPDATE (on PostgreSQL over rows locked with
``FOR UPDATE SKIP LOCKED``), committed before anything is sent, so two jobs processes never
hold the same row at once. A claim ends at ``lease_expires_at``, which the sending run renews
while it works (jobs/send_notifications.py); the rows of a process that died are taken again once
their lease has ended, escalations first.
"""

from datetime import datetime, timedelta

from sqlalchemy import and_, case, or_, select, update

from app.extensions import db
from app.notifications.models import Notification, NotificationKind, NotificationStatus


def _urgent_first():
    """Escalations before prompts and reminders, then the longest waiting first."""
    return (case((Notification.kind == NotificationKind.ESCALATION, 0), else_=1),
            Notification.due_at, Notification.id)


def claim_due(now: datetime, *, lease: timedelta, limit: int = 50) -> list[int]:
    """Claim up to ``limit`` due notifications at ``now``, leased until ``now + lease``.

    Returns their ids, escalations first. Claimable: due rows, and claimed rows whose lease
    has ended (their process died). The caller commits, then sends each with
    ``claimed_at=now`` and renews the lease (``renew``) while it works; if the row was taken
    over meanwhile, ``record`` sees it is no longer its own. Claiming is not an attempt.
    """
    claimable = or_(
        and_(Notification.status == NotificationStatus.DUE, Notification.due_at <= now),
        and_(Notification.status == NotificationStatus.SENDING,
             or_(Notification.lease_expires_at.is_(None), Notification.lease_expires_at < now)),
    )
    candidates = select(Notification.id).where(claimable).order_by(*_urgent_first())
    candidates = candidates.limit(limit)
    if db.session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    # Chosen first, then updated: as a subquery of the UPDATE, PostgreSQL may evaluate the
    # LIMIT ... SKIP LOCKED select more than once and claim more than ``limit`` rows. The
    # UPDATE checks ``claimable`` again, so a row another process claimed in between (SQLite
    # takes its write lock only at the UPDATE) is not taken.
    chosen = db.session.scalars(candidates).all()
    if not chosen:
        return []
    claimed = db.session.execute(
        update(Notification)
        .where(Notification.id.in_(chosen), claimable)
        .values(status=NotificationStatus.SENDING, claimed_at=now, lease_expires_at=now + lease)
        .returning(Notification.id),
        execution_options={"synchronize_session": False},
    ).scalars().all()
    if not claimed:
        return []
    return list(db.session.scalars(
        select(Notification.id).where(Notification.id.in_(claimed)).order_by(*_urgent_first())))


def kinds(ids: list[int]) -> dict[int, NotificationKind]:
    """The kind of each of these notifications."""
    if not ids:
        return {}
    return dict(db.session.execute(
        select(Notification.id, Notification.kind).where(Notification.id.in_(ids))).all())


def _ours(ids, claimed_at: datetime):
    return and_(Notification.id.in_(list(ids)), Notification.claimed_at == claimed_at,
                Notification.status == NotificationStatus.SENDING)


def renew(ids, *, claimed_at: datetime, until: datetime) -> int:
    """Extend the lease of the rows still claimed by this claim; returns how many."""
    if not ids:
        return 0
    return db.session.execute(
        update(Notification).where(_ours(ids, claimed_at)).values(lease_expires_at=until),
        execution_options={"synchronize_session": False}).rowcount


def release(ids, *, claimed_at: datetime) -> int:
    """Give rows back unsent (a run's deadline): due again at once, and not an attempt."""
    if not ids:
        return 0
    return db.session.execute(
        update(Notification).where(_ours(ids, claimed_at))
        .values(status=NotificationStatus.DUE, claimed_at=None, lease_expires_at=None),
        execution_options={"synchronize_session": False}).rowcount
