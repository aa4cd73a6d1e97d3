"""Every 10 minutes: every flag rule for every active patient. Running it twice changes nothing.

Each patient is committed on its own: one patient's error does not undo the others' flags, and
on SQLite the write lock is never held for the whole run.
"""

from datetime import datetime

from flask import current_app

from app.extensions import db
from app.flags.services import active_patient_ids, evaluate_patient
from app.patients.models import Patient


def run(now: datetime) -> dict:
    opened = failed = 0
    ids = active_patient_ids(now)
    for patient_id in ids:
        try:
            opened += len(evaluate_patient(db.session.get(Patient, patient_id), now=now))
            db.session.commit()
        except Exception:
            db.session.rollback()
            current_app.logger.exception("flag rules failed for patient %s", patient_id)
            failed += 1
    return {"patients": len(ids), "opened": opened, **({"failed": failed} if failed else {})}
