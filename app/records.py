"""A patient record arrived: what every new check-in and PHQ-9 sets off, in one place.

Both are stored once by ``client_id`` (app/idempotency.py); a record stored for the first time
then answers the prompts that asked for it and has the submission rules evaluated with it as
their evidence, in the submitting transaction, so the flag it raises is there when the patient
is told "your clinic has been alerted". A repeat of a record sets off nothing again.
"""

from datetime import datetime

from app.flags.services import evaluate_at_submission
from app.patients.models import Patient
from app.prompts.services import answer as answer_prompt

CHECKIN = "checkin"
PHQ9 = "phq9"


def record_arrived(patient: Patient, kind: str, record, *, now: datetime) -> None:
    """``record`` (a CheckIn for ``CHECKIN``, a Phq9Response for ``PHQ9``) was just stored."""
    if kind == CHECKIN:
        answer_prompt(patient.id, record.taken_at, checkin_id=record.id)
    elif kind == PHQ9:
        answer_prompt(patient.id, record.taken_at, questionnaire=True)
    else:
        raise ValueError(f"not a patient record kind: {kind!r}")
    evaluate_at_submission(patient, now=now, evidence=(kind, record.id))
