"""The facts the flag rules read: a patient's current series as plain rows.

A fixed handful of queries whatever the history, read as plain rows (no ORM objects:
building thousands of them per check-in was most of a submission's cost), the check-ins'
statements built once with bound parameters.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import bindparam, func, or_, select

from app.checkins.models import CheckIn, SymptomRating
from app.extensions import db
from app.flags import rules
from app.infusions.models import Infusion, TreatmentSeries
from app.infusions.queries import LATEST_SERIES_FIRST
from app.patients.models import Patient
from app.phq9 import instrument
from app.phq9.models import Phq9Response
from app.prompts.models import Prompt, PromptStatus
from app.prompts.schedule import READINESS


def thresholds(settings: dict) -> rules.Thresholds:
    return rules.Thresholds.from_settings(settings)


def facts_for(patient: Patient, *, with_prompts: bool = True,
              with_phq9s: bool = True) -> rules.Facts:
    """The patient's current series as the rules see it.

    ``with_prompts=False`` skips the prompts (what missed_checkins reads), ``with_phq9s=False``
    the PHQ-9s.
    """
    series, infusions = _series_and_infusions(patient.id)
    if series is None:
        return rules.Facts()
    infusion_ids = [i.id for i in infusions]
    return rules.Facts(
        infusions=infusions,
        checkins=_checkin_facts(_statements()["series"],
                                _series_params(patient.id, series, infusion_ids)),
        phq9s=_phq9_facts(Phq9Response.series_id == series.id) if with_phq9s else (),
        prompts=_prompt_facts(infusion_ids) if with_prompts else (),
    )


def submission_facts(patient: Patient, evidence: tuple[str, int]) -> rules.Facts:
    """What the submission rules read, and nothing more: ``scope.submission_scope`` of
    ``facts_for``, read directly (the series' infusions, its mood baseline check-in, and the
    new check-in with its ratings or the new PHQ-9, each only if it belongs to the series).
    A fixed number of statements, each reading a row or two, whatever the history."""
    series, infusions = _series_and_infusions(patient.id)
    if series is None:
        return rules.Facts()
    kind, record_id = evidence
    params = _series_params(patient.id, series, [i.id for i in infusions])
    statement = _statements()["baseline_and_record" if kind == "checkin" else "baseline"]
    phq9 = (Phq9Response.series_id == series.id) & (Phq9Response.id == record_id)
    return rules.Facts(infusions=infusions,
                       checkins=_checkin_facts(statement, params | {"record_id": record_id}),
                       phq9s=_phq9_facts(phq9) if kind == "phq9" else ())


def _series_and_infusions(patient_id: int):
    """(the current series' id and start, its infusions' facts) in one statement; (None, ())
    without a series."""
    current = (select(TreatmentSeries.id).where(TreatmentSeries.patient_id == patient_id)
               .order_by(*LATEST_SERIES_FIRST).limit(1).scalar_subquery())
    rows = db.session.execute(
        select(TreatmentSeries.id.label("series_id"), TreatmentSeries.started_at,
               Infusion.id, Infusion.number, Infusion.actual_end)
        .outerjoin(Infusion, Infusion.series_id == TreatmentSeries.id)
        .where(TreatmentSeries.id == current)).all()
    if not rows:
        return None, ()
    series = SeriesRow(rows[0].series_id, rows[0].started_at)
    return series, tuple(rules.InfusionFact(r.id, r.number, r.actual_end)
                         for r in rows if r.id is not None)


@dataclass(frozen=True)
class SeriesRow:
    id: int
    started_at: datetime


def _series_params(patient_id: int, series: SeriesRow, infusion_ids: list[int]) -> dict:
    return {"patient_id": patient_id, "started_at": series.started_at,
            "infusion_ids": infusion_ids}


@cache
def _statements() -> dict:
    """The check-in facts' statements, built once (building and keying them per check-in was
    a good part of its cost), over the bound parameters ``patient_id``, ``started_at`` and
    ``infusion_ids`` (``_series_params``) and, for the new check-in, ``record_id``."""
    infusion_ids = bindparam("infusion_ids", expanding=True)
    patient_id, started_at = bindparam("patient_id"), bindparam("started_at")
    # The readiness check-in before one of this series' infusions belongs to the series (it
    # can be its mood baseline) although it follows the previous series' last infusion.
    readiness = CheckIn.id.in_(select(Prompt.answered_checkin_id).where(
        Prompt.infusion_id.in_(infusion_ids), Prompt.slot == READINESS,
        Prompt.answered_checkin_id.is_not(None)))
    in_series = (CheckIn.patient_id == patient_id) & or_(
        CheckIn.infusion_id.in_(infusion_ids), CheckIn.taken_at >= started_at, readiness)
    # The series' mood baseline check-in: the earliest that ``rules.is_baseline_candidate``
    # accepts among the series' check-ins.
    candidate = or_(CheckIn.infusion_id.in_(infusion_ids), readiness,
                    CheckIn.infusion_id.is_(None) & (CheckIn.taken_at >= started_at))
    baseline = CheckIn.id == (
        select(CheckIn.id).where(CheckIn.patient_id == patient_id, candidate)
        .order_by(CheckIn.taken_at, CheckIn.id).limit(1).scalar_subquery())
    record = CheckIn.id == bindparam("record_id")
    return {"series": _checkin_facts_statement(in_series, readiness),
            "baseline": _checkin_facts_statement(in_series & baseline, readiness),
            "baseline_and_record": _checkin_facts_statement(in_series & (baseline | record),
                                                            readiness)}


def _checkin_facts_statement(where, readiness):
    return (select(CheckIn.id, CheckIn.taken_at, CheckIn.mood, CheckIn.infusion_id,
                   CheckIn.home_safely, readiness.label("readiness"), SymptomRating.code,
                   SymptomRating.severity)
            .outerjoin(SymptomRating, SymptomRating.checkin_id == CheckIn.id)
            .where(where).order_by(CheckIn.taken_at, CheckIn.id))


def _checkin_facts(statement, params: dict) -> tuple:
    """The check-ins a ``_statements()`` statement selects, in time order, each with its
    symptom ratings: the ratings joined (a row per rating; a check-in without any is one row).
    """
    rows = db.session.execute(statement, params)
    checkins: dict[int, object] = {}
    symptoms: dict[int, dict[str, int]] = {}
    for row in rows:
        checkins.setdefault(row.id, row)
        ratings = symptoms.setdefault(row.id, {})
        if row.code is not None:
            ratings[row.code] = row.severity
    return tuple(rules.CheckinFact(r.id, r.taken_at, r.mood, r.infusion_id, symptoms[r.id],
                                   readiness=bool(r.readiness), home_safely=r.home_safely)
                 for r in checkins.values())


def _phq9_facts(where) -> tuple:
    return tuple(
        rules.Phq9Fact(p.id, p.taken_at, p.total, instrument.safety_item_score(p.answers))
        for p in db.session.execute(select(
            Phq9Response.id, Phq9Response.taken_at, Phq9Response.total, Phq9Response.answers)
            .where(where)))


def _prompt_facts(infusion_ids: list[int]) -> tuple:
    """The answered and missed prompts of these infusions (what missed_checkins reads)."""
    return tuple(
        rules.PromptFact(p.id, p.infusion_id, p.due_at, p.status == PromptStatus.MISSED,
                         checkin_prompt=p.slot != READINESS)
        for p in db.session.execute(select(
            Prompt.id, Prompt.infusion_id, Prompt.due_at, Prompt.status, Prompt.slot).where(
            Prompt.infusion_id.in_(infusion_ids),
            Prompt.status.in_([PromptStatus.ANSWERED, PromptStatus.MISSED]))))


def mood_baselines(patient_ids) -> dict[int, int]:
    """patient id -> the mood baseline of their current series, for many patients in one query
    (the triage queue, the patient list). The same check-ins ``rules.mood_baseline`` picks
    from ``facts_for``: one after an infusion of the series, its readiness check-in, or one
    before any infusion since the series started; the first of them by time.
    ``tests/services/test_mood_baseline.py`` holds the two to the same answer."""
    ids = list(patient_ids)
    if not ids:
        return {}
    latest = (select(TreatmentSeries.id, TreatmentSeries.patient_id, TreatmentSeries.started_at,
                     func.row_number().over(
                         partition_by=TreatmentSeries.patient_id,
                         order_by=(TreatmentSeries.started_at.desc(),
                                   TreatmentSeries.id.desc())).label("rank"))
              .where(TreatmentSeries.patient_id.in_(ids)).subquery())
    series_infusions = select(Infusion.id).where(Infusion.series_id == latest.c.id)
    readiness = select(Prompt.answered_checkin_id).where(
        Prompt.infusion_id.in_(series_infusions), Prompt.slot == READINESS,
        Prompt.answered_checkin_id.is_not(None))
    candidates = (
        select(CheckIn.patient_id, CheckIn.mood, func.row_number().over(
            partition_by=CheckIn.patient_id,
            order_by=(CheckIn.taken_at, CheckIn.id)).label("rank"))
        .join(latest, (latest.c.patient_id == CheckIn.patient_id) & (latest.c.rank == 1))
        .where(or_(CheckIn.infusion_id.in_(series_infusions), CheckIn.id.in_(readiness),
                   CheckIn.infusion_id.is_(None) & (CheckIn.taken_at >= latest.c.started_at)))
        .subquery())
    return dict(db.session.execute(select(candidates.c.patient_id, candidates.c.mood)
                                   .where(candidates.c.rank == 1)).all())
