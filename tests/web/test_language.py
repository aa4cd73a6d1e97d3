"""Each person's language (issue 19): chosen at enrollment, changed on /account, and before
sign-in the browser's Accept-Language; ``<html lang>`` follows it."""

import pytest

from app.extensions import db
from tests import factories


@pytest.fixture
def clinic(app):
    return factories.clinic()


@pytest.fixture
def patient(clinic, clock):
    return factories.patient(clinic, clock())


def test_signed_out_pages_follow_the_browsers_language(client):
    spanish = client.get("/login", headers={"Accept-Language": "es-US,es;q=0.9,en;q=0.5"})
    assert '<html lang="es">' in spanish.get_data(as_text=True)
    english = client.get("/login", headers={"Accept-Language": "fr-FR,en;q=0.5"})
    assert '<html lang="en">' in english.get_data(as_text=True)
    assert '<html lang="en">' in client.get("/login").get_data(as_text=True)


def test_a_signed_in_persons_language_wins_over_the_browsers(app, patient, signed_in):
    patient.user.language = "es"
    db.session.commit()
    page = signed_in(patient.user).get("/account", headers={"Accept-Language": "en"})
    assert '<html lang="es">' in page.get_data(as_text=True)


def test_a_patient_changes_their_language_on_the_account_page(app, patient, signed_in):
    browser = signed_in(patient.user)
    answer = browser.form("/account/language", {"language": "es"})
    assert answer.status_code == 303
    db.session.refresh(patient.user)
    assert patient.user.language == "es"
    assert '<html lang="es">' in browser.get("/account").get_data(as_text=True)


def test_a_language_not_offered_is_refused_in_words(app, patient, signed_in):
    answer = signed_in(patient.user).form("/account/language", {"language": "fr"})
    assert answer.status_code == 422
    assert "Choose one of the languages listed." in answer.get_data(as_text=True)
    db.session.refresh(patient.user)
    assert patient.user.language == "en"


def test_staff_choose_theirs_on_the_account_page_too(app, clinic, signed_in):
    clinician = factories.staff(clinic)
    answer = signed_in(clinician).form("/account/language", {"language": "es"})
    assert answer.status_code == 303
    db.session.refresh(clinician)
    assert clinician.language == "es"


def _enroll(client, **extra):
    return client.form("/clinic/patients/new", {"display_name": "Ana", "email": "ana@x.test",
                                                "timezone": "America/Chicago", **extra})


def test_the_language_is_chosen_at_enrollment(app, clinic, signed_in):
    from sqlalchemy import select

    from app.auth.models import User

    staff = signed_in(factories.staff(clinic))
    page = staff.get("/clinic/patients/new").get_data(as_text=True)
    assert '<select id="language" name="language"' in page
    assert '<option value="es" lang="es">Español</option>' in page
    assert _enroll(staff, language="es").status_code == 200
    ana = db.session.scalars(select(User).where(User.email == "ana@x.test")).one()
    assert ana.language == "es"


def test_enrollment_refuses_a_language_not_offered(app, clinic, signed_in):
    answer = _enroll(signed_in(factories.staff(clinic)), language="xx")
    assert answer.status_code == 422
    assert "Choose one of the languages listed." in answer.get_data(as_text=True)
