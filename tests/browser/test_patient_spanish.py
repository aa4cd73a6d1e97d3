"""The patient journey in Spanish at 360x740 (issue 19, point 6): a phone whose browser
speaks Spanish (locale es-US) sees the sign-in page in Spanish, then a patient enrolled in
Spanish checks in through the page's own controls, sees the done page and the history, each
in Spanish with no English text of the catalog, and each passing axe."""

from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from tests import factories
from tests.browser.conftest import PHONE, serious_axe_problems
from tests.browser.patient_support import fits_the_screen_width, weekly_questionnaire_due
from tests.web.test_spanish_pages import SAME_IN_BOTH, _english_fragments

SEND = "form[data-checkin] button[type=submit]"


def _in_spanish(live) -> None:
    with live.app.app_context():
        user = db.session.scalars(select(User).where(
            User.email == live.app.people["patient"])).one()
        user.language = "es"
        db.session.commit()


def _english_on(page) -> set[str]:
    text = page.inner_text("body")
    for name in SAME_IN_BOTH:
        text = text.replace(name, " ")
    return {fragment for fragment in _english_fragments() if fragment in text}


def _check(page) -> None:
    assert page.locator("html").get_attribute("lang") == "es"
    assert fits_the_screen_width(page)
    assert _english_on(page) == set()
    assert serious_axe_problems(page) == []


def test_the_patient_journey_in_spanish_at_360(live, browser, shots):
    _in_spanish(live)
    weekly_questionnaire_due(live, due=False)  # the main button is the check-in at any hour
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                  device_scale_factor=2, locale="es-US")
    phone = context.new_page()
    try:
        phone.goto(f"{live.url}/login")
        assert phone.locator("h1").inner_text() == "Iniciar sesión"
        _check(phone)
        phone.fill("#email", live.app.people["patient"])
        phone.fill("#password", factories.PASSWORD)
        phone.click("main button[type=submit]")
        phone.wait_for_url(lambda url: "/login" not in url)
        phone.wait_for_load_state("networkidle")
        assert phone.locator("h1").inner_text().startswith("Hola, ")
        _check(phone)

        phone.click("[data-main-action]")
        phone.wait_for_url("**/checkin")
        assert phone.locator("h1").inner_text() == "¿Cómo se siente en este momento?"
        _check(phone)
        shots(phone, "form-es")
        phone.click("label[for=mood-7]")
        phone.click(SEND)
        phone.wait_for_url("**/checkins/*")
        assert "Gracias, su registro está guardado" in phone.inner_text("main")
        _check(phone)
        shots(phone, "done-es")

        phone.goto(f"{live.url}/history")
        assert phone.locator("h1").inner_text() == "Mis registros"
        assert "Estado de ánimo: 7 de 10." in phone.inner_text("main")
        _check(phone)
        shots(phone, "history-es")
    finally:
        context.close()
