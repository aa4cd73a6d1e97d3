"""Cohort aggregates for a clinic, computed by the database (GROUP BY and window functions).

Every function here runs a fixed number of queries whatever the number of patients, and
returns small lists of rows: one per infusion number (and hour bucket or side effect). The SQL
is the same on SQLite and PostgreSQL; only ``hours_between`` compiles differently.

Each aggregate also says how many distinct patients it was computed from (``patients`` and
the like): ``cohort_charts`` withholds those from fewer than ``MIN_PATIENTS``.

Scope (``Filters``): the clinic's infusions that have ended, in one kind of series (induction
by default), optionally those that ended within a date range (in the clinic's time zone) and
those recorded by one clinician (``Infusion.recorded_by_id``: who recorded or last edited it).
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select

from app.checkins.models import CheckIn, SymptomRating
from app.extensions import db
from app.infusions.models import Infusion, SeriesKind, TreatmentSeries
from app.patients.models import Patient
from app.phq9 import instrument
from app.phq9.models import Phq9Response
from app.prompts.models import Prompt, PromptStatus
from app.trends.sql import hours_between, ladder_bucket, not_an_index


@dataclass(frozen=True)
class Filters:
    clinic_id: int
    ended_from: datetime | None = None   # UTC, inclusive
    ended_before: datetime | None = None  # UTC, exclusive
    clinician_id: int | None = None
    series_kind: SeriesKind = SeriesKind.INDUCTION


def scoped_infusions(filters: Filters):
    """A CTE of the infusions in scope: id, number, actual_end, patient_id, series_id."""
    query = (
        select(Infusion.id, Infusion.number, Infusion.actual_end, Infusion.patient_id,
               Infusion.series_id)
        .join(Patient, Patient.id == Infusion.patient_id)
        .join(TreatmentSeries, TreatmentSeries.id == Infusion.series_id)
        # The infusions are found through ix_infusion_ended, by their end date, so the
        # cost follows the date range, not the length of the clinic's history; on SQLite the
        # clinic term must stay out of the index choice, on PostgreSQL in (sql.not_an_index).
        .where(not_an_index(Patient.clinic_id) == filters.clinic_id,
               Infusion.actual_end.is_not(None), TreatmentSeries.kind == filters.series_kind)
    )
    if filters.ended_from is not None:
        query = query.where(Infusion.actual_end >= filters.ended_from)
    if filters.ended_before is not None:
        query = query.where(Infusion.actual_end < filters.ended_before)
    if filters.clinician_id is not None:
        query = query.where(Infusion.recorded_by_id == filters.clinician_id)
    return query.cte("scoped_infusion")


def mood_by_hours(filters: Filters, ladder: list[int]) -> list[dict]:
    """Average mood per (infusion number, nearest ladder step), from check-ins after the end
    and before a day past the ladder's last step."""
    scope = scoped_infusions(filters)
    hours = hours_between(CheckIn.taken_at, scope.c.actual_end)
    rows = (
        select(scope.c.number.label("number"), ladder_bucket(hours, ladder).label("bucket"),
               CheckIn.mood.label("mood"), CheckIn.patient_id.label("patient_id"))
        .join(scope, scope.c.id == CheckIn.infusion_id)
        # Up to a day past the last step: later check-ins (weeks before the next series)
        # belong to no step of this infusion's ladder.
        .where(hours >= 0, hours < max(ladder) + 24)
    ).subquery("mood_row")
    query = (
        select(rows.c.number, rows.c.bucket, func.avg(rows.c.mood).label("mean"),
               func.count().label("checkins"),
               func.count(func.distinct(rows.c.patient_id)).label("patients"))
        .group_by(rows.c.number, rows.c.bucket).order_by(rows.c.number, rows.c.bucket)
    )
    return [{"number": r.number, "hours": int(r.bucket), "mean_mood": round(float(r.mean), 2),
             "checkins": r.checkins, "patients": r.patients}
            for r in db.session.execute(query)]


def _episodes(scope):
    """One row per (infusion, side effect) reported above 0: hours until it was back at 0.

    The same definition as ``app.flags.episodes``: onset is the first rating above 0; it is
    resolved at the first later rating of 0; ``hours`` is NULL while unresolved. One pass: a
    window function finds each (infusion, side effect)'s onset, a GROUP BY its resolution.
    """
    partition = [scope.c.id, SymptomRating.code]
    rating = (
        select(scope.c.id.label("infusion_id"), scope.c.number, scope.c.actual_end,
               scope.c.patient_id, SymptomRating.code, SymptomRating.severity, CheckIn.taken_at,
               func.min(case((SymptomRating.severity > 0, CheckIn.taken_at)))
               .over(partition_by=partition).label("onset_at"))
        .select_from(CheckIn)
        .join(scope, scope.c.id == CheckIn.infusion_id)
        .join(SymptomRating, SymptomRating.checkin_id == CheckIn.id)
    ).subquery("rating")
    resolved_at = func.min(case((and_(rating.c.severity == 0,
                                      rating.c.taken_at > rating.c.onset_at),
                                 rating.c.taken_at)))
    return (
        select(rating.c.infusion_id, rating.c.number, rating.c.code, rating.c.patient_id,
               hours_between(resolved_at, rating.c.actual_end).label("hours"))
        .where(rating.c.onset_at.is_not(None))
        .group_by(rating.c.infusion_id, rating.c.number, rating.c.code, rating.c.actual_end,
                  rating.c.patient_id)
    ).cte("episode")


def side_effects(filters: Filters) -> dict:
    """Per infusion number: infusions with check-ins, and per side effect the incidence (how
    many of those infusions it followed), how many resolved and the median hours it lasted."""
    scope = scoped_infusions(filters)
    infusions, patients = _infusions_with_checkins(scope)
    rows = []
    for r in db.session.execute(_episode_summary(_episodes(scope))):
        denominator = infusions.get(r.number, 0)
        rows.append({
            "number": r.number, "code": r.code, "episodes": r.episodes,
            "resolved": r.resolved, "patients": patients.get(r.number, 0),
            "resolved_patients": r.resolved_patients,
            "incidence": round(r.episodes / denominator, 3) if denominator else None,
            "median_hours": round(float(r.median), 1) if r.median is not None else None,
        })
    return {"infusions_with_checkins": [{"number": n, "infusions": c, "patients": patients[n]}
                                        for n, c in sorted(infusions.items())],
            "rows": rows}


def _infusions_with_checkins(scope) -> tuple[dict[int, int], dict[int, int]]:
    """Per infusion number: how many infusions in scope have a check-in, and from how many
    patients (the incidence's denominator)."""
    reported = (
        select(scope.c.number, func.count(func.distinct(CheckIn.infusion_id)).label("n"),
               func.count(func.distinct(CheckIn.patient_id)).label("patients"))
        .join(scope, scope.c.id == CheckIn.infusion_id)
        .group_by(scope.c.number).order_by(scope.c.number)
    )
    rows = list(db.session.execute(reported))
    return {r.number: r.n for r in rows}, {r.number: r.patients for r in rows}


def _episode_summary(episode):
    """Per (infusion number, side effect): episodes, resolved ones, from how many patients,
    and the median hours until resolved."""
    counts = (
        select(episode.c.number, episode.c.code, func.count().label("episodes"),
               func.count(episode.c.hours).label("resolved"),
               func.count(func.distinct(case((episode.c.hours.is_not(None),
                                              episode.c.patient_id)))).label("resolved_patients"))
        .group_by(episode.c.number, episode.c.code)
    ).subquery("counts")
    median = _median_hours(episode)
    return (
        select(counts.c.number, counts.c.code, counts.c.episodes, counts.c.resolved,
               counts.c.resolved_patients, median.c.median)
        .select_from(counts.outerjoin(median, and_(median.c.number == counts.c.number,
                                                   median.c.code == counts.c.code)))
        .order_by(counts.c.number, counts.c.code)
    )


def _median_hours(episode):
    """The median of resolved episodes' hours per (number, code), without percentile_cont
    (SQLite has none): the middle row, or the mean of the middle two."""
    partition = [episode.c.number, episode.c.code]
    ranked = (
        select(episode.c.number, episode.c.code, episode.c.hours,
               func.row_number().over(partition_by=partition, order_by=episode.c.hours)
               .label("rn"),
               func.count().over(partition_by=partition).label("n"))
        .where(episode.c.hours.is_not(None))
    ).subquery("ranked")
    return (
        select(ranked.c.number, ranked.c.code, func.avg(ranked.c.hours).label("median"))
        .where(or_(ranked.c.rn == (ranked.c.n + 1) // 2, ranked.c.rn == (ranked.c.n + 2) // 2))
        .group_by(ranked.c.number, ranked.c.code)
    ).subquery("median")


def phq9_outcomes(filters: Filters) -> dict:
    """Series in scope with a PHQ-9: how many have a follow-up, responders and remitters.

    Baseline is a series' first PHQ-9, outcome its latest (clinical.md): response is the total
    down 50% or more from a baseline above 0, remission a total below 5, both at the latest.
    """
    per_series = _phq9_per_series(scoped_infusions(filters))
    followed = per_series.c.n >= 2
    responded = and_(followed, per_series.c.baseline > 0,
                     per_series.c.latest <= per_series.c.baseline * (1 - instrument.RESPONSE_DROP))
    remitted = and_(followed, per_series.c.latest < instrument.REMISSION_BELOW)
    query = select(
        func.count().label("series"),
        func.count(func.distinct(per_series.c.patient_id)).label("patients"),
        func.count(func.distinct(case((followed, per_series.c.patient_id))))
        .label("followed_patients"),
        _count_where(followed).label("followed"),
        _count_where(responded).label("responders"),
        _count_where(remitted).label("remitters"),
        func.avg(case((followed, per_series.c.baseline))).label("mean_baseline"),
        func.avg(case((followed, per_series.c.latest))).label("mean_latest"),
    )
    r = db.session.execute(query).one()
    return {"series": r.series, "patients": r.patients,
            "followed_patients": r.followed_patients, "followed": int(r.followed),
            "responders": int(r.responders),
            "remitters": int(r.remitters), "mean_baseline": _rounded(r.mean_baseline),
            "mean_latest": _rounded(r.mean_latest)}


def _count_where(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _rounded(value) -> float | None:
    return round(float(value), 1) if value is not None else None


def _phq9_per_series(scope):
    """Per series in scope with a PHQ-9: its first (baseline) and latest totals, how many
    PHQ-9s, and whose series it is."""
    partition = [Phq9Response.series_id]
    ranked = (
        select(Phq9Response.series_id, Phq9Response.patient_id, Phq9Response.total,
               func.row_number().over(partition_by=partition,
                                      order_by=[Phq9Response.taken_at, Phq9Response.id])
               .label("first_rn"),
               func.row_number().over(partition_by=partition,
                                      order_by=[Phq9Response.taken_at.desc(),
                                                Phq9Response.id.desc()]).label("last_rn"),
               func.count().over(partition_by=partition).label("n"))
        .where(Phq9Response.series_id.in_(select(scope.c.series_id)))
    ).subquery("ranked_phq9")
    return (
        select(ranked.c.series_id,
               func.max(case((ranked.c.first_rn == 1, ranked.c.total))).label("baseline"),
               func.max(case((ranked.c.last_rn == 1, ranked.c.total))).label("latest"),
               func.max(ranked.c.n).label("n"),
               func.max(ranked.c.patient_id).label("patient_id"))
        .group_by(ranked.c.series_id)
    ).subquery("per_series")


def adherence(filters: Filters) -> list[dict]:
    """Per infusion number: check-in prompts whose window has closed, and how many answered."""
    scope = scoped_infusions(filters)
    # Counted with CASE rather than filtered with WHERE: a status filter tempts the planner
    # into the status index, which reads every closed prompt in history.
    closed = Prompt.status.in_([PromptStatus.ANSWERED, PromptStatus.MISSED])
    prompted = func.sum(case((closed, 1), else_=0))
    answered = func.sum(case((Prompt.status == PromptStatus.ANSWERED, 1), else_=0))
    query = (
        select(scope.c.number, prompted.label("prompted"), answered.label("answered"),
               func.count(func.distinct(case((closed, scope.c.patient_id)))).label("patients"))
        .select_from(scope)
        .join(Prompt, Prompt.infusion_id == scope.c.id)
        .group_by(scope.c.number).having(prompted > 0).order_by(scope.c.number)
    )
    return [{"number": r.number, "prompted": int(r.prompted), "answered": int(r.answered),
             "rate": round(int(r.answered) / int(r.prompted), 3), "patients": r.patients}
            for r in db.session.execute(query)]
