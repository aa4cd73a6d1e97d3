"""Template filters and globals: times shown in the viewer's own time zone."""

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask import Flask, g
from flask_login import current_user

from app import i18n, timewords
from app.auth.access import device_account, signed_out_here
from app.auth.models import Role
from app.checkins import catalog
from app.infusions import doses


def viewer_timezone() -> ZoneInfo:
    """The patient's own zone for patients, the clinic's for staff, UTC when signed out."""
    if "viewer_timezone" not in g:
        g.viewer_timezone = _viewer_timezone()
    return g.viewer_timezone


def _viewer_timezone() -> ZoneInfo:
    if not current_user.is_authenticated:
        return ZoneInfo("UTC")
    if current_user.role == Role.PATIENT:
        from app.patients.services import patient_of

        patient = patient_of(current_user)
        return ZoneInfo(patient.timezone if patient else current_user.clinic.timezone)
    return ZoneInfo(current_user.clinic.timezone)


# strftime patterns as CLDR patterns, for Babel's format_datetime in languages other than
# English (whose pages keep the strftime output they always had).
CLDR_PATTERNS = {"%a %d %b %Y, %H:%M": "EEE d MMM y, HH:mm", "%-d %b %Y": "d MMM y",
                 "%a %-d %b": "EEE d MMM", "%H:%M": "HH:mm", "%-d %b": "d MMM",
                 "%d %b %Y": "d MMM y"}


def local_time(value: datetime | None, fmt: str = "%a %d %b %Y, %H:%M") -> str:
    if value is None:
        return ""
    local = value.astimezone(viewer_timezone())
    if fmt in CLDR_PATTERNS and i18n.language() != "en":
        return format_datetime(local, CLDR_PATTERNS[fmt], tzinfo=local.tzinfo,
                               locale=i18n.language())
    return local.strftime(fmt)


def local_input(value: datetime | None) -> str:
    """A datetime as the value of an ``<input type=datetime-local>`` in the viewer's zone."""
    return local_time(value, "%Y-%m-%dT%H:%M") if value else ""


def due_by(value: datetime) -> str:
    from app.clock import utcnow

    return timewords.due_by(value, utcnow(), viewer_timezone(), i18n.language())


def said_when(value: datetime, capital: bool = True) -> str:
    from app.clock import utcnow

    return timewords.said_when(value, utcnow(), viewer_timezone(), capital=capital,
                               language=i18n.language())


def register(app: Flask) -> None:
    app.add_template_filter(due_by, "due_by")
    app.add_template_filter(said_when, "said_when")
    app.add_template_filter(local_time, "local")
    app.add_template_filter(local_input, "local_input")
    app.add_template_filter(doses.plain, "plain")
    app.add_template_global(doses.dose_text, "dose_text")
    app.add_template_global(catalog, "catalog")
    app.add_template_global(Role, "Role")
    app.add_template_global(device_account, "device_account")
    app.add_template_global(signed_out_here, "signed_out_here")
