"""``store_once`` decides a client_id race inside a savepoint: the loser gets the winner's row
and keeps the rest of its transaction, and a stored row stays the caller's to commit."""

import uuid

from sqlalchemy import create_engine, func, select

from app.audit.models import AuditEvent
from app.audit.services import record as audit
from app.checkins.models import CheckIn
from app.checkins.services import find_by_client_id
from app.extensions import db
from app.idempotency import store_once
from tests import factories


def _committed(statement) -> int:
    """Counted through a connection of its own: only committed rows are seen."""
    engine = create_engine(db.engine.url)
    try:
        with engine.connect() as connection:
            return connection.scalar(statement)
    finally:
        engine.dispose()


def _checkin(patient, client_id, now) -> CheckIn:
    return CheckIn(patient_id=patient.id, client_id=client_id, taken_at=now, received_at=now,
                   mood=3, note="")


def test_a_lost_race_keeps_the_rest_of_the_callers_transaction(app, clock):
    patient = factories.patient(factories.clinic(), clock())
    first = factories.checkin(patient, taken_at=clock())
    audit("test.earlier_work", now=clock())  # the caller's own write, before the insert

    row, created = store_once(_checkin(patient, first.client_id, clock()),
                              lambda: find_by_client_id(patient.id, first.client_id))
    db.session.commit()

    assert (row.id, created) == (first.id, False)
    assert _committed(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "test.earlier_work")) == 1
    assert _committed(select(func.count()).select_from(CheckIn)) == 1


def test_a_stored_row_is_committed_by_the_caller_not_by_the_savepoint(app, clock):
    patient = factories.patient(factories.clinic(), clock())
    client_id = uuid.uuid4()

    row, created = store_once(_checkin(patient, client_id, clock()),
                              lambda: find_by_client_id(patient.id, client_id))
    assert created and row.id is not None
    db.session.rollback()  # the caller (the request) fails after all

    assert _committed(select(func.count()).select_from(CheckIn)) == 0
