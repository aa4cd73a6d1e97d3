"""Storing check-ins exactly once, and reading a patient's own history."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app import records
from app.checkins.models import CheckIn, SymptomRating
from app.clinics.settings import effective
from app.extensions import db
from app.flags import rules
from app.flags.services import raised_for, thresholds
from app.idempotency import insert_once
from app.infusions.models import Infusion
from app.infusions.queries import infusion_before
from app.patients.models import Patient


def find_by_client_id(patient_id: int, client_id) -> CheckIn | None:
    return db.session.scalar(
        select(CheckIn).where(CheckIn.patient_id == patient_id, CheckIn.client_id == client_id)
    )


def submit(patient: Patient, data: dict, *, now: datetime) -> tuple[CheckIn, bool]:
    """Store a validated check-in; returns (check-in, created).

    A repeat of a ``client_id`` returns the stored check-in unchanged. When two copies race,
    the unique constraint decides (``insert_once``) and the loser gets the winner's row. A new
    check-in then sets off what every arriving record does (``records.record_arrived``).
    A repeat is found by the INSERT itself (it stores nothing on the key's conflict), so a new
    check-in, the usual case, costs no look-up first.
    """
    infusion = infusion_before(patient.id, data["taken_at"])
    checkin, created = insert_once(CheckIn, {
        "patient_id": patient.id,
        "infusion_id": infusion.id if infusion is not None else None,
        "client_id": data["client_id"],
        "taken_at": data["taken_at"],
        "received_at": now,
        "mood": data["mood"],
        "note": data["note"].strip(),
        "home_safely": data["home_safely"],
        "language": patient.user.language,
    }, lambda: find_by_client_id(patient.id, data["client_id"]), unique=("patient_id",
                                                                          "client_id"))
    if not created:
        return checkin, False
    set_committed_value(checkin, "infusion", infusion)  # already loaded: the answer shows it
    # The answer and the rules show the ratings just stored: set from the INSERT's RETURNING
    # (one multi-row statement, not one per rating), not read again by a lazy load.
    set_committed_value(checkin, "symptoms", _store_ratings(checkin.id, data["symptoms"]))
    records.record_arrived(patient, records.CHECKIN, checkin, now=now)
    return checkin, True


def _store_ratings(checkin_id: int, symptoms: list[dict]) -> list[SymptomRating]:
    if not symptoms:
        return []
    stored = db.session.scalars(insert(SymptomRating).returning(SymptomRating), [
        {"checkin_id": checkin_id, "code": s["code"], "severity": s["severity"],
         "detail": s["detail"].strip()} for s in symptoms])
    return sorted(stored, key=lambda rating: rating.id)  # the relationship's order


@dataclass(frozen=True)
class FollowUp:
    """What the patient is shown after a check-in (clinical.md, "What the patient sees after a
    worrying entry"): the crisis and clinic contacts first when ``worrying``, and that the
    clinic has been alerted when a flag holds this check-in (raised as it was stored)."""

    worrying: bool
    clinic_alerted: bool
    clinic_phone: str


def follow_up(patient: Patient, checkin: CheckIn) -> FollowUp:
    fact = rules.CheckinFact(checkin.id, checkin.taken_at, checkin.mood, checkin.infusion_id,
                             {s.code: s.severity for s in checkin.symptoms},
                             home_safely=checkin.home_safely)
    worrying = rules.worrying(fact, thresholds(effective(patient.clinic)))
    return FollowUp(worrying=worrying,
                    clinic_alerted=worrying and raised_for("checkin", checkin.id),
                    clinic_phone=patient.clinic.phone or "")


def history(patient_id: int, *, limit: int, before_id: int | None = None) -> list[CheckIn]:
    """The patient's check-ins, newest first, ``limit`` at a time (keyset by id)."""
    query = (
        select(CheckIn).where(CheckIn.patient_id == patient_id)
        .options(selectinload(CheckIn.symptoms),
                 selectinload(CheckIn.infusion).selectinload(Infusion.series))
        .order_by(CheckIn.taken_at.desc(), CheckIn.id.desc()).limit(limit)
    )
    if before_id is not None:
        anchor = db.session.get(CheckIn, before_id)
        if anchor is None or anchor.patient_id != patient_id:
            return []
        query = query.where(
            (CheckIn.taken_at < anchor.taken_at)
            | ((CheckIn.taken_at == anchor.taken_at) & (CheckIn.id < anchor.id))
        )
    return list(db.session.scalars(query))


def reported_last_time(patient_id: int) -> dict[str, SymptomRating]:
    """The side effects (code -> rating) above none at the patient's latest check-in: the
    check-in form asks about these first ("Still have the headache?")."""
    recent = history(patient_id, limit=1)
    if not recent:
        return {}
    return {s.code: s for s in recent[0].symptoms if s.severity > 0}


def own_checkin(patient_id: int, checkin_id: int) -> CheckIn | None:
    return db.session.scalar(
        select(CheckIn).where(CheckIn.id == checkin_id, CheckIn.patient_id == patient_id)
    )


def first_after_latest_infusion(patient_id: int, now: datetime) -> bool:
    """True when the latest infusion has no check-in yet (ask "Did you get home safely?")."""
    infusion = infusion_before(patient_id, now)
    if infusion is None:
        return False
    return db.session.scalar(
        select(CheckIn.id).where(CheckIn.infusion_id == infusion.id).limit(1)
    ) is None
