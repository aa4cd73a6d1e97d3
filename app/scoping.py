"""The one place a request's clinic (or a patient's own account) limits what it can reach.

Every view that looks up patient data by an id from the URL goes through one of these.
Staff see only their own clinic's records; anything else answers 404 (never 403), so a
request cannot even learn that another clinic's record exists. Patients reach only their own
records the same way. ``tests/web/test_route_walk.py`` walks every route to prove it, and
``tests/unit/test_scoping_in_one_place.py`` keeps views from querying the database directly.
"""

from flask import abort
from flask_login import current_user

from app.auth.services import own_session
from app.checkins.services import own_checkin
from app.flags.services import clinic_flag
from app.infusions.services import clinic_infusion
from app.patients.services import clinic_patient, patient_of
from app.phq9.services import own_response


def _found(row):
    if row is None:
        abort(404)
    return row


def clinic_id() -> int:
    """The signed-in staff member's clinic: list queries filter by it."""
    return current_user.clinic_id


def patient_or_404(patient_id: int):
    return _found(clinic_patient(current_user.clinic_id, patient_id))


def infusion_or_404(infusion_id: int):
    return _found(clinic_infusion(current_user.clinic_id, infusion_id))


def flag_or_404(flag_id: int):
    return _found(clinic_flag(current_user.clinic_id, flag_id))


def own_patient():
    """The signed-in patient's own profile (routes are already limited to patients)."""
    patient = patient_of(current_user)
    if patient is None:
        abort(403)
    return patient


def own_checkin_or_404(patient, checkin_id: int):
    return _found(own_checkin(patient.id, checkin_id))


def own_phq9_response_or_404(patient, response_id: int):
    return _found(own_response(patient.id, response_id))


def own_session_or_404(session_id: int):
    """One of the signed-in person's own device sessions (any role)."""
    return _found(own_session(current_user.id, session_id))
