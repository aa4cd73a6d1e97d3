"""Turning rule findings into flags, and the flag lifecycle: open, acknowledged, resolved.

A finding raises a flag only with evidence no flag of its key has seen yet, so running the
rules again (the job every 10 minutes, a replayed check-in) changes nothing, and a resolved
flag comes back only when new check-ins show the problem again.
"""

from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.audit.services import record
from app.auth.models import Role, User
from app.checkins.models import CheckIn, SymptomRating
from app.clinics.settings import effective
from app.extensions import db
from app.flags import rules
from app.flags.episodes import episodes
from app.flags.models import UNRESOLVED, Flag, FlagEvidence, FlagStatus
from app.infusions.models import Infusion
from app.infusions.queries import current_series
from app.patients.models import Patient
from app.phq9 import instrument
from app.phq9.models import Phq9Response
from app.prompts.models import (
    Notification,
    NotificationKind,
    NotificationStatus,
    Prompt,
    PromptStatus,
)
from app.prompts.schedule import READINESS

ACTIVE_FOR = timedelta(days=14)
MIN_ESCALATION_MINUTES = 5  # the shortest escalation delay a clinic may set


def thresholds(settings: dict) -> rules.Thresholds:
    return rules.Thresholds.from_settings(settings)


def facts_for(patient: Patient, *, with_prompts: bool = True,
              with_phq9s: bool = True) -> rules.Facts:
    """The patient's current series as the rules see it.

    A fixed handful of queries whatever the history, read as plain rows (no ORM objects:
    building thousands of them per check-in was most of a submission's cost). The rules
    run at submission need no prompts, so ``with_prompts=False`` skips that query (and
    ``with_phq9s=False`` the PHQ-9s, which a check-in cannot add to).
    """
    series = current_series(patient)
    if series is None:
        return rules.Facts()
    infusions = db.session.execute(
        select(Infusion.id, Infusion.number, Infusion.actual_end)
        .where(Infusion.series_id == series.id)).all()
    infusion_ids = [row.id for row in infusions]
    # The readiness check-in before one of this series' infusions belongs to the series (it
    # can be its mood baseline) although it follows the previous series' last infusion.
    readiness = CheckIn.id.in_(select(Prompt.answered_checkin_id).where(
        Prompt.infusion_id.in_(infusion_ids), Prompt.slot == READINESS,
        Prompt.answered_checkin_id.is_not(None)))
    in_series = (CheckIn.patient_id == patient.id) & or_(
        CheckIn.infusion_id.in_(infusion_ids), CheckIn.taken_at >= series.started_at, readiness)
    rows = db.session.execute(
        select(CheckIn.id, CheckIn.taken_at, CheckIn.mood, CheckIn.infusion_id,
               CheckIn.home_safely, readiness.label("readiness"))
        .where(in_series).order_by(CheckIn.taken_at, CheckIn.id)).all()
    symptoms: dict[int, dict[str, int]] = {row.id: {} for row in rows}
    for checkin_id, code, severity in db.session.execute(
            select(SymptomRating.checkin_id, SymptomRating.code, SymptomRating.severity)
            .join(CheckIn, CheckIn.id == SymptomRating.checkin_id).where(in_series)):
        # Each statement sees what was committed when it began (PostgreSQL's READ COMMITTED):
        # a check-in another device committed in between has ratings but no row above.
        if checkin_id in symptoms:
            symptoms[checkin_id][code] = severity
    phq9s = db.session.execute(select(
        Phq9Response.id, Phq9Response.taken_at, Phq9Response.total, Phq9Response.answers)
        .where(Phq9Response.series_id == series.id)).all() if with_phq9s else []
    prompts = db.session.execute(select(
        Prompt.id, Prompt.infusion_id, Prompt.due_at, Prompt.status, Prompt.slot).where(
        Prompt.infusion_id.in_(infusion_ids),
        Prompt.status.in_([PromptStatus.ANSWERED, PromptStatus.MISSED]))).all() \
        if with_prompts else []
    return rules.Facts(
        infusions=tuple(rules.InfusionFact(r.id, r.number, r.actual_end) for r in infusions),
        checkins=tuple(rules.CheckinFact(r.id, r.taken_at, r.mood, r.infusion_id,
                                         symptoms[r.id], readiness=bool(r.readiness),
                                         home_safely=r.home_safely)
                       for r in rows),
        phq9s=tuple(rules.Phq9Fact(p.id, p.taken_at, p.total,
                                     instrument.safety_item_score(p.answers)) for p in phq9s),
        prompts=tuple(rules.PromptFact(p.id, p.infusion_id, p.due_at,
                                       p.status == PromptStatus.MISSED,
                                       checkin_prompt=p.slot != "readiness")
                      for p in prompts),
    )


def dedupe_key(finding: rules.Finding) -> str:
    return f"{finding.rule}:{finding.symptom or '-'}:{finding.infusion_id or '-'}"


def _evidence(finding: rules.Finding) -> set[tuple[str, int]]:
    return ({("checkin", i) for i in finding.checkins} | {("phq9", i) for i in finding.phq9s}
            | {("prompt", i) for i in finding.prompts})


def apply(patient: Patient, findings: list[rules.Finding], *, now: datetime) -> list[Flag]:
    """Raise or extend flags for these findings; returns the flags newly opened."""
    opened = []
    if not findings:
        return opened
    by_key: dict[str, list[Flag]] = {}
    # Every flag these findings could touch, with its evidence, in two queries (not per key).
    for flag in db.session.scalars(
            select(Flag).options(selectinload(Flag.evidence))
            .where(Flag.patient_id == patient.id,
                   Flag.dedupe_key.in_({dedupe_key(f) for f in findings}))
            .order_by(Flag.id)):
        by_key.setdefault(flag.dedupe_key, []).append(flag)
    for finding in findings:
        key = dedupe_key(finding)
        flags = by_key.get(key, [])
        # A withdrawn flag's evidence moved away; should it come back, it counts as new.
        known = {(e.kind, e.ref_id) for flag in flags if flag.status != FlagStatus.WITHDRAWN
                 for e in flag.evidence}
        new = _evidence(finding) - known
        if flags and not new:
            continue  # nothing this key has not already seen
        current = next((f for f in flags if f.status.value in UNRESOLVED), None)
        if current is not None and new and _reopens(current):
            # Opened again: a new escalation round, its delay counted from now (clinical.md).
            current.status, current.escalated_at = FlagStatus.OPEN, None
            current.opened_at, current.times_opened = now, current.times_opened + 1
            record("flag.reopen", now=now, clinic_id=patient.clinic_id, patient_id=patient.id,
                   target=f"flag:{current.id}", rule=finding.rule)
        if current is None:
            current, created = _open(patient, finding, key, now)
            if created:
                opened.append(current)
                record("flag.open", now=now, clinic_id=patient.clinic_id,
                       patient_id=patient.id, target=f"flag:{current.id}", rule=finding.rule)
        for kind, ref_id in sorted(new):
            current.evidence.append(FlagEvidence(kind=kind, ref_id=ref_id))
    db.session.flush()
    return opened


def _reopens(flag: Flag) -> bool:
    """An acknowledged urgent or high flag that gets new evidence needs eyes again: a second
    safety answer must alert like the first. Lower priorities just collect the evidence."""
    return (flag.status == FlagStatus.ACKNOWLEDGED
            and flag.priority <= int(rules.Priority.HIGH))


def _open(patient: Patient, finding: rules.Finding, key: str,
          now: datetime) -> tuple[Flag, bool]:
    """A new open flag, or the one a concurrent transaction opened first; (flag, created)."""
    flag = Flag(clinic_id=patient.clinic_id, patient_id=patient.id, rule=finding.rule,
                symptom=finding.symptom, infusion_id=finding.infusion_id, dedupe_key=key,
                priority=int(finding.priority), status=FlagStatus.OPEN, created_at=now,
                opened_at=now, times_opened=1)
    if db.session.get_bind().dialect.name != "postgresql":
        # SQLite serialises writers, so no other transaction can open this flag meanwhile.
        db.session.add(flag)
        db.session.flush()
        return flag, True
    try:
        with db.session.begin_nested():
            db.session.add(flag)
    except IntegrityError:
        # A concurrent transaction opened it first: add to that one.
        return db.session.scalars(select(Flag).where(
            Flag.patient_id == patient.id, Flag.dedupe_key == key,
            Flag.status.in_(UNRESOLVED))).one(), False
    return flag, True


def evaluate_at_submission(patient: Patient, *, now: datetime,
                           evidence: tuple[str, int]) -> list[Flag]:
    """The rules of ``rules.SUBMISSION_RULES``, in the submitting transaction.

    Only findings the new record (``evidence``: ("checkin", id) or ("phq9", id)) is part of
    are applied: what earlier records showed was flagged when they came in, so a normal
    check-in costs no flag queries at all. Anything else (an offline check-in that arrives
    late and moves the mood baseline) is found by the flag job within ten minutes.
    """
    limits = thresholds(effective(patient.clinic))
    facts = facts_for(patient, with_prompts=False, with_phq9s=evidence[0] == "phq9")
    findings = [f for f in rules.at_submission(facts, limits) if evidence in _evidence(f)]
    return apply(patient, findings, now=now)


def evaluate_patient(patient: Patient, *, now: datetime) -> list[Flag]:
    limits = thresholds(effective(patient.clinic))
    return apply(patient, rules.evaluate(facts_for(patient), limits, now), now=now)


def active_patient_ids(now: datetime) -> list[int]:
    """Patients with an infusion, check-in or PHQ-9 in the last two weeks: the job's work,
    so its cost follows active patients, not the length of history (indexed on each time)."""
    since = now - ACTIVE_FOR
    ids = (select(Infusion.patient_id).where(Infusion.actual_end >= since)
           .union(select(CheckIn.patient_id).where(CheckIn.taken_at >= since),
                  select(Phq9Response.patient_id).where(Phq9Response.taken_at >= since)))
    return sorted(db.session.scalars(ids))


def clinic_flag(clinic_id: int, flag_id: int) -> Flag | None:
    return db.session.scalar(select(Flag).where(Flag.id == flag_id,
                                                Flag.clinic_id == clinic_id))


def acknowledge(flag: Flag, *, by: User, now: datetime, note: str = "") -> bool:
    """Open -> acknowledged. Doing it again changes nothing (returns False)."""
    if flag.status != FlagStatus.OPEN:
        return False
    flag.status, flag.acknowledged_at, flag.acknowledged_by_id = FlagStatus.ACKNOWLEDGED, now, by.id
    flag.acknowledge_note = note
    cancel_escalations(flag.id)
    return True


def resolve(flag: Flag, *, by: User, now: datetime, note: str = "") -> bool:
    """Open or acknowledged -> resolved (acknowledging on the way if need be)."""
    if flag.status.value not in UNRESOLVED:
        return False
    if flag.status == FlagStatus.OPEN:
        acknowledge(flag, by=by, now=now)
    flag.status, flag.resolved_at, flag.resolved_by_id = FlagStatus.RESOLVED, now, by.id
    flag.resolve_note = note
    return True


def cancel_escalations(flag_id: int) -> None:
    for notification in db.session.scalars(select(Notification).where(
            Notification.flag_id == flag_id, Notification.status == NotificationStatus.DUE)):
        notification.status = NotificationStatus.CANCELLED


def due_escalations(now: datetime) -> list[int]:
    """Urgent flags open for at least the shortest escalation delay and not yet escalated
    since they were (last) opened: the escalate job's units of work."""
    return list(db.session.scalars(
        select(Flag.id)
        .where(Flag.priority == int(rules.Priority.URGENT), Flag.status == FlagStatus.OPEN,
               Flag.escalated_at.is_(None),
               Flag.opened_at <= now - timedelta(minutes=MIN_ESCALATION_MINUTES))
        .order_by(Flag.opened_at, Flag.id)))


def escalate_flag(flag_id: int, now: datetime) -> bool:
    """Every clinician of the clinic gets a push for this flag's current opening, once the
    clinic's delay has passed since it was opened (or opened again); True if escalated."""
    flag = db.session.get(Flag, flag_id)
    if (flag is None or flag.priority != int(rules.Priority.URGENT)
            or flag.status != FlagStatus.OPEN or flag.escalated_at is not None):
        return False
    delay = timedelta(minutes=effective(flag.patient.clinic)["escalate_after_minutes"])
    if now - flag.opened_at < delay:
        return False
    flag.escalated_at = now
    staff = db.session.scalars(select(User.id).where(
        User.clinic_id == flag.clinic_id, User.role.in_([Role.CLINICIAN, Role.ADMIN]),
        User.active.is_(True)))
    for user_id in staff:
        db.session.add(Notification(user_id=user_id, flag_id=flag.id, due_at=now,
                                    kind=NotificationKind.ESCALATION,
                                    escalation_round=flag.times_opened))
    db.session.flush()
    return True


def escalate(now: datetime) -> int:
    """Every due escalation in one go (the job runs each flag in a savepoint instead)."""
    return sum(escalate_flag(flag_id, now) for flag_id in due_escalations(now))


QUEUE_LIMIT = 500


def queue(clinic_id: int, *, statuses=UNRESOLVED, priority: int | None = None,
          rule: str | None = None) -> list[Flag]:
    """The triage queue: most urgent first, then oldest first (resolved: newest first)."""
    closed = set(statuses) <= {FlagStatus.RESOLVED.value, FlagStatus.WITHDRAWN.value}
    order = ((Flag.resolved_at.desc(), Flag.id.desc()) if closed
             else (Flag.priority, Flag.created_at, Flag.id))
    query = (select(Flag).options(selectinload(Flag.patient), selectinload(Flag.infusion))
             .where(Flag.clinic_id == clinic_id, Flag.status.in_(statuses))
             .order_by(*order).limit(QUEUE_LIMIT))
    if priority is not None:
        query = query.where(Flag.priority == priority)
    if rule:
        query = query.where(Flag.rule == rule)
    return list(db.session.scalars(query))


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
