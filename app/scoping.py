"""The one place a request's clinic limits what it can reach.

Staff see only their own clinic's records; anything else answers 404 (never 403), so a
request cannot even learn that another clinic's record exists.
"""

from flask import abort
from flask_login import current_user

from app.infusions.services import clinic_infusion
from app.patients.services import clinic_patient, patient_of


def patient_or_404(patient_id: int):
    patient = clinic_patient(current_user.clinic_id, patient_id)
    if patient is None:
        abort(404)
    return patient


def infusion_or_404(infusion_id: int):
    infusion = clinic_infusion(current_user.clinic_id, infusion_id)
    if infusion is None:
        abort(404)
    return infusion


def own_patient():
    """The signed-in patient's own profile (routes are already limited to patients)."""
    patient = patient_of(current_user)
    if patient is None:
        abort(403)
    return patient
