"""Clinics and their staff."""

from datetime import datetime

from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.audit.services import record
from app.auth.models import Role, User
from app.auth.services import end_sessions
from app.clinics.models import Clinic
from app.clinics.settings import effective
from app.extensions import db
from app.i18n import N_


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


class CannotDeactivate(Exception):
    """Refused: the message says why, in plain words."""


def deactivate_staff(member: User, *, by: User | None, now: datetime) -> int:
    """A departed staff member: sign-in refused, every session ended, their devices' push
    subscriptions gone, messages still waiting for them cancelled. Nobody deactivates
    themselves or a clinic's last active admin. Returns the sessions ended."""
    from app.notifications.services import cancel_unsent_to

    if member.role == Role.PATIENT:
        raise CannotDeactivate(N_("Patients are discharged from their own page."))
    if by is not None and by.id == member.id:
        raise CannotDeactivate(N_("You cannot deactivate your own account."))
    if member.role == Role.ADMIN and member.active and active_admins(member.clinic_id) <= 1:
        raise CannotDeactivate(N_("This is the clinic's last active admin. Make someone else "
                                  "an admin first."))
    member.active = False
    count = end_sessions(member, now=now)
    cancel_unsent_to(member.id)
    db.session.flush()
    return count


def reactivate_staff(member: User) -> None:
    member.active = True
    db.session.flush()


def active_admins(clinic_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(
        User.clinic_id == clinic_id, User.role == Role.ADMIN, User.active.is_(True)))


def clinic_staff_member(clinic_id: int, user_id: int) -> User | None:
    """A staff member of this clinic, or None (callers answer 404)."""
    return db.session.scalar(select(User).where(
        User.id == user_id, User.clinic_id == clinic_id, User.role != Role.PATIENT))


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


DETAILS = ("phone", "timezone")


def update_details(clinic: Clinic, values: dict, *, by: User, now) -> dict:
    """The clinic's phone number and time zone, each change kept in the settings change log
    (the audit log) with its old and new value. Returns the changes."""
    changes = {name: (getattr(clinic, name), values[name]) for name in DETAILS
               if name in values and getattr(clinic, name) != values[name]}
    for name, (old, new) in changes.items():
        setattr(clinic, name, new)
        record("clinic.settings", now=now, actor=by, clinic_id=clinic.id, target=name,
               old=old, new=new)
    db.session.flush()
    return changes


def settings_history(clinic_id: int, limit: int = 50) -> list:
    return list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.clinic_id == clinic_id,
                                 AuditEvent.action == "clinic.settings")
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)))
