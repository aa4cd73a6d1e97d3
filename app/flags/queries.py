"""What the flag pages read: the triage queue, its counts, a patient's flags and episodes,
and whether a record raised a flag."""

from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.checkins.models import CheckIn
from app.extensions import db
from app.flags import reasons, rules, triage
from app.flags.episodes import episodes
from app.flags.evidence import evidence_for
from app.flags.models import UNRESOLVED, Flag, FlagEvidence, FlagStatus
from app.infusions.models import Infusion

QUEUE_LIMIT = 500


def clinic_flag(clinic_id: int, flag_id: int) -> Flag | None:
    return db.session.scalar(select(Flag).where(Flag.id == flag_id,
                                                Flag.clinic_id == clinic_id))


def is_closed(statuses) -> bool:
    return set(statuses) <= {FlagStatus.RESOLVED.value, FlagStatus.WITHDRAWN.value}


def queue(clinic_id: int, *, statuses=UNRESOLVED, priority: int | None = None,
          rule: str | None = None) -> list[Flag]:
    """The flags of the triage queue, most urgent and newest first (closed: newest closed
    first), at most ``QUEUE_LIMIT``; ``triage_queue`` orders them by their evidence."""
    order = ((Flag.resolved_at.desc(), Flag.id.desc()) if is_closed(statuses)
             else (Flag.priority, Flag.created_at.desc(), Flag.id.desc()))
    query = (select(Flag).options(selectinload(Flag.patient), selectinload(Flag.infusion))
             .where(Flag.clinic_id == clinic_id, Flag.status.in_(statuses))
             .order_by(*order).limit(QUEUE_LIMIT))
    if priority is not None:
        query = query.where(Flag.priority == priority)
    if rule:
        query = query.where(Flag.rule == rule)
    return list(db.session.scalars(query))


def triage_queue(clinic_id: int, limits: rules.Thresholds, *, statuses=UNRESOLVED,
                 priority: int | None = None, rule: str | None = None) -> list[triage.Block]:
    """The triage queue as the page shows it: each flag with why it fired, one block per
    patient, most urgent and newest evidence first (``app/flags/triage.py``)."""
    flags = queue(clinic_id, statuses=statuses, priority=priority, rule=rule)
    return triage.blocks(explained(flags, limits), closed=is_closed(statuses))


def explained(flags: list[Flag], limits: rules.Thresholds) -> list[triage.Item]:
    """Each flag with the sentence saying why it fired (``app/flags/reasons.py``)."""
    evidence = evidence_for(flags)
    return [triage.Item(flag, reasons.explain(evidence[flag.id], limits)) for flag in flags]


def counts_by_priority(clinic_id: int) -> dict[int, int]:
    rows = db.session.execute(
        select(Flag.priority, func.count()).where(Flag.clinic_id == clinic_id,
                                                  Flag.status.in_(UNRESOLVED))
        .group_by(Flag.priority)).all()
    return Counter(dict(rows))


def patient_flags(patient_id: int) -> list[Flag]:
    return list(db.session.scalars(
        select(Flag).options(selectinload(Flag.evidence), selectinload(Flag.infusion))
        .where(Flag.patient_id == patient_id).order_by(Flag.created_at.desc(), Flag.id.desc())))


def open_patient_flags(patient_id: int, limits: rules.Thresholds) -> list[triage.Item]:
    """The patient's unresolved flags with why each fired, in the triage queue's order."""
    flags = list(db.session.scalars(
        select(Flag).options(selectinload(Flag.patient), selectinload(Flag.infusion))
        .where(Flag.patient_id == patient_id, Flag.status.in_(UNRESOLVED))))
    return triage.most_pressing_first(explained(flags, limits))


def patient_episodes(patient_id: int) -> dict[int, list]:
    """infusion id -> its symptom episodes, from the check-ins that follow each infusion."""
    ends = dict(db.session.execute(select(Infusion.id, Infusion.actual_end).where(
        Infusion.patient_id == patient_id, Infusion.actual_end.is_not(None))).all())
    ratings: dict[int, list] = {infusion_id: [] for infusion_id in ends}
    for checkin in db.session.scalars(
            select(CheckIn).options(selectinload(CheckIn.symptoms))
            .where(CheckIn.patient_id == patient_id, CheckIn.infusion_id.in_(list(ends)))):
        ratings[checkin.infusion_id].append(
            (checkin.taken_at, {s.code: s.severity for s in checkin.symptoms}))
    return {infusion_id: found for infusion_id, history in ratings.items()
            if (found := episodes(ends[infusion_id], history))}


def raised_for(kind: str, ref_id: int) -> bool:
    """Whether a flag holds this record ("checkin" or "phq9", id) as evidence: what a patient
    may be told ("your clinic has been alerted") only when it is true."""
    return db.session.scalar(select(FlagEvidence.id).where(
        FlagEvidence.kind == kind, FlagEvidence.ref_id == ref_id).limit(1)) is not None
