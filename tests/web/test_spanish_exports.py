"""Exports keep their codes; a QuestionnaireResponse records the language it was answered in,
and free text stays as typed (issue 19, point 5)."""

import json
import uuid

from fhir.resources.R4B.bundle import Bundle

from app.extensions import db
from tests import factories


def test_a_spanish_answer_is_exported_with_its_language_and_the_same_codes(app, clock):
    clinic = factories.clinic()
    clinician = factories.staff(clinic)
    patient = factories.patient(clinic, clock(), by=clinician)
    patient.user.language = "es"
    db.session.commit()
    phone = factories.sign_in(app, patient.user)

    answers = {f"item-{n}": "2" for n in range(1, 10)}
    assert phone.post("/phq9", data={"csrf_token": _csrf(phone), "client_id": str(uuid.uuid4()),
                                     **answers}).status_code == 303
    assert phone.post("/checkin", data={"csrf_token": _csrf(phone),
                                        "client_id": str(uuid.uuid4()), "mood": "6",
                                        "note": "me duele un poco la cabeza"}).status_code == 303
    patient.user.language = "en"  # a later change does not rewrite what was answered
    db.session.commit()

    body = json.loads(factories.sign_in(app, clinician).get(
        f"/clinic/patients/{patient.id}/export.fhir.json").get_data(as_text=True))
    Bundle.model_validate(body)
    responses = [e["resource"] for e in body["entry"]
                 if e["resource"]["resourceType"] == "QuestionnaireResponse"]
    assert {r["language"] for r in responses} == {"es"}
    [phq9] = [r for r in responses if r["questionnaire"].endswith("44249-1")]
    codes = [item["answer"][0]["valueCoding"]["code"] for item in phq9["item"]]
    assert codes == ["LA6570-1"] * 9
    assert "me duele un poco la cabeza" in json.dumps(body, ensure_ascii=False)


def _csrf(client) -> str:
    import re

    page = client.get("/checkin").get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
