"""The long-format export: one row per mood score, per answer to "Did you get home safely?"
(value yes or no), per side-effect rating, per PHQ-9 item (item 9 marked "safety_answer" in
``detail`` when it is one), and per dose (mg/kg, mg) and weight recorded with an infusion
(plain decimals, unit in ``detail``), and the session record (``app/exports/vitals.py``).

Rows are streamed from the database (``yield_per``), never loaded whole, so a cohort export of
millions of rows runs in constant memory. Columns are in ``COLUMNS``; times are UTC.
"""

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import select

from app.checkins.models import CheckIn, SymptomRating
from app.clinics.models import Clinic
from app.clinics.settings import effective
from app.exports.vitals import session_rows
from app.extensions import db
from app.flags.rules import Thresholds, is_safety_answer
from app.infusions import doses
from app.infusions.models import Infusion, TreatmentSeries
from app.patients.models import Patient
from app.phq9 import instrument
from app.phq9.models import Phq9Response
from app.trends.cohort import Filters, scoped_infusions

COLUMNS = ("kind", "patient_id", "series_id", "series_kind", "infusion_number", "record_id",
           "taken_at_utc", "hours_since_infusion", "item", "loinc", "value", "detail", "note")
CHUNK = 2000
SAFETY_DETAIL = "safety_answer"
INFUSION_ITEMS = (("dose_mg_per_kg", "mg/kg"), ("dose_mg", "mg"), ("weight_kg", "kg"))
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


def _phq9_rows(where, limits: Thresholds) -> Iterator[dict]:
    """Item rows of each PHQ-9; item 9's ``detail`` says "safety_answer" when it is one by
    the clinic's threshold (``is_safety_answer``, as on the crisis page and the flag)."""
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
                   "item": item.number, "loinc": item.loinc, "value": score,
                   "detail": _safety_detail(item.number, score, limits), "note": ""}


def _safety_detail(item_number: int, score: int, limits: Thresholds) -> str:
    safety = item_number == instrument.SAFETY_ITEM and is_safety_answer(score, limits)
    return SAFETY_DETAIL if safety else ""


def patient_rows(patient: Patient) -> Iterator[dict]:
    yield from _checkin_rows([CheckIn.patient_id == patient.id])
    yield from _phq9_rows([Phq9Response.patient_id == patient.id], _limits(patient.clinic_id))
    yield from _infusion_rows([Infusion.patient_id == patient.id])
    yield from session_rows([Infusion.patient_id == patient.id])


def _infusion_rows(where, scope=None) -> Iterator[dict]:
    """Each infusion's dose and the weight it was worked out from, timed at its start."""
    query = (select(Infusion.id, Infusion.patient_id, Infusion.series_id, TreatmentSeries.kind,
                    Infusion.number, Infusion.planned_start, Infusion.actual_start,
                    *(getattr(Infusion, item) for item, _unit in INFUSION_ITEMS))
             .join(TreatmentSeries, TreatmentSeries.id == Infusion.series_id))
    if scope is not None:
        query = query.join(scope, scope.c.id == Infusion.id)
    query = query.where(*where).order_by(Infusion.patient_id, Infusion.planned_start,
                                         Infusion.id)
    for r in _stream(query):
        for item, unit in INFUSION_ITEMS:
            if getattr(r, item) is None:
                continue
            yield {"kind": "infusion", "patient_id": r.patient_id, "series_id": r.series_id,
                   "series_kind": r.kind.value, "infusion_number": r.number, "record_id": r.id,
                   "taken_at_utc": _utc(r.actual_start or r.planned_start),
                   "hours_since_infusion": "", "item": item, "loinc": "",
                   "value": doses.plain(getattr(r, item)), "detail": unit, "note": ""}


def cohort_rows(filters: Filters) -> Iterator[dict]:
    """Check-ins after the infusions in scope, and the PHQ-9s of their series."""
    yield from _checkin_rows([], scope=scoped_infusions(filters))
    scope = scoped_infusions(filters)
    yield from _phq9_rows([Phq9Response.series_id.in_(select(scope.c.series_id))],
                          _limits(filters.clinic_id))
    yield from _infusion_rows([], scope=scoped_infusions(filters))
    yield from session_rows([], scope=scoped_infusions(filters))


def _limits(clinic_id: int) -> Thresholds:
    return Thresholds.from_settings(effective(db.session.get(Clinic, clinic_id)))


def cohort_patient_ids(filters: Filters) -> list[int]:
    """The patients whose records ``cohort_rows`` exports: each export is audited per patient."""
    scope = scoped_infusions(filters)
    return list(db.session.scalars(select(scope.c.patient_id).distinct()
                                   .order_by(scope.c.patient_id)))
