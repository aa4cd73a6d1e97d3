"""Infusion numbering, deletion, maintenance series, and linking check-ins to infusions."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.extensions import db
from app.infusions import queries, services
from app.infusions.models import Infusion, SeriesKind, TreatmentSeries
from tests import factories


@pytest.fixture
def patient(app, clock):
    return factories.patient(factories.clinic(), clock())


@pytest.fixture
def clinician(patient):
    return db.session.get(User, patient.created_by_id)


def _record(patient, clinician, clock, planned_in_days: float, **fields):
    made = services.record(patient, {"planned_start": clock() + timedelta(days=planned_in_days),
                                     **fields}, by=clinician, now=clock())
    db.session.commit()
    return made


def _numbers(series_id: int) -> list[tuple[int, int]]:
    """(infusion id, number) in planned-start order, read fresh from the database."""
    db.session.expire_all()
    return [tuple(row) for row in db.session.execute(
        select(Infusion.id, Infusion.number).where(Infusion.series_id == series_id)
        .order_by(Infusion.planned_start)
    )]


def test_first_infusion_is_number_one_in_the_induction_series(patient, clinician, clock):
    infusion = _record(patient, clinician, clock, 1)

    assert infusion.number == 1
    assert infusion.series.kind == SeriesKind.INDUCTION
    assert infusion.patient_id == patient.id


def test_numbers_follow_planned_start_not_recording_order(patient, clinician, clock):
    third = _record(patient, clinician, clock, 5)
    first = _record(patient, clinician, clock, 1)
    second = _record(patient, clinician, clock, 3)

    assert _numbers(first.series_id) == [(first.id, 1), (second.id, 2), (third.id, 3)]


def test_editing_planned_start_renumbers(patient, clinician, clock):
    a = _record(patient, clinician, clock, 1)
    b = _record(patient, clinician, clock, 2)
    c = _record(patient, clinician, clock, 3)

    services.edit(a, {"planned_start": clock() + timedelta(days=4)}, by=clinician, now=clock())
    db.session.commit()

    assert _numbers(a.series_id) == [(b.id, 1), (c.id, 2), (a.id, 3)]


def test_editing_other_fields_keeps_numbers(patient, clinician, clock):
    a = _record(patient, clinician, clock, 1)
    b = _record(patient, clinician, clock, 2)

    services.edit(b, {"notes": "moved room", "route": "IM"}, by=clinician, now=clock())
    db.session.commit()

    assert _numbers(a.series_id) == [(a.id, 1), (b.id, 2)]
    assert db.session.get(Infusion, b.id).notes == "moved room"


def test_deleting_renumbers_without_gaps(patient, clinician, clock):
    a = _record(patient, clinician, clock, 1)
    b = _record(patient, clinician, clock, 2)
    c = _record(patient, clinician, clock, 3)
    series_id = a.series_id

    services.delete(b)
    db.session.commit()

    assert _numbers(series_id) == [(a.id, 1), (c.id, 2)]
    assert db.session.get(Infusion, b.id) is None


def test_deleting_an_infusion_with_checkins_is_refused(patient, clock):
    infusion = factories.infusion(patient, end=clock() - timedelta(hours=3))
    factories.checkin(patient, taken_at=clock() - timedelta(hours=1))

    with pytest.raises(services.InfusionHasCheckins):
        services.delete(infusion)
    db.session.rollback()

    assert db.session.scalar(select(func.count()).select_from(Infusion)) == 1


def test_start_maintenance_makes_a_new_series_numbered_from_one(patient, clinician, clock):
    induction = [_record(patient, clinician, clock, d) for d in (1, 2, 3)]

    series = services.start_maintenance(patient, by=clinician, now=clock())
    db.session.commit()
    first_maintenance = _record(patient, clinician, clock, 30)

    assert series.kind == SeriesKind.MAINTENANCE
    assert queries.current_series(patient).id == series.id
    assert first_maintenance.series_id == series.id
    assert first_maintenance.number == 1
    assert [s.kind for s in services.patient_series(patient)] == [SeriesKind.INDUCTION,
                                                                   SeriesKind.MAINTENANCE]
    assert _numbers(induction[0].series_id) == [(i.id, n) for n, i in enumerate(induction, 1)]
    assert db.session.scalar(select(func.count()).select_from(TreatmentSeries)) == 2


def test_maintenance_numbering_is_independent_of_induction(patient, clinician, clock):
    _record(patient, clinician, clock, 1)
    services.start_maintenance(patient, by=clinician, now=clock())
    db.session.commit()

    later = _record(patient, clinician, clock, 40)
    earlier = _record(patient, clinician, clock, 20)

    assert _numbers(later.series_id) == [(earlier.id, 1), (later.id, 2)]


def test_renumbering_touches_only_its_own_patient(app, patient, clinician, clock):
    other = factories.patient(patient.clinic, clock())
    theirs = _record(other, clinician, clock, 2)
    mine_late = _record(patient, clinician, clock, 3)
    mine_early = _record(patient, clinician, clock, 1)

    assert _numbers(theirs.series_id) == [(theirs.id, 1)]
    assert _numbers(mine_late.series_id) == [(mine_early.id, 1), (mine_late.id, 2)]


# --- which infusion a check-in belongs to ----------------------------------------------------

def test_checkin_before_any_infusion_links_to_none(patient, clock):
    checkin = factories.checkin(patient, taken_at=clock() - timedelta(hours=1))

    assert checkin.infusion_id is None


def test_checkin_links_to_latest_infusion_ended_before_it(patient, clock):
    factories.infusion(patient, end=clock() - timedelta(days=3))
    latest = factories.infusion(patient, end=clock() - timedelta(hours=4))

    checkin = factories.checkin(patient, taken_at=clock() - timedelta(hours=1))

    assert checkin.infusion_id == latest.id


def test_checkin_ignores_an_infusion_ending_after_it(patient, clock):
    earlier = factories.infusion(patient, end=clock() - timedelta(days=3))
    factories.infusion(patient, end=clock() - timedelta(minutes=10))

    checkin = factories.checkin(patient, taken_at=clock() - timedelta(hours=1),
                                now=clock())

    assert checkin.infusion_id == earlier.id


def test_checkin_ignores_a_planned_infusion(patient, clinician, clock):
    _record(patient, clinician, clock, -1)  # planned yesterday, never started

    checkin = factories.checkin(patient, taken_at=clock() - timedelta(hours=1))

    assert checkin.infusion_id is None


def test_checkin_ignores_another_patients_infusion(app, patient, clock):
    other = factories.patient(patient.clinic, clock())
    factories.infusion(other, end=clock() - timedelta(hours=3))

    checkin = factories.checkin(patient, taken_at=clock() - timedelta(hours=1))

    assert checkin.infusion_id is None


def test_checkin_links_across_series_to_the_latest_ended(patient, clinician, clock):
    factories.infusion(patient, end=clock() - timedelta(days=20))
    services.start_maintenance(patient, by=clinician, now=clock())
    db.session.commit()
    maintenance = factories.infusion(patient, end=clock() - timedelta(days=2))

    checkin = factories.checkin(patient, taken_at=clock() - timedelta(days=1))

    assert checkin.infusion_id == maintenance.id
    assert checkin.infusion.number == 1
