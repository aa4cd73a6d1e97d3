"""Inputs that once reached a 500 or a wrong place: each now gets a clear 4xx or is ignored."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.checkins.models import CheckIn
from app.extensions import db
from app.infusions.models import Infusion
from tests import factories


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def clinician(app, clock):
    return factories.staff(factories.clinic())


@pytest.mark.parametrize("path", [
    "/clinic/patients/99999999999999999999999",
    "/clinic/infusions/9223372036854775808/edit",
    "/checkins/99999999999999999999",
])
def test_ids_no_row_can_have_answer_404(app, clinician, signed_in, path):
    assert signed_in(clinician).get(path).status_code == 404


def test_a_huge_before_id_is_422(app, clock, signed_in):
    patient = factories.patient(factories.clinic(), clock())
    response = signed_in(patient.user).get("/api/v1/checkins?before_id=99999999999999999999")
    assert response.status_code == 422


@pytest.mark.parametrize("mood", ["²", "٣", "1e3", "99999999999999999999"])
def test_odd_digits_in_the_checkin_form_are_422(app, clock, signed_in, mood):
    patient = factories.patient(factories.clinic(), clock())
    response = signed_in(patient.user).form("/checkin", {"client_id": str(uuid.uuid4()),
                                                         "mood": mood})
    assert response.status_code == 422
    assert _count(CheckIn) == 0


@pytest.mark.parametrize("when", ["9999-12-31T23:59", "0001-01-01T00:00"])
def test_an_impossible_infusion_year_is_422(app, clock, clinician, signed_in, when):
    patient = factories.patient(clinician.clinic, clock(), by=clinician)
    response = signed_in(clinician).form(f"/clinic/patients/{patient.id}/infusions/new",
                                         {"planned_start": when, "route": "IV"})
    assert response.status_code == 422
    assert _count(Infusion) == 0


@pytest.mark.parametrize("target", ["/\t/evil.example", "//evil.example", "/\\evil.example",
                                    "https://evil.example", "/%0d%0aSet-Cookie:x"])
def test_login_never_redirects_off_site(app, clinician, target):
    client = app.test_client()
    response = client.form(f"/login?next={target}",
                           {"email": clinician.email, "password": factories.PASSWORD})
    assert response.status_code == 302
    assert response.location in ("/clinic/", target) and "evil" not in response.location


def test_forms_post_over_https_with_the_browsers_referer(app, clinician):
    """Flask-WTF checks the Referer on HTTPS; the referrer policy must let browsers send it."""
    client = app.test_client()
    page = client.get("/login", base_url="https://aftercare.test")
    assert page.headers["Referrer-Policy"] == "same-origin"
    token = client.get("/api/v1/session", base_url="https://aftercare.test").get_json()[
        "csrf_token"]
    response = client.post("/login", base_url="https://aftercare.test",
                           headers={"Referer": "https://aftercare.test/login"},
                           data={"csrf_token": token, "email": clinician.email,
                                 "password": factories.PASSWORD})
    assert response.status_code == 302
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_login_is_limited_per_email_as_well_as_per_address(app, clinician):
    for attempt in range(10):
        client = app.test_client()
        response = client.form("/login", {"email": clinician.email, "password": "wrong"},
                               environ_base={"REMOTE_ADDR": f"10.0.0.{attempt + 1}"})
        assert response.status_code == 401
    last = app.test_client().form("/login", {"email": clinician.email, "password": "wrong"},
                                  environ_base={"REMOTE_ADDR": "10.0.1.1"})
    assert last.status_code == 429


def test_a_late_checkin_answers_the_prompt_marked_missed_meanwhile(app, clock):
    from app.prompts.models import Prompt, PromptStatus
    from app.prompts.services import mark_missed

    clock.now = clock.now.replace(hour=23)  # 19:00 in New York: the 2 h prompt was daytime
    patient = factories.patient(factories.clinic(), clock())
    end = clock() - timedelta(hours=10)
    factories.infusion(patient, end=end)
    mark_missed(clock())
    db.session.commit()
    # Taken 2 h 30 min after the infusion, offline; it reaches the server hours later.
    factories.checkin(patient, taken_at=end + timedelta(hours=2, minutes=30), now=clock())

    two_hours = db.session.scalar(select(Prompt).where(Prompt.slot == "2h"))
    assert two_hours.status == PromptStatus.ANSWERED
