"""The long-format export: one row per mood score, per answer to "Did you get home safely?"
(value yes or no), per side-effect rating and per PHQ-9 item.

Rows are streamed from the database (``yield_per``), never loaded whole, so a cohort export of
millions of rows runs in constant memory. Columns are in ``COLUMNS``; times are UTC.
"""

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import select

from app.checkins.models import CheckIn, SymptomRating
from app.extensions import db
from app.infusions.models import Infusion, TreatmentSeries
from app.phq9 import instrument
from app.phq9.models import Phq9Response
from app.trends.cohort import Filters, scoped_infusions

COLUMNS = ("kind", "patient_id", "series_id", "series_kind", "infusion_number", "record_id",
           "taken_at_utc", "hours_since_infusion", "item", "loinc", "value", "detail", "note")
CHUNK = 2000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Text a spreadsheet would run as a formula, even after leading spaces or line breaks,
    gets a leading apostrophe (OWASP advice)."""
    if isinstance(value, str) and value.lstrip(" \n").startswith(_FORMULA_START):
        return "'" + value
    return value


def _utc(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _hours(taken_at: datetime, end: datetime | None):
    return round((taken_at - end).total_seconds() / 3600, 2) if end else ""


def _checkin_columns():
    return (CheckIn.id, CheckIn.patient_id, CheckIn.taken_at, CheckIn.mood, CheckIn.note,
            CheckIn.home_safely, Infusion.series_id, TreatmentSeries.kind, Infusion.number,
            Infusion.actual_end)


def _joined(query):
    return (query.outerjoin(Infusion, Infusion.id == CheckIn.infusion_id)
            .outerjoin(TreatmentSeries, TreatmentSeries.id == Infusion.series_id))


def _stream(query):
    return db.session.execute(query.execution_options(yield_per=CHUNK))


def _checkin_rows(where, scope=None) -> Iterator[dict]:
    base = select(*_checkin_columns()).select_from(CheckIn)
    if scope is not None:
        base = base.join(scope, scope.c.id == CheckIn.infusion_id)
    moods = _joined(base).where(*where).order_by(CheckIn.patient_id, CheckIn.taken_at,
                                                   CheckIn.id)
    for r in _stream(moods):
        yield {"kind": "mood", "patient_id": r.patient_id, "series_id": r.series_id or "",
               "series_kind": r.kind.value if r.kind else "",
               "infusion_number": r.number or "", "record_id": r.id,
               "taken_at_utc": _utc(r.taken_at), "hours_since_infusion": _hours(r.taken_at,
                                                                                r.actual_end),
               "item": "mood", "loinc": "", "value": r.mood, "detail": "", "note": r.note}
        if r.home_safely is not None:  # "Did you get home safely?", asked after an infusion
            yield {"kind": "home_safely", "patient_id": r.patient_id,
                   "series_id": r.series_id or "", "series_kind": r.kind.value if r.kind else "",
                   "infusion_number": r.number or "", "record_id": r.id,
                   "taken_at_utc": _utc(r.taken_at),
                   "hours_since_infusion": _hours(r.taken_at, r.actual_end),
                   "item": "home_safely", "loinc": "", "value": "yes" if r.home_safely else "no",
                   "detail": "", "note": ""}
    ratings = select(*_checkin_columns(), SymptomRating.code, SymptomRating.severity,
                     SymptomRating.detail).select_from(CheckIn)
    if scope is not None:
        ratings = ratings.join(scope, scope.c.id == CheckIn.infusion_id)
    ratings = (_joined(ratings).join(SymptomRating, SymptomRating.checkin_id == CheckIn.id)
               .where(*where).order_by(CheckIn.patient_id, CheckIn.taken_at, CheckIn.id,
                                       SymptomRating.code))
    for r in _stream(ratings):
        yield {"kind": "symptom", "patient_id": r.patient_id, "series_id": r.series_id or "",
               "series_kind": r.kind.value if r.kind else "",
               "infusion_number": r.number or "", "record_id": r.id,
               "taken_at_utc": _utc(r.taken_at), "hours_since_infusion": _hours(r.taken_at,
                                                                                r.actual_end),
               "item": r.code, "loinc": "", "value": r.severity, "detail": r.detail,
               "note": ""}


def _phq9_rows(where) -> Iterator[dict]:
    query = (select(Phq9Response.id, Phq9Response.patient_id, Phq9Response.series_id,
                    Phq9Response.taken_at, Phq9Response.answers, TreatmentSeries.kind)
             .join(TreatmentSeries, TreatmentSeries.id == Phq9Response.series_id)
             .where(*where).order_by(Phq9Response.patient_id, Phq9Response.taken_at,
                                     Phq9Response.id))
    for r in _stream(query):
        for item, score in zip(instrument.ITEMS, r.answers, strict=True):
            yield {"kind": "phq9_item", "patient_id": r.patient_id, "series_id": r.series_id,
                   "series_kind": r.kind.value, "infusion_number": "", "record_id": r.id,
                   "taken_at_utc": _utc(r.taken_at), "hours_since_infusion": "",
                   "item": item.number, "loinc": item.loinc, "value": score, "detail": "",
                   "note": ""}


def patient_rows(patient_id: int) -> Iterator[dict]:
    yield from _checkin_rows([CheckIn.patient_id == patient_id])
    yield from _phq9_rows([Phq9Response.patient_id == patient_id])


def cohort_rows(filters: Filters) -> Iterator[dict]:
    """Check-ins after the infusions in scope, and the PHQ-9s of their series."""
    yield from _checkin_rows([], scope=scoped_infusions(filters))
    scope = scoped_infusions(filters)
    yield from _phq9_rows([Phq9Response.series_id.in_(select(scope.c.series_id))])


def cohort_patient_ids(filters: Filters) -> list[int]:
    """The patients whose records ``cohort_rows`` exports: each export is audited per patient."""
    scope = scoped_infusions(filters)
    return list(db.session.scalars(select(scope.c.patient_id).distinct()
                                   .order_by(scope.c.patient_id)))
