"""Writing audit events. Services call ``record``; the caller's transaction commits it."""

from datetime import datetime

from app.audit.models import AuditEvent
from app.extensions import db


def record(action: str, *, now: datetime, actor=None, clinic_id: int | None = None,
           patient_id: int | None = None, target: str = "", **detail) -> AuditEvent:
    """Add an audit event. ``detail`` is for identifiers and field names, never health data."""
    event = AuditEvent(
        at=now,
        action=action,
        actor_id=actor.id if actor is not None else None,
        clinic_id=clinic_id if clinic_id is not None else getattr(actor, "clinic_id", None),
        patient_id=patient_id,
        target=target,
        detail=detail,
    )
    db.session.add(event)
    return event
