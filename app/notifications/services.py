"""Queueing, cancelling and tracking messages, and the devices they go to.

Other packages ask for a message here (a prompt's push and its reminder, a flag's escalation)
instead of writing outbox rows themselves; ``outbox`` and ``leases`` send what is queued.
"""

from datetime import datetime

from sqlalchemy import and_, select, update

from app.extensions import db
from app.notifications.models import (
    Notification,
    NotificationKind,
    NotificationStatus,
    PushSubscription,
)

_UNSENT = (NotificationStatus.DUE, NotificationStatus.CANCELLED)


def queue_prompt(prompt_id: int, user_id: int, due_at: datetime) -> None:
    """The prompt's push, due at the prompt's current time.

    Rows are moved in place (never deleted) so their delivery history stays. Its reminder is
    not made here: it is timed from the moment the prompt actually reached the patient
    (``queue_reminder``, called when the push is sent), so it can never go out with it.
    """
    wanted = {NotificationKind.PROMPT: due_at}
    existing = {n.kind: n for n in db.session.scalars(
        select(Notification).where(Notification.prompt_id == prompt_id))}
    for kind, due in wanted.items():
        notification = existing.get(kind)
        if notification is None:
            db.session.add(Notification(user_id=user_id, prompt_id=prompt_id, kind=kind,
                                        due_at=due))
        elif notification.status in _UNSENT:
            notification.due_at, notification.status = due, NotificationStatus.DUE
    for kind, notification in existing.items():
        if kind not in wanted and notification.status == NotificationStatus.DUE:
            notification.status = NotificationStatus.CANCELLED


def queue_reminder(prompt_id: int, user_id: int, due_at: datetime) -> None:
    """The prompt's one reminder, due at ``due_at`` (made, or moved and made due again)."""
    reminder = db.session.scalar(select(Notification).where(
        Notification.prompt_id == prompt_id, Notification.kind == NotificationKind.REMINDER))
    if reminder is None:
        db.session.add(Notification(user_id=user_id, prompt_id=prompt_id,
                                    kind=NotificationKind.REMINDER, due_at=due_at))
    elif reminder.status in _UNSENT:
        reminder.due_at, reminder.status = due_at, NotificationStatus.DUE


def prompt_push_sent(prompt_id: int) -> bool:
    """Whether the prompt's push has left the outbox (claimed, sent or failed)."""
    sent = db.session.scalar(
        select(Notification.id).where(
            Notification.prompt_id == prompt_id, Notification.kind == NotificationKind.PROMPT,
            Notification.status.not_in(_UNSENT))
        .limit(1))
    return sent is not None


def cancel_unsent(prompt_ids: list[int]) -> None:
    """Every message about these prompts still waiting to go, cancelled."""
    db.session.execute(
        update(Notification)
        .where(Notification.prompt_id.in_(prompt_ids),
               Notification.status == NotificationStatus.DUE)
        .values(status=NotificationStatus.CANCELLED))


def cancel_unsent_to(user_id: int) -> None:
    """Every message still waiting to go to this person, cancelled (a deactivated account)."""
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.status == NotificationStatus.DUE)
        .values(status=NotificationStatus.CANCELLED))


def reached_the_patient():
    """A prompt reached its patient when its push was sent: delivered to at least one device,
    or, for a patient with no push device, released to the app's list of due check-ins at a
    moment a push would have been allowed (the outbox records it as sent, "no-device").
    A push every device refused (failed) did not reach the patient."""
    return and_(Notification.kind == NotificationKind.PROMPT,
                Notification.status == NotificationStatus.SENT)


def prompts_reached(prompt_ids: list[int]) -> set[int]:
    """Those of these prompts whose push reached the patient (``reached_the_patient``)."""
    return set(db.session.scalars(
        select(Notification.prompt_id).where(Notification.prompt_id.in_(prompt_ids),
                                             reached_the_patient())))


def queue_escalation(flag_id: int, staff_ids, escalation_round: int, now: datetime) -> None:
    """One push to each of these staff about an urgent flag, for its ``escalation_round``-th
    opening, due now."""
    for user_id in staff_ids:
        db.session.add(Notification(user_id=user_id, flag_id=flag_id, due_at=now,
                                    kind=NotificationKind.ESCALATION,
                                    escalation_round=escalation_round))
    db.session.flush()


def cancel_escalations(flag_id: int) -> None:
    """Escalations of this flag not sent yet, cancelled (it was acknowledged or withdrawn)."""
    for notification in db.session.scalars(select(Notification).where(
            Notification.flag_id == flag_id, Notification.status == NotificationStatus.DUE)):
        notification.status = NotificationStatus.CANCELLED


def upsert_subscription(user_id: int, data: dict, *, now: datetime,
                        auth_session_id: int | None = None, keep: int | None = None):
    """Store a device's subscription, tied to the session (device) that saved it; the same
    endpoint updates its row (and moves it to this session). Returns (row, new).

    An account keeps at most ``keep`` subscriptions (``PUSH_SUBSCRIPTIONS_PER_ACCOUNT``): when
    this one would make more, the least recently used go (the oldest last delivery, or the
    oldest save for a device never delivered to), never the one just saved."""
    keys = data["keys"]
    row = db.session.scalar(
        select(PushSubscription).where(PushSubscription.endpoint == data["endpoint"]))
    created = row is None
    if created:
        row = PushSubscription(endpoint=data["endpoint"], created_at=now)
        db.session.add(row)
    # A device that another account used before now belongs to whoever subscribed last.
    row.user_id, row.p256dh, row.auth = user_id, keys["p256dh"], keys["auth"]
    row.auth_session_id = auth_session_id
    db.session.flush()
    if keep is not None:
        _keep_most_recent_subscriptions(user_id, keep, row.id)
    return row, created


def _keep_most_recent_subscriptions(user_id: int, keep: int, saved_id: int) -> None:
    others = sorted(db.session.scalars(select(PushSubscription).where(
        PushSubscription.user_id == user_id, PushSubscription.id != saved_id)),
        key=lambda row: (row.last_success_at or row.created_at, row.id), reverse=True)
    for stale in others[max(keep - 1, 0):]:
        db.session.delete(stale)
    db.session.flush()


def remove_subscription(user_id: int, endpoint: str) -> bool:
    row = db.session.scalar(select(PushSubscription).where(
        PushSubscription.endpoint == endpoint, PushSubscription.user_id == user_id))
    if row is None:
        return False
    db.session.delete(row)
    return True


def queue_link_message(user_id: int, kind: NotificationKind, channel: str, url: str,
                       now: datetime) -> Notification:
    """A sign-in or setup link to send now by ``channel`` ("sms" or "email"); the URL is kept
    encrypted until the send job sends it (``sealed``), then wiped."""
    from app.notifications.sealed import seal

    notification = Notification(user_id=user_id, kind=kind, due_at=now, channel=channel,
                                sealed_link=seal(url))
    db.session.add(notification)
    db.session.flush()
    return notification
