"""Clinics and their staff."""

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.audit.services import record
from app.auth.models import Role, User
from app.clinics.models import Clinic
from app.clinics.settings import effective
from app.extensions import db


def create_clinic(*, name: str, timezone: str, phone: str = "") -> Clinic:
    clinic = Clinic(name=name.strip(), timezone=timezone, phone=phone.strip(), settings={})
    db.session.add(clinic)
    db.session.flush()
    return clinic


def clinic_by_name(name: str) -> Clinic | None:
    return db.session.scalar(select(Clinic).where(Clinic.name == name))


def staff(clinic_id: int) -> list[User]:
    return list(db.session.scalars(
        select(User).where(User.clinic_id == clinic_id, User.role != Role.PATIENT)
        .order_by(User.name)
    ))


def update_settings(clinic: Clinic, values: dict, *, by: User, now) -> dict:
    """Store new settings; audit each change with its old and new value. Returns the changes."""
    current = effective(clinic)
    changes = {name: (current[name], value) for name, value in values.items()
               if current.get(name) != value}
    if changes:
        clinic.settings = {**(clinic.settings or {}), **values}
        for name, (old, new) in changes.items():
            record("clinic.settings", now=now, actor=by, clinic_id=clinic.id, target=name,
                   old=old, new=new)
        db.session.flush()
    return changes


def settings_history(clinic_id: int, limit: int = 50) -> list:
    return list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.clinic_id == clinic_id,
                                 AuditEvent.action == "clinic.settings")
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)))
