"""Turning rule findings into flags: open a new one, extend one with evidence, open one again.

A finding raises a flag only with evidence no flag of its key has seen yet, so running the
rules again (the job every 10 minutes, a replayed check-in) changes nothing, and a resolved
flag comes back only when new check-ins show the problem again.
"""

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.audit.services import record
from app.checkins.models import CheckIn
from app.clinics.settings import effective
from app.extensions import db
from app.flags import rules
from app.flags.facts import facts_for, submission_facts, thresholds
from app.flags.models import UNRESOLVED, Flag, FlagEvidence, FlagStatus
from app.infusions.models import Infusion
from app.patients.models import Patient
from app.phq9.models import Phq9Response

ACTIVE_FOR = timedelta(days=14)


def dedupe_key(finding: rules.Finding) -> str:
    return f"{finding.rule}:{finding.symptom or '-'}:{finding.infusion_id or '-'}"


def evidence_of(finding: rules.Finding) -> set[tuple[str, int]]:
    """The records behind a finding, as (kind, id) pairs a flag's evidence holds."""
    return ({("checkin", i) for i in finding.checkins} | {("phq9", i) for i in finding.phq9s}
            | {("prompt", i) for i in finding.prompts})


def apply(patient: Patient, findings: list[rules.Finding], *, now: datetime) -> list[Flag]:
    """Raise or extend flags for these findings; returns the flags newly opened."""
    opened = []
    if not findings:
        return opened
    by_key = _flags_by_key(patient, findings)
    for finding in findings:
        key = dedupe_key(finding)
        flags = by_key.get(key, [])
        # A withdrawn flag's evidence moved away; should it come back, it counts as new.
        known = {(e.kind, e.ref_id) for flag in flags if flag.status != FlagStatus.WITHDRAWN
                 for e in flag.evidence}
        new = evidence_of(finding) - known
        if flags and not new:
            continue  # nothing this key has not already seen
        current = next((f for f in flags if f.status.value in UNRESOLVED), None)
        if current is not None and new and _reopens(current):
            _reopen(current, patient, finding, now)
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


def _flags_by_key(patient: Patient, findings: list[rules.Finding]) -> dict[str, list[Flag]]:
    """Every flag these findings could touch, with its evidence, in two queries (not per key)."""
    by_key: dict[str, list[Flag]] = {}
    for flag in db.session.scalars(
            select(Flag).options(selectinload(Flag.evidence))
            .where(Flag.patient_id == patient.id,
                   Flag.dedupe_key.in_({dedupe_key(f) for f in findings}))
            .order_by(Flag.id)):
        by_key.setdefault(flag.dedupe_key, []).append(flag)
    return by_key


def _reopens(flag: Flag) -> bool:
    """An acknowledged urgent or high flag that gets new evidence needs eyes again: a second
    safety answer must alert like the first. Lower priorities just collect the evidence."""
    return (flag.status == FlagStatus.ACKNOWLEDGED
            and flag.priority <= int(rules.Priority.HIGH))


def _reopen(flag: Flag, patient: Patient, finding: rules.Finding, now: datetime) -> None:
    """Opened again: a new escalation round, its delay counted from now (clinical.md)."""
    flag.status, flag.escalated_at = FlagStatus.OPEN, None
    flag.opened_at, flag.times_opened = now, flag.times_opened + 1
    record("flag.reopen", now=now, clinic_id=patient.clinic_id, patient_id=patient.id,
           target=f"flag:{flag.id}", rule=finding.rule)


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
    late and moves the mood baseline) is found by the flag job within ten minutes. So the
    facts are only what those findings read (``submission_facts``, ``scope.submission_scope``):
    the cost does not grow with the series.
    """
    limits = thresholds(effective(patient.clinic))
    facts = submission_facts(patient, evidence)
    findings = [f for f in rules.at_submission(facts, limits) if evidence in evidence_of(f)]
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
