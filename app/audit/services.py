"""Writing audit events. Services call ``record``; the caller's transaction commits it."""

from datetime import datetime

from app.audit.models import AuditEvent
from app.extensions import db


def record(action: str, *, now: datetime, actor=None, clinic_id: int | None = None,
           patient_id: int | None = None, target: str = "", **detail) -> AuditEvent:
    """Add an audit event. ``detail`` is for identifiers and field names, never the patient's
    health data; the one free text it keeps is a clinician's own note of what was done about a
    flag (issue 15: the note is part of the record of the action)."""
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


PAGE_SIZE = 50


def clinic_log(clinic_id: int, *, actor_id=None, patient_id=None, action=None,
               since=None, before=None, page: int = 1) -> tuple[list[AuditEvent], bool]:
    """One page of the clinic's audit events, newest first; (events, has_more)."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    query = select(AuditEvent).options(selectinload(AuditEvent.actor)).where(
        AuditEvent.clinic_id == clinic_id)
    if actor_id is not None:
        query = query.where(AuditEvent.actor_id == actor_id)
    if patient_id is not None:
        query = query.where(AuditEvent.patient_id == patient_id)
    if action:
        query = query.where(AuditEvent.action == action)
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    if before is not None:
        query = query.where(AuditEvent.at < before)
    rows = list(db.session.scalars(query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
                                   .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)))
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def clinic_actions(clinic_id: int) -> list[str]:
    from sqlalchemy import select

    return list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.clinic_id == clinic_id).distinct().order_by(AuditEvent.action)))
