from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import StatementError

from app.clinics.models import Clinic
from app.extensions import db


def test_times_are_stored_in_utc_and_come_back_aware(app):
    new_york_morning = datetime(2026, 3, 10, 9, 30, tzinfo=timezone(timedelta(hours=-5)))
    clinic = Clinic(name="Zone test", timezone="America/New_York", created_at=new_york_morning)
    db.session.add(clinic)
    db.session.commit()
    db.session.expire_all()

    stored = db.session.get(Clinic, clinic.id).created_at
    assert stored == datetime(2026, 3, 10, 14, 30, tzinfo=UTC)
    assert stored.utcoffset() == timedelta(0)


def test_a_naive_time_is_refused(app):
    db.session.add(Clinic(name="Naive", timezone="UTC", created_at=datetime(2026, 3, 10, 9)))
    with pytest.raises(StatementError, match="naive datetime"):
        db.session.flush()
    db.session.rollback()
