"""A flag's life after it opens: acknowledged, resolved (with who and when), or withdrawn
when the records behind it turn out to belong elsewhere. Closed flags are kept, never deleted."""

from datetime import datetime

from app.audit.services import record
from app.auth.models import User
from app.flags.models import UNRESOLVED, Flag, FlagStatus
from app.flags.rules import Priority
from app.notifications.services import cancel_escalations

# Resolving a flag this urgent or more needs a short note of what was done (issue 15, point 2).
RESOLVE_NOTE_FROM = Priority.HIGH


def resolving_needs_note(priority: int) -> bool:
    return priority <= int(RESOLVE_NOTE_FROM)


def acknowledge(flag: Flag, *, by: User, now: datetime, note: str = "") -> bool:
    """Open -> acknowledged. Doing it again changes nothing (returns False)."""
    if flag.status != FlagStatus.OPEN:
        return False
    flag.status, flag.acknowledged_at, flag.acknowledged_by_id = FlagStatus.ACKNOWLEDGED, now, by.id
    flag.acknowledge_note = note
    cancel_escalations(flag.id)
    return True


def resolve(flag: Flag, *, by: User, now: datetime, note: str = "") -> bool:
    """Open or acknowledged -> resolved (acknowledging on the way if need be)."""
    if flag.status.value not in UNRESOLVED:
        return False
    if flag.status == FlagStatus.OPEN:
        acknowledge(flag, by=by, now=now)
    flag.status, flag.resolved_at, flag.resolved_by_id = FlagStatus.RESOLVED, now, by.id
    flag.resolve_note = note
    return True


def withdraw(flag: Flag, *, by: User | None, now: datetime, reason: str) -> None:
    """Close a flag left without evidence. Kept with its reason; never deleted."""
    flag.status, flag.resolved_at, flag.resolve_note = FlagStatus.WITHDRAWN, now, reason
    cancel_escalations(flag.id)
    record("flag.withdraw", now=now, actor=by, clinic_id=flag.clinic_id, patient_id=flag.patient_id,
           target=f"flag:{flag.id}", rule=flag.rule, reason=reason)
