"""Escalating urgent flags: every clinician of the clinic hears of an urgent flag nobody has
acknowledged within the clinic's delay, once per opening."""

from datetime import datetime, timedelta

from sqlalchemy import select

from app.auth.models import Role, User
from app.clinics.settings import effective
from app.extensions import db
from app.flags import rules
from app.flags.models import Flag, FlagStatus
from app.notifications.services import queue_escalation

MIN_ESCALATION_MINUTES = 5  # the shortest escalation delay a clinic may set


def due_escalations(now: datetime) -> list[int]:
    """Urgent flags open for at least the shortest escalation delay and not yet escalated
    since they were (last) opened: the escalate job's units of work."""
    return list(db.session.scalars(
        select(Flag.id)
        .where(Flag.priority == int(rules.Priority.URGENT), Flag.status == FlagStatus.OPEN,
               Flag.escalated_at.is_(None),
               Flag.opened_at <= now - timedelta(minutes=MIN_ESCALATION_MINUTES))
        .order_by(Flag.opened_at, Flag.id)))


def escalate_flag(flag_id: int, now: datetime) -> bool:
    """Every clinician of the clinic gets a push for this flag's current opening, once the
    clinic's delay has passed since it was opened (or opened again); True if escalated."""
    flag = db.session.get(Flag, flag_id)
    if (flag is None or flag.priority != int(rules.Priority.URGENT)
            or flag.status != FlagStatus.OPEN or flag.escalated_at is not None):
        return False
    delay = timedelta(minutes=effective(flag.patient.clinic)["escalate_after_minutes"])
    if now - flag.opened_at < delay:
        return False
    flag.escalated_at = now
    staff = db.session.scalars(select(User.id).where(
        User.clinic_id == flag.clinic_id, User.role.in_([Role.CLINICIAN, Role.ADMIN]),
        User.active.is_(True)))
    queue_escalation(flag.id, list(staff), flag.times_opened, now)
    return True


def escalate(now: datetime) -> int:
    """Every due escalation in one go (the job runs each flag in a savepoint instead)."""
    return sum(escalate_flag(flag_id, now) for flag_id in due_escalations(now))
