"""The weekly PHQ-9: the published wording, storing it once, the crisis path, bad input, access."""

import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.auth.models import Role
from app.extensions import db
from app.flags.models import Flag, FlagStatus
from app.flags.rules import Priority
from app.infusions.queries import current_series
from app.phq9 import instrument
from app.phq9.models import Phq9Response
from tests import factories
from tests.unit.test_checkin_bad_bodies import error_at
from tests.unit.test_phq9_bad_bodies import BAD_BODIES, _body
from tests.web.flag_support import (
    count,
    flags,
    main_of,
    page_of,
    phq9,
    text_of,
)

URL = "/phq9"
API = "/api/v1/phq9"
CLINIC_PHONE = "555-0142"

# The PHQ-9 as published (Spitzer, Williams, Kroenke; Pfizer), typed out here on purpose so a
# reworded item in app/phq9/instrument.py fails these tests.
STANDARD_STEM = ("Over the last 2 weeks, how often have you been bothered by any of the "
                 "following problems?")
STANDARD_ITEMS = (
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself \u2014 or that you are a failure or have let yourself or your "
    "family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed? Or the opposite "
    "\u2014 being so fidgety or restless that you have been moving around a lot more than "
    "usual",
    "Thoughts that you would be better off dead or of hurting yourself in some way",
)
STANDARD_ANSWERS = ("Not at all", "Several days", "More than half the days", "Nearly every day")
NOT_WATCHED = "not watched around the clock"


@pytest.fixture
def clinic(app):
    return factories.clinic(phone=CLINIC_PHONE)


@pytest.fixture
def patient(clinic, clock):
    return factories.patient(clinic, clock() - timedelta(days=7))


@pytest.fixture
def patient_client(patient, signed_in):
    return signed_in(patient.user)


def _stored() -> tuple[int, int]:
    return count(Phq9Response), count(Flag)


def _form(answers: list, client_id=None) -> dict:
    data = {"client_id": str(client_id or uuid.uuid4())}
    data.update({f"item-{number}": str(value)
                 for number, value in enumerate(answers, 1) if value is not None})
    return data


def _fieldsets(page: str) -> list[str]:
    return re.findall(r'<fieldset class="phq9-item"[^>]*>.*?</fieldset>', page, re.S)


def _assert_error_shape(response, status: int) -> dict:
    assert response.status_code == status
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["code"] == status
    assert isinstance(error["message"], str) and error["message"]
    return error


# --- the questionnaire -----------------------------------------------------------------------

def test_instrument_keeps_the_published_wording():
    assert instrument.STEM == STANDARD_STEM
    assert tuple(item.text for item in instrument.ITEMS) == STANDARD_ITEMS
    assert [item.number for item in instrument.ITEMS] == list(range(1, 10))
    assert [(a.score, a.text) for a in instrument.ANSWERS] == list(enumerate(STANDARD_ANSWERS))
    assert instrument.SAFETY_ITEM == 9


def test_form_shows_the_stem_nine_items_and_four_answers_each(patient_client):
    response = patient_client.get(URL)

    page = page_of(response)
    assert response.status_code == 200
    assert STANDARD_STEM in text_of(page)
    fieldsets = _fieldsets(page)
    assert len(fieldsets) == 9
    for number, (fieldset, item_text) in enumerate(zip(fieldsets, STANDARD_ITEMS, strict=True),
                                                   1):
        legend = re.search(r"<legend>(.*?)</legend>", fieldset, re.S)
        assert legend and text_of(legend.group(1)) == f"{number}. {item_text}"
        radios = re.findall(rf'<input type="radio" id="item-{number}-(\d)" '
                            rf'name="item-{number}" value="(\d)"', fieldset)
        assert radios == [(str(score), str(score)) for score in range(4)]
        labels = re.findall(rf'<label for="item-{number}-(\d)">([^<]*)</label>', fieldset)
        assert labels == [(str(score), text) for score, text in enumerate(STANDARD_ANSWERS)]
        assert "checked" not in fieldset  # nothing is pre-answered
    assert re.search(r'name="client_id" value="[0-9a-f-]{36}"', page)


def test_form_shows_the_crisis_line_and_that_nobody_watches_around_the_clock(patient_client):
    page = page_of(patient_client.get(URL))

    assert 'href="tel:988"' in page
    assert 'href="tel:911"' in page
    assert f'href="tel:{CLINIC_PHONE}"' in page
    assert NOT_WATCHED in text_of(page)
    assert "Suicide & Crisis Lifeline" in text_of(page)


# --- submitting the form ---------------------------------------------------------------------

def test_submitting_the_form_stores_one_scored_response_and_redirects(patient_client, patient,
                                                                     clock):
    answers = [1, 2, 3, 0, 1, 2, 0, 1, 0]
    client_id = uuid.uuid4()

    response = patient_client.form(URL, _form(answers, client_id))

    assert response.status_code == 303
    stored = db.session.scalars(select(Phq9Response)).one()
    assert response.headers["Location"].endswith(f"/phq9/{stored.id}")
    assert stored.answers == answers
    assert stored.total == 10
    assert (stored.patient_id, stored.client_id) == (patient.id, client_id)
    assert stored.series_id == current_series(patient).id
    assert stored.taken_at == clock()
    assert flags() == []


def test_sending_the_form_twice_stores_it_once(patient_client):
    data = _form([0, 1, 0, 1, 0, 1, 0, 1, 0])

    first = patient_client.form(URL, data)
    second = patient_client.form(URL, data)

    assert (first.status_code, second.status_code) == (303, 303)
    assert first.headers["Location"] == second.headers["Location"]
    assert count(Phq9Response) == 1


def test_no_crisis_section_when_item_9_is_0(patient_client):
    posted = patient_client.form(URL, _form([3, 3, 3, 3, 3, 3, 3, 3, 0]))

    response = patient_client.get(posted.headers["Location"])

    page = page_of(response)
    assert response.status_code == 200
    assert 'class="crisis"' not in page
    assert 'href="sms:988"' not in page
    assert "Help is available now" not in page
    assert "your answers are saved" in text_of(main_of(page))
    assert flags() == []  # a high total alone is not a safety answer


@pytest.mark.parametrize("item9", [1, 2, 3])
def test_item_9_above_0_opens_an_urgent_safety_flag_in_the_same_request(
        patient_client, patient, clock, item9):
    response = patient_client.form(URL, _form([0, 0, 0, 0, 0, 0, 0, 0, item9]))

    assert response.status_code == 303
    stored = db.session.scalars(select(Phq9Response)).one()
    # No job has run: the flag came with the answers.
    [flag] = flags()
    assert (flag.rule, flag.priority, flag.status) == ("safety", Priority.URGENT, FlagStatus.OPEN)
    assert (flag.patient_id, flag.clinic_id) == (patient.id, patient.clinic_id)
    assert flag.created_at == clock()
    assert [(e.kind, e.ref_id) for e in flag.evidence] == [("phq9", stored.id)]


@pytest.mark.parametrize("item9", [1, 3])
def test_item_9_above_0_shows_crisis_resources_before_anything_else(patient_client, item9):
    posted = patient_client.form(URL, _form([0, 1, 0, 1, 0, 1, 0, 1, item9]))

    response = patient_client.get(posted.headers["Location"])

    assert response.status_code == 200
    main = main_of(page_of(response)).lstrip()
    assert main.startswith('<section class="crisis"'), "crisis help is not the first thing shown"
    crisis = re.match(r'<section class="crisis".*?</section>', main, re.S).group(0)
    assert 'href="tel:988"' in crisis
    assert 'href="sms:988"' in crisis
    assert 'href="tel:911"' in crisis
    assert f'href="tel:{CLINIC_PHONE}"' in crisis
    assert NOT_WATCHED in text_of(crisis)


# --- the JSON API ----------------------------------------------------------------------------

@pytest.mark.parametrize(("answers", "total", "safety"), [
    pytest.param([1, 2, 3, 0, 1, 2, 0, 1, 0], 10, False, id="item9-0"),
    pytest.param([0, 0, 0, 0, 0, 0, 0, 0, 1], 1, True, id="item9-1"),
    pytest.param([3, 3, 3, 3, 3, 3, 3, 3, 3], 27, True, id="all-3"),
    pytest.param([0] * 9, 0, False, id="all-0"),
])
def test_api_stores_and_scores_once(patient_client, patient, clock, answers, total, safety):
    body = _body(clock, answers=answers)

    first = patient_client.api("POST", API, json=body)
    again = patient_client.api("POST", API, json={**body, "answers": [2] * 9})

    assert first.status_code == 201
    created = first.get_json()
    assert created["total"] == total
    assert created["safety"] is safety
    assert created["answers"] == answers
    assert created["client_id"] == body["client_id"]
    assert again.status_code == 200
    assert again.get_json() == created  # the original, not the changed copy
    stored = db.session.scalars(select(Phq9Response)).one()
    assert (stored.id, stored.total, stored.answers) == (created["id"], total, answers)
    assert stored.patient_id == patient.id
    assert [f.rule for f in flags()] == (["safety"] if safety else [])


def test_every_bad_api_body_is_422_at_its_field_and_stores_nothing(patient_client, clock):
    """Each case's message is checked against the schema in tests/unit/test_phq9_bad_bodies;
    here the API's answer: one error shape, the field named, nothing stored, no flag."""
    for case in BAD_BODIES:
        build, path = case.values
        response = patient_client.api("POST", API, json=build(clock))

        error = _assert_error_shape(response, 422)
        assert error_at(error["fields"], path), case.id
    assert _stored() == (0, 0)


@pytest.mark.parametrize(("data", "content_type"), [
    pytest.param(b"{not json", "application/json", id="malformed-json"),
    pytest.param(b"[0, 0, 0, 0, 0, 0, 0, 0, 3]", "application/json", id="json-array"),
    pytest.param(b"item-9=3", "application/x-www-form-urlencoded", id="form-encoded"),
])
def test_api_body_that_is_not_a_json_object_is_refused(patient_client, data, content_type):
    response = patient_client.api("POST", API, data=data, content_type=content_type)

    assert response.status_code in (400, 422)
    _assert_error_shape(response, response.status_code)
    assert _stored() == (0, 0)


# --- bad form input --------------------------------------------------------------------------

@pytest.mark.parametrize("missing", [1, 5, 9])
def test_form_with_an_unanswered_question_shows_the_error_beside_it(patient_client, missing):
    answers = [1, 1, 1, 1, 1, 1, 1, 1, 3]
    answers[missing - 1] = None

    response = patient_client.form(URL, _form(answers))

    page = page_of(response)
    assert response.status_code == 422
    assert "Nothing was saved" in text_of(page)
    fieldsets = _fieldsets(page)
    assert len(fieldsets) == 9
    for number, fieldset in enumerate(fieldsets, 1):
        has_error = f'id="item-{number}-error"' in fieldset
        assert has_error is (number == missing), f"error shown beside item {number}"
    assert f'aria-describedby="item-{missing}-error"' in fieldsets[missing - 1]
    # The answers already given stay chosen.
    for number, value in enumerate(answers, 1):
        if value is not None:
            assert re.search(rf'id="item-{number}-{value}"[^>]*checked', fieldsets[number - 1])
    assert _stored() == (0, 0)


@pytest.mark.parametrize("value", ["4", "-1", "abc", "1.5"])
def test_form_with_an_answer_out_of_range_shows_the_error_beside_it(patient_client, value):
    data = _form([0, 0, 0, 0, 0, 0, 0, 0, 3])
    data["item-3"] = value

    response = patient_client.form(URL, data)

    page = page_of(response)
    assert response.status_code == 422
    errors = [n for n, f in enumerate(_fieldsets(page), 1) if 'class="error"' in f]
    assert errors == [3]
    assert _stored() == (0, 0)


def test_form_without_client_id_is_refused(patient_client):
    data = _form([0, 0, 0, 0, 0, 0, 0, 0, 3])
    del data["client_id"]

    response = patient_client.form(URL, data)

    assert response.status_code == 422
    assert _stored() == (0, 0)


# --- who may call ----------------------------------------------------------------------------

@pytest.mark.parametrize("role", [Role.CLINICIAN, Role.ADMIN])
def test_staff_calling_the_phq9_api_gets_403(clinic, clock, signed_in, role):
    staff = signed_in(factories.staff(clinic, role=role))

    response = staff.api("POST", API, json=_body(clock, answers=[0] * 8 + [3]))

    _assert_error_shape(response, 403)
    assert _stored() == (0, 0)


def test_unauthenticated_api_call_gets_401(client, clock):
    response = client.api("POST", API, json=_body(clock, answers=[0] * 8 + [3]))

    _assert_error_shape(response, 401)
    assert "Location" not in response.headers
    assert _stored() == (0, 0)


def test_unauthenticated_form_goes_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("same_clinic", [True, False], ids=["same-clinic", "other-clinic"])
def test_another_patients_response_page_is_404(patient, clinic, clock, signed_in, same_clinic):
    theirs = phq9(patient, taken_at=clock() - timedelta(hours=1), answers=[0] * 8 + [2])
    other = factories.patient(clinic if same_clinic else factories.clinic(), clock())
    own = phq9(other, taken_at=clock() - timedelta(hours=1), answers=[0] * 9)
    patient_client = signed_in(other.user)

    assert patient_client.get(f"/phq9/{own.id}").status_code == 200
    response = patient_client.get(f"/phq9/{theirs.id}")

    assert response.status_code == 404


def test_a_response_that_does_not_exist_is_404(patient_client):
    assert patient_client.get("/phq9/999999").status_code == 404
