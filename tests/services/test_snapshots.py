"""The suite's snapshots of costly fixtures (tests/snapshots.py): what is put back is every row
the build made, the fixture's value loaded again from the new session, and the ids a later
insert gets are the ones it would have got after the build itself."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import delete

from app.clinics.models import Clinic
from app.extensions import db
from tests import factories
from tests.snapshots import Snapshots, _read_everything


@dataclass
class Built:
    clinic: object
    people: dict
    pair: tuple
    label: str


def _build(clock) -> Built:
    clinic = factories.clinic()
    clinician = factories.staff(clinic)
    patient = factories.patient(clinic, clock() - timedelta(days=3), by=clinician)
    factories.infusion(patient, end=clock() - timedelta(days=1), by=clinician)
    factories.checkin(patient, taken_at=clock() - timedelta(hours=20), mood=4)
    return Built(clinic, {"clinician": clinician, "patient": patient}, (clinician, 7), "x")


def _empty_every_table() -> None:
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(delete(table))
    db.session.commit()


def test_a_snapshot_puts_back_every_row_and_loads_the_value_again(app, clock):
    snapshots = Snapshots()
    first = snapshots.take(("k",), lambda: _build(clock), clock)
    built_rows = _read_everything()[0]
    ids = (first.clinic.id, first.people["patient"].id)
    next_clinic = factories.clinic()
    db.session.commit()
    expected_next_id = next_clinic.id

    _empty_every_table()
    db.session.expunge_all()
    again = snapshots.take(("k",), lambda: pytest.fail("built twice"), clock)

    assert _read_everything()[0] == built_rows
    assert again.clinic is not first.clinic and isinstance(again.clinic, Clinic)
    assert again.clinic in db.session
    assert (again.clinic.id, again.people["patient"].id) == ids
    assert again.pair[0] is again.people["clinician"] and again.pair[1] == 7
    assert again.label == "x"
    # The sequences stand where the build left them: the next row gets the same id.
    assert factories.clinic().id == expected_next_id


def test_a_build_that_moves_the_clock_is_refused(app, clock):
    def build():
        clock.advance(minutes=1)
        return factories.clinic()

    with pytest.raises(AssertionError, match="moved the clock"):
        Snapshots().take(("moving",), build, clock)
