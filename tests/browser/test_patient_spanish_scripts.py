"""What the scripts say, in Spanish, at 360x740 in Chromium (issue 19): a patient enrolled in
Spanish on a phone whose browser speaks English sees the reminders section's states, the
offline save and its status line, the offline page the service worker answers with, and the
"sent" line, each in Spanish, with no English text of the catalog, and each passing axe."""

from tests.browser.conftest import (
    PHONE,
    eventually,
    serious_axe_problems,
    sign_in,
    status_says,
    wait_for_service_worker,
)
from tests.browser.patient_support import Taps, fits_the_screen_width
from tests.browser.test_patient_spanish import _english_on, _in_spanish

SEND = "form[data-checkin] button[type=submit]"
REMINDERS = "#reminders"


def _check(page) -> None:
    assert page.locator("html").get_attribute("lang") == "es"
    assert fits_the_screen_width(page)
    assert _english_on(page) == set()
    assert serious_axe_problems(page) == []


def _state(page, state: str) -> str:
    page.wait_for_selector(f"{REMINDERS}[data-state={state}]", timeout=15_000)
    return page.inner_text(f"{REMINDERS} [data-state-text]")


def test_the_scripts_speak_the_patients_spanish(live, browser, shots):
    _in_spanish(live)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                  device_scale_factor=2, locale="en-US")
    phone = context.new_page()
    try:
        sign_in(phone, live, "patient")
        phone.goto(f"{live.url}/")
        assert _state(phone, "off") == (
            "Los recordatorios están desactivados en este dispositivo.")
        _check(phone)
        phone.locator(f"{REMINDERS} [data-turn-on]").tap()  # headless Chromium refuses
        assert _state(phone, "blocked").startswith("Su navegador bloquea los recordatorios.")
        assert phone.inner_text(f"{REMINDERS} [data-message]").startswith(
            "Sin su permiso, Aftercare no puede enviarle recordatorios.")
        _check(phone)
        shots(phone, "reminders-blocked-es")

        phone.goto(f"{live.url}/checkin")
        wait_for_service_worker(phone)
        # The service worker knows the patient's language (kept on the device by the pages),
        # not the browser's: a push without words of its own is shown in Spanish.
        worker = next(w for w in phone.context.service_workers if w.url.endswith("/sw.js"))
        assert worker.evaluate("deviceLanguage()") == "es"
        assert worker.evaluate("t('Time for your check-in', 'es')") == "Es hora de registrarse"
        assert worker.evaluate("browserLanguage()") == "en"
        # It keeps the Spanish offline page (and its words), not the English one.
        assert eventually(phone, "caches.match('/offline/es').then(hit => !!hit)")
        assert eventually(phone, "caches.match('/offline/en').then(hit => !hit)")
        phone.context.set_offline(True)
        tap = Taps(phone)
        tap("label[for=mood-7]")
        tap(SEND)
        phone.wait_for_selector("[data-saved]:not([hidden])")
        message = phone.inner_text("[data-saved-message]")
        assert message.startswith("Guardado en este teléfono a las "), message
        assert message.endswith(". Se enviará cuando vuelva a tener conexión."), message
        status_says(phone, "Guardado en este teléfono; se enviará cuando vuelva a tener "
                           "conexión.")
        _check(phone)
        shots(phone, "saved-offline-es")

        # Still offline, a page opened from the phone: the service worker's offline page, in
        # the patient's language (the browser's is English).
        phone.goto(f"{live.url}/checkin")
        phone.wait_for_selector("text=No tiene conexión.")
        assert phone.locator("h1").inner_text() == "¿Cómo se siente en este momento?"
        assert phone.locator(SEND).inner_text() == "Guardar registro"
        _check(phone)
        shots(phone, "offline-page-es")

        # Back online, this page's own "online" handler sends what it kept (navigating away
        # first would race it: the send could finish before the next page looks).
        phone.context.set_offline(False)
        status_says(phone, "Enviado. Gracias.")
        _check(phone)
    finally:
        context.close()
