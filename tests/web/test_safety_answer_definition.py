"""One definition of a safety answer (PHQ-9 item 9 at or above the clinic's threshold) used by
the crisis page, the API, the urgent flag, the patient page and both exports."""

import csv
import io
import json
import uuid
from datetime import timedelta

import pytest
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import select

from app.clinics.services import update_settings
from app.extensions import db
from app.flags.models import Flag
from tests import factories
from tests.web.flag_support import main_of, page_of

CLINIC_PHONE = "555-0177"


@pytest.fixture
def clinic(app):
    return factories.clinic(phone=CLINIC_PHONE)


@pytest.fixture
def patient(clinic, clock):
    return factories.patient(clinic, clock() - timedelta(days=7))


def _strict(clinic, clock, threshold: int) -> None:
    admin = factories.staff(clinic)
    update_settings(clinic, {"safety_item9_from": threshold}, by=admin, now=clock())
    db.session.commit()


def _answers(item9: int) -> list[int]:
    return [1, 1, 1, 1, 1, 1, 1, 1, item9]


def _post_form(client, item9: int):
    data = {"client_id": str(uuid.uuid4())}
    data.update({f"item-{n}": str(v) for n, v in enumerate(_answers(item9), 1)})
    return client.get(client.form("/phq9", data).headers["Location"])


def _crisis_first(response) -> bool:
    return main_of(page_of(response)).lstrip().startswith('<section class="crisis"')


@pytest.mark.parametrize(("threshold", "item9", "safety"), [
    (1, 1, True), (2, 1, False), (2, 2, True), (3, 2, False), (3, 3, True)])
def test_the_form_the_api_and_the_flag_follow_the_clinic_threshold(
        clinic, patient, clock, signed_in, threshold, item9, safety):
    _strict(clinic, clock, threshold)
    client = signed_in(patient.user)

    page = _post_form(client, item9)
    api = client.api("POST", "/api/v1/phq9", json={
        "client_id": str(uuid.uuid4()), "taken_at": clock().isoformat(),
        "answers": _answers(item9)})

    assert _crisis_first(page) is safety
    if safety:
        assert f'href="tel:{CLINIC_PHONE}"' in main_of(page_of(page))
    assert api.status_code == 201 and api.get_json()["safety"] is safety
    rules = [f.rule for f in db.session.scalars(select(Flag))]
    assert rules == (["safety"] if safety else [])


def _export_csv(client, patient) -> list[dict]:
    response = client.get(f"/clinic/patients/{patient.id}/export.csv")
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def _fhir_item9(client, patient) -> list[dict]:
    response = client.get(f"/clinic/patients/{patient.id}/export.fhir.json")
    body = json.loads(response.get_data(as_text=True))
    Bundle.model_validate(body)
    return [e["resource"] for e in body["entry"]
            if e["resource"]["resourceType"] == "Observation"
            and e["resource"]["code"]["coding"][0]["code"] == "44260-8"]


def test_exports_and_the_patient_page_mark_exactly_the_safety_answers(
        clinic, patient, clock, signed_in):
    _strict(clinic, clock, 2)
    client = signed_in(patient.user)
    for item9 in (1, 2):
        _post_form(client, item9)
        clock.advance(days=7)
    staff = signed_in(factories.staff(clinic))

    rows = [r for r in _export_csv(staff, patient)
            if r["kind"] == "phq9_item" and r["item"] == "9"]
    item9 = _fhir_item9(staff, patient)
    page = page_of(staff.get(f"/clinic/patients/{patient.id}"))

    assert [(r["value"], r["detail"]) for r in rows] == [("1", ""), ("2", "safety_answer")]
    marked = {o["valueCodeableConcept"]["coding"][0]["code"]: "interpretation" in o
              for o in item9}
    assert marked == {"LA6569-3": False, "LA6570-1": True}  # several days; more than half
    assert page.count("safety answer") == 1
