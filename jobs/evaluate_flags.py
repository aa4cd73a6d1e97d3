"""Every 10 minutes: every flag rule for every active patient. Running it twice changes nothing.

Each patient is a unit of its own (a savepoint): one patient's error is rolled back alone and
retried on the next run, and never undoes or stops the others' flags.
"""

from datetime import datetime
from functools import partial

from app.extensions import db
from app.flags.services import active_patient_ids, evaluate_patient
from app.patients.models import Patient
from jobs.units import Units


def run(now: datetime, units: Units | None = None) -> dict:
    units = units or Units("evaluate_flags")
    opened = 0
    ids = active_patient_ids(now)
    for patient_id in ids:
        ok, flags = units.run("patient", patient_id, partial(_evaluate, patient_id, now))
        opened += len(flags) if ok else 0
    return units.summary(patients=len(ids), opened=opened)


def _evaluate(patient_id: int, now: datetime) -> list:
    return evaluate_patient(db.session.get(Patient, patient_id), now=now)
