"""A worrying check-in gets a response (issue 11, point 6; clinical.md, "What the patient sees
after a worrying entry"): crisis and clinic contacts first and "your clinic has been alerted",
with the flag raised in the same request; "Did you get home safely?" = No is the high flag
``not_home_safely`` and shows on the patient page, the triage queue, the CSV and the FHIR."""

import csv
import io
import json
import re
import uuid
from datetime import timedelta

import pytest
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import select

from app.checkins.models import CheckIn
from app.extensions import db
from app.flags.models import Flag, FlagEvidence, FlagStatus
from app.flags.rules import Priority
from tests import factories
from tests.web.flag_support import count, flags, main_of, page_of, queue_rows, text_of

CLINIC_PHONE = "555-0142"
ALERTED = "Your clinic has been alerted"
REASSURING = "Most side effects fade within a few hours."
NOTE = "I keep thinking about ending my life"

# name: (form fields, API body fields, the flags expected: (rule, symptom))
WORRYING = {
    "mood-0-with-a-note": (
        {"mood": "0", "note": NOTE}, {"mood": 0, "note": NOTE},
        {("mood_drop", None)}),
    "severe-headache-very-severe-nausea": (
        {"mood": "5", "symptom-headache": "3", "symptom-nausea": "4"},
        {"mood": 5, "symptoms": [{"code": "headache", "severity": 3},
                                 {"code": "nausea", "severity": 4}]},
        {("severe_symptom", "headache"), ("severe_symptom", "nausea")}),
    "not-home-safely": (
        {"mood": "7", "home_safely": "no"}, {"mood": 7, "home_safely": False},
        {("not_home_safely", None)}),
}
NORMAL = ({"mood": "7", "symptom-headache": "1", "home_safely": "yes"},
          {"mood": 7, "symptoms": [{"code": "headache", "severity": 1}], "home_safely": True})


@pytest.fixture
def patient(app, clock):
    patient = factories.patient(factories.clinic(phone=CLINIC_PHONE), clock() - timedelta(days=1))
    factories.infusion(patient, end=clock() - timedelta(hours=2))
    return patient


@pytest.fixture
def patient_client(patient, signed_in):
    return signed_in(patient.user)


def _api_body(clock, fields: dict) -> dict:
    return {"client_id": str(uuid.uuid4()), "taken_at": (clock() - timedelta(minutes=1))
            .isoformat(), "symptoms": [], "note": "", **fields}


def _flags_of(checkin_id: int) -> set[tuple[str, str | None]]:
    """(rule, symptom) of the flags that hold this check-in as evidence."""
    cited = select(FlagEvidence.flag_id).where(FlagEvidence.kind == "checkin",
                                               FlagEvidence.ref_id == checkin_id)
    return {(f.rule, f.symptom) for f in flags(Flag.id.in_(cited))}


def _assert_crisis_first(page: str) -> None:
    main = main_of(page).lstrip()
    assert main.startswith('<section class="crisis"'), "crisis help is not the first thing shown"
    crisis = re.match(r'<section class="crisis".*?</section>', main, re.S).group(0)
    for link in ('href="tel:988"', 'href="sms:988"', 'href="tel:911"',
                 f'href="tel:{CLINIC_PHONE}"'):
        assert link in crisis
    assert ALERTED in text_of(crisis)
    assert REASSURING not in page


@pytest.mark.parametrize("case", list(WORRYING))
def test_the_form_answers_a_worrying_checkin_with_crisis_and_clinic_contacts_first(
        patient_client, patient, clock, case):
    form, _api, expected = WORRYING[case]

    posted = patient_client.form("/checkin", {"client_id": str(uuid.uuid4()), **form})

    assert posted.status_code == 303
    checkin = db.session.scalars(select(CheckIn)).one()
    # No job has run: the flags came with the check-in, in its request.
    assert _flags_of(checkin.id) == expected
    assert all((f.status, f.created_at, f.patient_id) == (FlagStatus.OPEN, clock(), patient.id)
               for f in flags())
    page = page_of(patient_client.get(posted.headers["Location"]))
    _assert_crisis_first(page)
    assert "<title>Help is available now" in page


@pytest.mark.parametrize("case", list(WORRYING))
def test_the_api_says_the_checkin_is_worrying_and_the_clinic_alerted(
        patient_client, clock, case):
    _form, fields, expected = WORRYING[case]
    body = _api_body(clock, fields)

    first = patient_client.api("POST", "/api/v1/checkins", json=body)
    again = patient_client.api("POST", "/api/v1/checkins", json=body)

    assert (first.status_code, again.status_code) == (201, 200)
    answer = first.get_json()
    assert (answer["worrying"], answer["clinic_alerted"], answer["clinic_phone"]) == (
        True, True, CLINIC_PHONE)
    assert _flags_of(answer["id"]) == expected
    assert again.get_json() == answer  # a replay from the outbox gets the same answer
    # What the app shows next: the check-in's own page, crisis and clinic contacts first.
    _assert_crisis_first(page_of(patient_client.get(f"/checkins/{answer['id']}")))


def test_a_normal_checkin_keeps_the_reassuring_text_and_raises_nothing(
        patient_client, clock):
    form, fields = NORMAL

    posted = patient_client.form("/checkin", {"client_id": str(uuid.uuid4()), **form})
    sent = patient_client.api("POST", "/api/v1/checkins", json=_api_body(clock, fields))

    page = page_of(patient_client.get(posted.headers["Location"]))
    assert REASSURING in page
    assert 'class="crisis"' not in page and ALERTED not in page
    assert "Thank you, your check-in is saved" in text_of(main_of(page))
    answer = sent.get_json()
    assert (answer["worrying"], answer["clinic_alerted"]) == (False, False)
    assert count(Flag) == 0


def test_the_clinics_mood_floor_decides_what_is_worrying(patient_client, patient, clock):
    patient.clinic.settings = {"mood_floor": 4}
    db.session.commit()

    answer = patient_client.api("POST", "/api/v1/checkins",
                                json=_api_body(clock, {"mood": 4})).get_json()

    assert (answer["worrying"], answer["clinic_alerted"]) == (True, True)
    assert _flags_of(answer["id"]) == {("mood_drop", None)}


def test_the_phq9_crisis_page_uses_the_same_wording_and_says_the_clinic_was_alerted(
        patient_client):
    posted = patient_client.form("/phq9", {"client_id": str(uuid.uuid4()),
                                           **{f"item-{n}": "0" for n in range(1, 9)},
                                           "item-9": "2"})

    page = page_of(patient_client.get(posted.headers["Location"]))

    _assert_crisis_first(page)


# --- "Did you get home safely?" = No where clinicians look ------------------------------------

@pytest.fixture
def home_answers(patient, clock):
    """Two check-ins after the infusion: home safely No (flagged) and Yes."""
    no = factories.checkin(patient, taken_at=clock() - timedelta(minutes=90), mood=7,
                           home_safely=False)
    yes = factories.checkin(patient, taken_at=clock() - timedelta(minutes=30), mood=7,
                            home_safely=True)
    return no, yes


def test_not_home_safely_is_a_high_flag_raised_with_the_checkin(home_answers):
    no, yes = home_answers

    [flag] = flags()

    assert (flag.rule, flag.priority, flag.status) == (
        "not_home_safely", Priority.HIGH, FlagStatus.OPEN)
    assert [(e.kind, e.ref_id) for e in flag.evidence] == [("checkin", no.id)]


def test_the_patient_page_shows_each_home_safely_answer(home_answers, patient, signed_in):
    no, yes = home_answers
    clinician = factories.staff(patient.clinic)

    page = page_of(signed_in(clinician).get(f"/clinic/patients/{patient.id}"))

    def row(checkin):
        found = re.search(rf'<tr id="checkin-{checkin.id}">(.*?)</tr>', page, re.S)
        return text_of(found.group(1))

    assert "Home safely: No" in row(no)
    assert "Home safely: Yes" in row(yes)
    assert "Did not get home safely" in page  # the flag, in the flags table


def test_the_triage_queue_row_says_home_safely_no(home_answers, patient, signed_in):
    clinician = factories.staff(patient.clinic)

    page = page_of(signed_in(clinician).get("/clinic/"))

    [(priority, who, flag, _infusion, status)] = queue_rows(page)
    assert (priority, who, status) == ("high", patient.display_name, "open")
    assert flag == "Did not get home safely: Home safely: No at 30 min"


def test_the_csv_has_a_home_safely_row_per_answer(home_answers, patient, signed_in):
    no, yes = home_answers
    clinician = factories.staff(patient.clinic)

    response = signed_in(clinician).get(f"/clinic/patients/{patient.id}/export.csv")

    found = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    answers = [(r["record_id"], r["item"], r["value"], r["infusion_number"])
               for r in found if r["kind"] == "home_safely"]
    assert answers == [(str(no.id), "home_safely", "no", "1"),
                       (str(yes.id), "home_safely", "yes", "1")]


def test_the_fhir_export_answers_home_safely_with_a_boolean(home_answers, patient, signed_in):
    no, yes = home_answers
    clinician = factories.staff(patient.clinic)

    response = signed_in(clinician).get(f"/clinic/patients/{patient.id}/export.fhir.json")

    body = json.loads(response.get_data(as_text=True))
    Bundle.model_validate(body)
    answers = [[item["answer"] for item in e["resource"]["item"]
                if item["linkId"] == "home-safely"]
               for e in body["entry"]
               if e["resource"]["resourceType"] == "QuestionnaireResponse"]
    assert answers == [[[{"valueBoolean": False}]], [[{"valueBoolean": True}]]]
