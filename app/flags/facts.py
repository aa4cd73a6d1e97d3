"""The facts the flag rules read: a patient's current series as plain rows.

A fixed handful of queries whatever the history, read as plain rows (no ORM objects:
building thousands of them per check-in was most of a submission's cost).
"""

from sqlalchemy import func, or_, select

from app.checkins.models import CheckIn, SymptomRating
from app.extensions import db
from app.flags import rules
from app.infusions.models import Infusion, TreatmentSeries
from app.infusions.queries import current_series
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
    series = current_series(patient)
    if series is None:
        return rules.Facts()
    infusions = _infusion_facts(series.id)
    infusion_ids = [i.id for i in infusions]
    in_series, readiness = _membership(patient, series, infusion_ids)
    return rules.Facts(
        infusions=infusions,
        checkins=_checkin_facts(in_series, readiness),
        phq9s=_phq9_facts(Phq9Response.series_id == series.id) if with_phq9s else (),
        prompts=_prompt_facts(infusion_ids) if with_prompts else (),
    )


def submission_facts(patient: Patient, evidence: tuple[str, int]) -> rules.Facts:
    """What the submission rules read, and nothing more: ``scope.submission_scope`` of
    ``facts_for``, read directly (the series' infusions, its mood baseline check-in, and the
    new check-in with its ratings or the new PHQ-9, each only if it belongs to the series).
    A fixed number of statements, each reading a row or two, whatever the history."""
    series = current_series(patient)
    if series is None:
        return rules.Facts()
    kind, record_id = evidence
    infusions = _infusion_facts(series.id)
    infusion_ids = [i.id for i in infusions]
    in_series, readiness = _membership(patient, series, infusion_ids)
    wanted = CheckIn.id == _baseline_id(patient, series, infusion_ids, readiness)
    if kind == "checkin":
        wanted = wanted | (CheckIn.id == record_id)
    phq9 = (Phq9Response.series_id == series.id) & (Phq9Response.id == record_id)
    return rules.Facts(infusions=infusions,
                       checkins=_checkin_facts(in_series & wanted, readiness),
                       phq9s=_phq9_facts(phq9) if kind == "phq9" else ())


def _infusion_facts(series_id: int) -> tuple[rules.InfusionFact, ...]:
    return tuple(rules.InfusionFact(r.id, r.number, r.actual_end) for r in db.session.execute(
        select(Infusion.id, Infusion.number, Infusion.actual_end)
        .where(Infusion.series_id == series_id)))


def _membership(patient: Patient, series, infusion_ids: list[int]):
    """(a check-in is in the series, a check-in is a readiness check-in of the series)."""
    # The readiness check-in before one of this series' infusions belongs to the series (it
    # can be its mood baseline) although it follows the previous series' last infusion.
    readiness = CheckIn.id.in_(select(Prompt.answered_checkin_id).where(
        Prompt.infusion_id.in_(infusion_ids), Prompt.slot == READINESS,
        Prompt.answered_checkin_id.is_not(None)))
    in_series = (CheckIn.patient_id == patient.id) & or_(
        CheckIn.infusion_id.in_(infusion_ids), CheckIn.taken_at >= series.started_at, readiness)
    return in_series, readiness


def _baseline_id(patient: Patient, series, infusion_ids: list[int], readiness):
    """The id of the series' mood baseline check-in, as a scalar subquery: the earliest that
    ``rules.is_baseline_candidate`` accepts among the series' check-ins (``_membership``)."""
    candidate = or_(CheckIn.infusion_id.in_(infusion_ids), readiness,
                    CheckIn.infusion_id.is_(None) & (CheckIn.taken_at >= series.started_at))
    return (select(CheckIn.id).where(CheckIn.patient_id == patient.id, candidate)
            .order_by(CheckIn.taken_at, CheckIn.id).limit(1).scalar_subquery())


def _checkin_facts(where, readiness) -> tuple:
    """The check-ins ``where`` selects, in time order, each with its symptom ratings."""
    rows = db.session.execute(
        select(CheckIn.id, CheckIn.taken_at, CheckIn.mood, CheckIn.infusion_id,
               CheckIn.home_safely, readiness.label("readiness"))
        .where(where).order_by(CheckIn.taken_at, CheckIn.id)).all()
    symptoms = _symptoms([row.id for row in rows])
    return tuple(rules.CheckinFact(r.id, r.taken_at, r.mood, r.infusion_id, symptoms[r.id],
                                   readiness=bool(r.readiness), home_safely=r.home_safely)
                 for r in rows)


def _symptoms(checkin_ids: list[int]) -> dict[int, dict[str, int]]:
    """check-in id -> {symptom code: severity} for these check-ins, read by their ids (not by
    the check-ins' ``where`` again: its subqueries, the mood baseline's among them, would be
    built, keyed and run a second time)."""
    symptoms: dict[int, dict[str, int]] = {checkin_id: {} for checkin_id in checkin_ids}
    if not checkin_ids:
        return symptoms
    for checkin_id, code, severity in db.session.execute(
            select(SymptomRating.checkin_id, SymptomRating.code, SymptomRating.severity)
            .where(SymptomRating.checkin_id.in_(checkin_ids))):
        symptoms[checkin_id][code] = severity
    return symptoms


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
