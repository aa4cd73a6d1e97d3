"""Judging a patient's flags again after check-ins moved to another infusion.

Recording or correcting an infusion's end files the later check-ins under it
(``checkins.attribution``). A flag whose check-ins moved follows them when the rules still
find the same thing under the new infusion (a severe headache is still severe); a flag left
with no evidence is closed as withdrawn, with the reason kept on it and in the audit log; and
the rules then run over the new filing, so what the move reveals is flagged as usual.
"""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.audit.services import record
from app.auth.models import User
from app.checkins.attribution import Move
from app.clinics.settings import effective
from app.extensions import db
from app.flags import rules
from app.flags.facts import facts_for, thresholds
from app.flags.findings import apply, dedupe_key
from app.flags.lifecycle import withdraw
from app.flags.models import UNRESOLVED, Flag
from app.infusions.models import Infusion
from app.patients.models import Patient


def after_moves(patient: Patient, moves: Iterable[Move], *, by: User,
                now: datetime) -> list[Flag]:
    """Re-judge the flags of every infusion the moves touched (``by``: who recorded the
    infusion that moved them); returns the flags newly opened."""
    moves = list(moves)
    moved_to = {m.checkin_id: m.to_infusion_id for m in moves}
    if not moved_to:
        return []
    touched = {i for m in moves for i in (m.from_infusion_id, m.to_infusion_id)} - {None}
    findings = rules.evaluate(facts_for(patient), thresholds(effective(patient.clinic)), now)
    found = {dedupe_key(f): f for f in findings}
    for flag in db.session.scalars(
            select(Flag).options(selectinload(Flag.evidence))
            .where(Flag.patient_id == patient.id, Flag.status.in_(UNRESOLVED),
                   Flag.infusion_id.in_(touched)).order_by(Flag.id)):
        _follow_or_withdraw(flag, moved_to, found, by, now)
    db.session.flush()
    return apply(patient, findings, now=now)


def _follow_or_withdraw(flag: Flag, moved_to: dict, found: dict, by: User,
                        now: datetime) -> None:
    gone = [e for e in flag.evidence if e.kind == "checkin" and e.ref_id in moved_to
            and moved_to[e.ref_id] != flag.infusion_id]
    if not gone:
        return
    if len(gone) < len(flag.evidence):
        # Some evidence stays: the flag stays, without the check-ins that left it.
        for evidence in gone:
            flag.evidence.remove(evidence)
        record("flag.evidence_moved", now=now, actor=by, clinic_id=flag.clinic_id,
               patient_id=flag.patient_id, target=f"flag:{flag.id}", rule=flag.rule,
               checkins=len(gone))
        return
    targets = {moved_to[e.ref_id] for e in gone}
    if len(targets) == 1:
        [target] = targets
        key = dedupe_key(rules.Finding(flag.rule, flag.symptom, target))
        finding = found.get(key)
        if (target is not None and finding is not None
                and {e.ref_id for e in gone} <= finding.checkins and not _unresolved(flag, key)):
            _follow(flag, target, key, by, now)
            return
    withdraw(flag, by=by, now=now, reason=_reason(targets))


def _unresolved(flag: Flag, key: str) -> bool:
    return db.session.scalar(select(Flag.id).where(
        Flag.patient_id == flag.patient_id, Flag.dedupe_key == key,
        Flag.status.in_(UNRESOLVED)).limit(1)) is not None


def _follow(flag: Flag, infusion_id: int, key: str, by: User, now: datetime) -> None:
    """The same finding, now under the infusion its check-ins belong to; status kept."""
    old = flag.infusion.number if flag.infusion else None
    flag.infusion_id, flag.dedupe_key = infusion_id, key
    db.session.flush()
    db.session.expire(flag, ["infusion"])
    record("flag.move", now=now, actor=by, clinic_id=flag.clinic_id, patient_id=flag.patient_id,
           target=f"flag:{flag.id}", rule=flag.rule, from_infusion=old,
           to_infusion=flag.infusion.number)


def _reason(targets: set) -> str:
    numbers = sorted(db.session.scalars(select(Infusion.number).where(
        Infusion.id.in_(targets - {None}))))
    where = ("infusion " + ", ".join(str(n) for n in numbers)) if numbers else "no infusion"
    return (f"Withdrawn: the check-ins behind it belong to {where}, by the infusion times "
            "recorded since.")

