"""A check-in belongs to the infusion whose end it follows, even when the clinic records that
end after the check-in arrived; recording it re-judges both infusions' flags (clinical.md)."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db
from app.flags import services as flags
from app.flags.models import Flag, FlagStatus
from app.infusions import services as infusions
from jobs.evaluate_flags import run as evaluate_flags
from tests import factories

END = datetime(2026, 3, 3, 16, 0, tzinfo=UTC)
H = timedelta(hours=1)
MIN = timedelta(minutes=1)


@pytest.fixture
def clinician(app, clock):
    clock.now = END - 48 * H
    return factories.staff(factories.clinic())


@pytest.fixture
def patient(clinician, clock):
    return factories.patient(clinician.clinic, clock(), by=clinician)


def _record_second(patient, clinician, end: datetime, *, now: datetime):
    made = infusions.record(patient, {"planned_start": end - 40 * MIN,
                                      "actual_start": end - 40 * MIN, "actual_end": end},
                            by=clinician, now=now)
    db.session.commit()
    return made


def _open_flags() -> set[tuple]:
    return {(f.rule, f.symptom, f.infusion.number, f.status.value)
            for f in db.session.scalars(select(Flag).where(Flag.status.in_(
                ["open", "acknowledged"])))}


def test_a_checkin_sent_before_the_end_was_recorded_moves_and_false_flags_are_withdrawn(
        patient, clinician):
    first = factories.infusion(patient, end=END, by=clinician)
    # Infusion 2 ended at END + 48 h; the patient checks in 2 h later, before it is recorded.
    checkin = factories.checkin(patient, taken_at=END + 50 * H, symptoms={"headache": 1})
    assert checkin.infusion_id == first.id
    evaluate_flags(END + 56 * H)
    db.session.commit()
    assert _open_flags() == {("persistent_symptom", "headache", 1, "open"),
                             ("unresolved_symptom", "headache", 1, "open")}

    second = _record_second(patient, clinician, END + 48 * H, now=END + 57 * H)

    db.session.refresh(checkin)
    assert checkin.infusion_id == second.id
    assert _open_flags() == set()  # 2 h after infusion 2: nothing persistent, nothing unresolved
    withdrawn = db.session.scalars(select(Flag).where(Flag.status == FlagStatus.WITHDRAWN)).all()
    assert sorted(f.rule for f in withdrawn) == ["persistent_symptom", "unresolved_symptom"]
    assert all("belong to infusion 2" in f.resolve_note for f in withdrawn)
    assert all(f.evidence for f in withdrawn)  # kept with its history, never deleted
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "flag.withdraw")).all()
    assert {e.target for e in events} == {f"flag:{f.id}" for f in withdrawn}
    assert {e.actor_id for e in events} == {clinician.id}
    # The flag job agrees afterwards: running it changes nothing.
    assert evaluate_flags(END + 60 * H)["opened"] == 0


def test_a_severe_flag_follows_its_checkin_and_keeps_its_acknowledgement(patient, clinician):
    factories.infusion(patient, end=END, by=clinician)
    factories.checkin(patient, taken_at=END + 49 * H, symptoms={"headache": 3})
    [flag] = db.session.scalars(select(Flag)).all()
    flags.acknowledge(flag, by=clinician, now=END + 50 * H)
    db.session.commit()

    _record_second(patient, clinician, END + 48 * H, now=END + 51 * H)

    db.session.refresh(flag)
    assert (flag.rule, flag.infusion.number, flag.status) == (
        "severe_symptom", 2, FlagStatus.ACKNOWLEDGED)
    assert db.session.scalars(select(Flag)).all() == [flag]  # not raised a second time
    assert db.session.scalar(select(AuditEvent.action).where(
        AuditEvent.target == f"flag:{flag.id}", AuditEvent.action == "flag.move")) is not None


def test_correcting_an_end_to_later_moves_checkins_back_and_judges_again(patient, clinician):
    first = factories.infusion(patient, end=END, by=clinician)
    second = _record_second(patient, clinician, END + 48 * H, now=END + 48 * H)
    checkin = factories.checkin(patient, taken_at=END + 49 * H, symptoms={"nausea": 2})
    assert checkin.infusion_id == second.id

    infusions.edit(second, {"actual_start": END + 49 * H + 20 * MIN,
                            "actual_end": END + 50 * H}, by=clinician, now=END + 52 * H)
    db.session.commit()

    db.session.refresh(checkin)
    assert checkin.infusion_id == first.id
    # 49 h after infusion 1: the nausea now persisted past a day.
    evaluate_flags(END + 52 * H)
    db.session.commit()
    assert ("persistent_symptom", "nausea", 1, "open") in _open_flags()


def test_a_flag_keeps_the_evidence_that_stayed(patient, clinician):
    factories.infusion(patient, end=END, by=clinician)
    factories.checkin(patient, taken_at=END + 2 * H, symptoms={"headache": 3})
    moving = factories.checkin(patient, taken_at=END + 49 * H, symptoms={"headache": 4})
    [flag] = db.session.scalars(select(Flag)).all()
    assert len(flag.evidence) == 2

    _record_second(patient, clinician, END + 48 * H, now=END + 50 * H)

    db.session.refresh(flag)
    assert (flag.infusion.number, flag.status) == (1, FlagStatus.OPEN)
    assert [e.ref_id for e in flag.evidence] != [moving.id] and len(flag.evidence) == 1
    assert ("severe_symptom", "headache", 2, "open") in _open_flags()


def test_a_checkin_moved_back_raises_its_flag_again(patient, clinician):
    factories.infusion(patient, end=END, by=clinician)
    factories.checkin(patient, taken_at=END + 50 * H, symptoms={"headache": 1})
    evaluate_flags(END + 51 * H)
    second = _record_second(patient, clinician, END + 48 * H, now=END + 52 * H)
    assert _open_flags() == set()

    infusions.edit(second, {"actual_start": END + 60 * H, "actual_end": END + 61 * H},
                   by=clinician, now=END + 53 * H)
    db.session.commit()

    assert ("persistent_symptom", "headache", 1, "open") in _open_flags()
