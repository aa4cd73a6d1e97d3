"""Turning the validated cohort query into ``cohort.Filters`` for the signed-in clinician."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from marshmallow import ValidationError
from sqlalchemy import select

from app.auth.models import Role, User
from app.extensions import db
from app.i18n import N_
from app.infusions.models import SeriesKind
from app.trends.cohort import Filters

# Without dates the cohort is the infusions that ended in the last 90 days: the patients being
# treated now, and a query whose cost follows them rather than the clinic's whole history.
DEFAULT_DAYS = 90


def clinic_staff(clinic_id: int) -> list[User]:
    return list(db.session.scalars(select(User).where(
        User.clinic_id == clinic_id, User.role.in_([Role.CLINICIAN, Role.ADMIN]))
        .order_by(User.name)))


def with_default_range(query: dict, *, clinic, now: datetime) -> dict:
    """``query`` with the last ``DEFAULT_DAYS`` days (clinic time) when it names no dates."""
    if query.get("start") or query.get("end"):
        return query
    today = now.astimezone(ZoneInfo(clinic.timezone)).date()
    return {**query, "start": today - timedelta(days=DEFAULT_DAYS - 1), "end": today}


def build(query: dict, *, clinic, now: datetime) -> Filters:
    """Raises ValidationError (answered 422) for a clinician not on this clinic's staff."""
    query = with_default_range(query, clinic=clinic, now=now)
    clinician = query.get("clinician")
    if clinician is not None and not db.session.scalar(select(User.id).where(
            User.id == clinician, User.clinic_id == clinic.id,
            User.role.in_([Role.CLINICIAN, Role.ADMIN]))):
        raise ValidationError({"clinician": [N_("No such clinician in this clinic.")]})
    zone = ZoneInfo(clinic.timezone)

    def midnight(day):
        return datetime.combine(day, time(0), tzinfo=zone)

    return Filters(
        clinic_id=clinic.id,
        ended_from=midnight(query["start"]) if query.get("start") else None,
        ended_before=midnight(query["end"] + timedelta(days=1)) if query.get("end") else None,
        clinician_id=clinician,
        series_kind=SeriesKind(query.get("series") or SeriesKind.INDUCTION.value),
    )
