"""The clinician's list of their clinic's patients (issue 15, point 4): per patient the highest
open flag, the last check-in and its mood (with the series' mood baseline), the PHQ-9 latest
and baseline of the current series, and the next planned infusion.

A fixed number of queries whatever the number of patients (one per column family, each over
all the clinic's patients at once); the sort is done here, on the server, over the rows.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from app.checkins.models import CheckIn
from app.extensions import db
from app.flags.facts import mood_baselines
from app.flags.models import UNRESOLVED, Flag
from app.infusions.models import Infusion, TreatmentSeries
from app.patients.models import Patient
from app.phq9.models import Phq9Response


@dataclass(frozen=True)
class PatientRow:
    patient: Patient
    highest_flag: int | None = None  # priority of the most urgent open flag (0 urgent)
    open_flags: int = 0
    last_checkin_at: datetime | None = None
    last_mood: int | None = None
    mood_baseline: int | None = None
    phq9_latest: int | None = None
    phq9_baseline: int | None = None
    next_infusion_at: datetime | None = None
    infusions_done: int = 0


def patient_overview(clinic_id: int, *, name: str = "", sort: str = "flag",
                     descending: bool = False) -> list[PatientRow]:
    """One row per patient of the clinic whose name contains ``name``, sorted by ``sort``."""
    query = select(Patient).where(Patient.clinic_id == clinic_id).order_by(
        Patient.display_name, Patient.id)
    if name:
        query = query.where(func.lower(Patient.display_name).contains(
            name.lower(), autoescape=True))
    patients = list(db.session.scalars(query))
    if not patients:
        return []
    return sort_rows(_rows(patients), sort, descending=descending)


@dataclass(frozen=True)
class Summary:
    """The line the patient page opens on (issue 15, point 3): the patient's row of the list,
    and where they are in their current series."""

    row: PatientRow
    series_kind: str
    infusion_number: int | None  # the latest infusion given in the series; None: none yet
    infusions_in_series: int  # given and planned


def patient_summary(patient: Patient, series: TreatmentSeries) -> Summary:
    """The same figures the patient list shows for this patient (one definition of each),
    and the latest infusion given in ``series`` (their current one)."""
    [row] = _rows([patient])
    given = [i.number for i in series.infusions if i.actual_end is not None]
    return Summary(row, series.kind.value, max(given, default=None), len(series.infusions))


def _rows(patients: list[Patient]) -> list[PatientRow]:
    ids = [p.id for p in patients]
    flags, last, infusions = _flags(ids), _last_checkins(ids), _infusions(ids)
    phq9, baselines = _phq9(ids), mood_baselines(ids)
    return [PatientRow(
        patient=p, **flags.get(p.id, {}), **last.get(p.id, {}), **infusions.get(p.id, {}),
        **phq9.get(p.id, {}), mood_baseline=baselines.get(p.id)) for p in patients]


SORTS = ("name", "flag", "checkin", "mood", "phq9", "infusion")


def sort_rows(rows: list[PatientRow], sort: str, *, descending: bool = False) -> list[PatientRow]:
    """Rows by one column; patients without a value always last, then by name."""
    key = _SORT_KEYS[sort]
    known = [row for row in rows if key(row) is not None]
    unknown = [row for row in rows if key(row) is None]
    known.sort(key=lambda row: row.patient.display_name.lower())
    known.sort(key=key, reverse=descending)
    return known + unknown


_SORT_KEYS = {
    "name": lambda row: row.patient.display_name.lower(),
    "flag": lambda row: row.highest_flag,
    "checkin": lambda row: row.last_checkin_at,
    "mood": lambda row: row.last_mood,
    "phq9": lambda row: row.phq9_latest,
    "infusion": lambda row: row.next_infusion_at,
}


def _flags(ids: list[int]) -> dict[int, dict]:
    return {row.patient_id: {"highest_flag": row.highest, "open_flags": row.count}
            for row in db.session.execute(
                select(Flag.patient_id, func.min(Flag.priority).label("highest"),
                       func.count().label("count"))
                .where(Flag.patient_id.in_(ids), Flag.status.in_(UNRESOLVED))
                .group_by(Flag.patient_id))}


def _last_checkins(ids: list[int]) -> dict[int, dict]:
    ranked = (select(CheckIn.patient_id, CheckIn.taken_at, CheckIn.mood,
                     func.row_number().over(partition_by=CheckIn.patient_id, order_by=(
                         CheckIn.taken_at.desc(), CheckIn.id.desc())).label("rank"))
              .where(CheckIn.patient_id.in_(ids)).subquery())
    return {row.patient_id: {"last_checkin_at": row.taken_at, "last_mood": row.mood}
            for row in db.session.execute(select(ranked).where(ranked.c.rank == 1))}


def _infusions(ids: list[int]) -> dict[int, dict]:
    """Infusions given, and the next one planned (not started yet, the earliest planned)."""
    planned = Infusion.actual_start.is_(None) & Infusion.actual_end.is_(None)
    return {row.patient_id: {"infusions_done": row.done, "next_infusion_at": row.next_at}
            for row in db.session.execute(
                select(Infusion.patient_id, func.count(Infusion.actual_end).label("done"),
                       func.min(Infusion.planned_start).filter(planned).label("next_at"))
                .where(Infusion.patient_id.in_(ids)).group_by(Infusion.patient_id))}


def _phq9(ids: list[int]) -> dict[int, dict]:
    """The first (baseline) and latest PHQ-9 total of each patient's current series."""
    series = (select(TreatmentSeries.id, func.row_number().over(
        partition_by=TreatmentSeries.patient_id, order_by=(
            TreatmentSeries.started_at.desc(), TreatmentSeries.id.desc())).label("rank"))
        .where(TreatmentSeries.patient_id.in_(ids)).subquery())
    ranked = (select(Phq9Response.patient_id, Phq9Response.total,
                     func.row_number().over(partition_by=Phq9Response.series_id, order_by=(
                         Phq9Response.taken_at, Phq9Response.id)).label("first"),
                     func.row_number().over(partition_by=Phq9Response.series_id, order_by=(
                         Phq9Response.taken_at.desc(), Phq9Response.id.desc())).label("last"))
              .join(series, (series.c.id == Phq9Response.series_id) & (series.c.rank == 1))
              .subquery())
    found: dict[int, dict] = {}
    for row in db.session.execute(select(ranked).where((ranked.c.first == 1)
                                                       | (ranked.c.last == 1))):
        if row.first == 1:
            found.setdefault(row.patient_id, {})["phq9_baseline"] = row.total
        if row.last == 1:
            found.setdefault(row.patient_id, {})["phq9_latest"] = row.total
    return found
