"""Which infusion a check-in belongs to: the one whose end it follows (clinical.md).

A check-in is filed under the latest infusion that had ended (or at least started) when it was
taken. The clinic may record that end minutes or hours after the check-in arrived, or correct
it later, so recording an infusion files the check-ins again from the earliest moment the
change can touch.
"""

from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update

from app.checkins.models import CheckIn
from app.extensions import db
from app.infusions.models import Infusion


@dataclass(frozen=True)
class Move:
    checkin_id: int
    from_infusion_id: int | None
    to_infusion_id: int | None


def anchor(infusion: Infusion) -> datetime | None:
    """The moment check-ins start to follow this infusion (its end, else its start)."""
    return infusion.actual_end or infusion.actual_start


def refile(patient_id: int, since: datetime) -> list[Move]:
    """File the patient's check-ins taken at or after ``since`` under the infusion each one
    follows; returns the check-ins that moved. Flushes, never commits."""
    ended = func.coalesce(Infusion.actual_end, Infusion.actual_start)
    infusions = db.session.execute(
        select(Infusion.id, ended.label("anchor")).where(
            Infusion.patient_id == patient_id, ended.is_not(None))
        .order_by(ended, Infusion.id)).all()
    anchors = [row.anchor for row in infusions]
    moves = []
    for checkin_id, taken_at, current in db.session.execute(
            select(CheckIn.id, CheckIn.taken_at, CheckIn.infusion_id).where(
                CheckIn.patient_id == patient_id, CheckIn.taken_at >= since)):
        position = bisect_right(anchors, taken_at)
        wanted = infusions[position - 1].id if position else None
        if wanted != current:
            moves.append(Move(checkin_id, current, wanted))
    for target in {m.to_infusion_id for m in moves}:
        db.session.execute(
            update(CheckIn).where(CheckIn.id.in_(
                [m.checkin_id for m in moves if m.to_infusion_id == target]))
            .values(infusion_id=target))
    return moves
