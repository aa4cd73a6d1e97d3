"""Clinicians' reading of a patient's record is audited: who, which patient, when."""

from tests import factories
from tests.web.auth_support import audit_events


def test_opening_a_patient_record_writes_an_audit_event(app, clock, signed_in):
    clinic = factories.clinic()
    clinician = factories.staff(clinic)
    patient = factories.patient(clinic, clock(), by=clinician)

    assert signed_in(clinician).get(f"/clinic/patients/{patient.id}").status_code == 200

    [event] = audit_events("patient.view")
    assert (event.actor_id, event.patient_id, event.clinic_id, event.at) == (
        clinician.id, patient.id, clinic.id, clock())


def test_a_refused_record_writes_no_view_event(app, clock, signed_in):
    patient = factories.patient(factories.clinic(), clock())
    outsider = factories.staff(factories.clinic())

    assert signed_in(outsider).get(f"/clinic/patients/{patient.id}").status_code == 404
    assert audit_events("patient.view") == []
