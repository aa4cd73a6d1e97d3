"""Every flag and PHQ-9 route from the wrong side: staff of another clinic, patients, staff on
patient pages, other patients. Nothing may be read or changed, and no row may be written.

Staff routes (the queue, flag actions, the patient page with its flags and PHQ-9s) answer 404
to staff of another clinic, so they cannot learn a record exists, and 403 to any patient. The
PHQ-9 routes are the patient's own: 403 to staff of any clinic, 404 to other patients.
"""

import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest

from app.auth.models import Role
from app.extensions import db
from app.flags.services import acknowledge, resolve
from app.phq9.models import Phq9Response
from tests import factories
from tests.web.flag_support import (
    flag_state,
    flags,
    page_of,
    phq9,
    queue_counts,
    queue_rows,
    row_counts,
)


@dataclass
class Home:
    clinic: object
    clinician: object
    patient: object  # has flags in every status and a PHQ-9
    neighbour: object  # another patient of the same clinic
    flags: dict
    response: Phq9Response


@dataclass
class Away:
    clinic: object
    clinician: object
    admin: object
    patient: object


@pytest.fixture
def scene(snapshot, clock) -> tuple[Home, "Away"]:
    """Both clinics, built once per test process and database (``tests/snapshots.py``)."""
    return snapshot(lambda: (_home(clock), _away(clock)))


@pytest.fixture
def home(scene) -> Home:
    return scene[0]


@pytest.fixture
def away(scene) -> "Away":
    return scene[1]


def _home(clock) -> Home:
    now = clock()
    clinic = factories.clinic()
    clinician = factories.staff(clinic)
    patient = factories.patient(clinic, now - timedelta(days=10), by=clinician)
    neighbour = factories.patient(clinic, now - timedelta(days=10), by=clinician)
    end = now - timedelta(days=2)
    factories.infusion(patient, end=end)
    factories.checkin(patient, taken_at=end + timedelta(hours=2), symptoms={"headache": 3})
    factories.checkin(patient, taken_at=end + timedelta(hours=6), mood=1)
    response = phq9(patient, taken_at=now - timedelta(hours=3), answers=[1] * 8 + [2])
    made = {f.rule: f for f in flags()}
    assert set(made) == {"severe_symptom", "mood_drop", "safety"}
    acknowledge(made["mood_drop"], by=clinician, now=now - timedelta(hours=2))
    resolve(made["safety"], by=clinician, now=now - timedelta(hours=1), note="called")
    db.session.commit()
    return Home(clinic, clinician, patient, neighbour,
                {"open": made["severe_symptom"], "acknowledged": made["mood_drop"],
                 "resolved": made["safety"]}, response)


def _away(clock) -> Away:
    clinic = factories.clinic()
    clinician = factories.staff(clinic)
    patient = factories.patient(clinic, clock() - timedelta(days=10), by=clinician)
    end = clock() - timedelta(days=1)
    factories.infusion(patient, end=end)
    factories.checkin(patient, taken_at=end + timedelta(hours=2), symptoms={"nausea": 4})
    return Away(clinic, clinician, factories.staff(clinic, role=Role.ADMIN), patient)


def _snapshot(home: Home) -> tuple:
    return row_counts(), {name: flag_state(flag) for name, flag in home.flags.items()}


def _call(browser, method: str, url: str, **kwargs):
    if method == "GET":
        return browser.get(url)
    if url.startswith("/api/"):
        return browser.api(method, url, json=kwargs.get("json"))
    return browser.form(url, kwargs.get("data"))


def _staff_routes():
    """(id, method, url builder) of every staff route that reaches a flag or a PHQ-9."""
    routes = []
    for status in ("open", "acknowledged", "resolved"):
        for action in ("acknowledge", "resolve"):
            routes.append(pytest.param(
                "POST", lambda h, s=status, a=action: f"/clinic/flags/{h.flags[s].id}/{a}",
                id=f"{action}-{status}-flag"))
    routes.append(pytest.param("GET", lambda h: f"/clinic/patients/{h.patient.id}",
                               id="patient-page"))
    return routes


STAFF_ROUTES = _staff_routes()
FLAG_ACTION_FORM = {"note": "not mine", "back": "/clinic/"}


# --- staff of another clinic ----------------------------------------------------------------

@pytest.mark.parametrize("role", ["clinician", "admin"])
@pytest.mark.parametrize(("method", "url"), STAFF_ROUTES)
def test_staff_of_another_clinic_get_404_and_change_nothing(home, away, signed_in, role,
                                                           method, url):
    browser = signed_in(getattr(away, role))
    before = _snapshot(home)

    response = _call(browser, method, url(home), data=FLAG_ACTION_FORM)

    assert response.status_code == 404
    assert home.patient.display_name not in page_of(response)
    assert _snapshot(home) == before


QUEUE_QUERIES = ["", "?status=open", "?status=acknowledged", "?status=resolved",
                 "?rule=safety", "?rule=severe_symptom", "?rule=mood_drop", "?priority=urgent",
                 "?priority=high"]


@pytest.mark.parametrize("query", QUEUE_QUERIES)
def test_queue_of_another_clinic_never_shows_these_flags(home, away, signed_in, query):
    browser = signed_in(away.clinician)
    before = _snapshot(home)

    response = browser.get(f"/clinic/{query}")

    page = page_of(response)
    assert response.status_code == 200
    assert home.patient.display_name not in page
    for flag in home.flags.values():
        assert f"/clinic/flags/{flag.id}/" not in page
    assert {row[1] for row in queue_rows(page)} <= {away.patient.display_name}
    assert queue_counts(page) == {"urgent": 0, "high": 1, "moderate": 0, "low": 0}
    assert _snapshot(home) == before


def test_own_clinic_queue_sees_its_flags_but_not_the_other_clinics(home, away, signed_in):
    """The control for the tests above: the same queries do show the clinic's own flags."""
    page = page_of(signed_in(home.clinician).get("/clinic/?status=open"))

    assert [row[1] for row in queue_rows(page)] == [home.patient.display_name]
    assert away.patient.display_name not in page


# --- patients on staff routes ---------------------------------------------------------------

PATIENT_STAFF_ROUTES = [
    pytest.param("GET", lambda h: "/clinic/", id="queue"),
    pytest.param("GET", lambda h: "/clinic/?status=resolved", id="queue-resolved"),
    *STAFF_ROUTES,
]


@pytest.mark.parametrize("who", ["the patient", "a neighbour", "another clinic's patient"])
@pytest.mark.parametrize(("method", "url"), PATIENT_STAFF_ROUTES)
def test_patients_get_403_on_staff_routes_and_change_nothing(home, away, signed_in, who,
                                                             method, url):
    user = {"the patient": home.patient, "a neighbour": home.neighbour,
            "another clinic's patient": away.patient}[who].user
    browser = signed_in(user)
    before = _snapshot(home)

    response = _call(browser, method, url(home), data=FLAG_ACTION_FORM)

    assert response.status_code == 403
    assert _snapshot(home) == before


# --- staff on the patient's PHQ-9 routes ----------------------------------------------------

def _phq9_form() -> dict:
    return {"client_id": str(uuid.uuid4()),
            **{f"item-{n}": "1" for n in range(1, 10)}}


def _phq9_body(clock) -> dict:
    return {"client_id": str(uuid.uuid4()),
            "taken_at": (clock() - timedelta(minutes=1)).isoformat(), "answers": [1] * 9}


PHQ9_ROUTES = [
    pytest.param("GET", lambda h: "/phq9", id="form"),
    pytest.param("POST", lambda h: "/phq9", id="form-post"),
    pytest.param("GET", lambda h: f"/phq9/{h.response.id}", id="response-page"),
    pytest.param("POST", lambda h: "/api/v1/phq9", id="api"),
]


@pytest.mark.parametrize("who", ["own clinician", "other clinician", "other admin"])
@pytest.mark.parametrize(("method", "url"), PHQ9_ROUTES)
def test_staff_of_any_clinic_get_403_on_phq9_routes(home, away, clock, signed_in, who, method,
                                                    url):
    user = {"own clinician": home.clinician, "other clinician": away.clinician,
            "other admin": away.admin}[who]
    browser = signed_in(user)
    before = _snapshot(home)

    response = _call(browser, method, url(home), data=_phq9_form(), json=_phq9_body(clock))

    assert response.status_code == 403
    assert _snapshot(home) == before


# --- other patients on the PHQ-9 routes ------------------------------------------------------

@pytest.mark.parametrize("who", ["neighbour", "other clinic"])
def test_another_patients_phq9_response_is_404(home, away, signed_in, who):
    other = home.neighbour if who == "neighbour" else away.patient
    browser = signed_in(other.user)
    before = _snapshot(home)

    response = browser.get(f"/phq9/{home.response.id}")

    assert response.status_code == 404
    assert _snapshot(home) == before


@pytest.mark.parametrize("who", ["neighbour", "other clinic"])
def test_reusing_another_patients_client_id_stores_a_row_of_ones_own(home, away, clock,
                                                                     signed_in, who):
    other = home.neighbour if who == "neighbour" else away.patient
    browser = signed_in(other.user)
    theirs = (home.response.id, home.response.patient_id, home.response.total,
              list(home.response.answers))
    body = {**_phq9_body(clock), "client_id": str(home.response.client_id), "answers": [0] * 9}

    response = browser.api("POST", "/api/v1/phq9", json=body)

    assert response.status_code == 201  # a new row, not the other patient's
    created = response.get_json()
    assert created["id"] != home.response.id
    assert (created["total"], created["safety"]) == (0, False)
    db.session.expire_all()
    stored = db.session.get(Phq9Response, home.response.id)
    assert (stored.id, stored.patient_id, stored.total, list(stored.answers)) == theirs
    assert db.session.get(Phq9Response, created["id"]).patient_id == other.id


# --- nobody signed in -----------------------------------------------------------------------

@pytest.mark.parametrize(("method", "url"), [
    pytest.param("GET", lambda h: "/clinic/", id="queue"),
    *STAFF_ROUTES,
    *PHQ9_ROUTES,
])
def test_nobody_signed_in_reaches_nothing(home, client, clock, method, url):
    before = _snapshot(home)

    response = _call(client, method, url(home), data=_phq9_form(), json=_phq9_body(clock))

    target = url(home)
    if target.startswith("/api/"):
        assert response.status_code == 401
    else:
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]
    assert _snapshot(home) == before
