"""The scripts' words reach them in the patient's language (issue 19): a Spanish page loads a
versioned script of the scripts' messages in Spanish before them (from this server: the CSP
stands), an English page none; the service worker holds its own words for every language and
keeps the offline page of one; a signed-out page whose language the browser chose says
Vary: Accept-Language; and the check-in's age limit, a number from the settings, is said in
the patient's language."""

import json
import re
import uuid
from datetime import timedelta

import pytest

from app.extensions import db
from app.pwa import script_words
from tests import factories
from tests.unit.test_translations import _catalog

WORDS_SCRIPT = re.compile(r'<script src="(/pwa/words/es\.js\?v=\w+)" defer></script>')
SPANISH = {"Accept-Language": "es-US,es;q=0.9"}


@pytest.fixture
def patient(app, clock):
    made = factories.patient(factories.clinic(), clock() - timedelta(days=3))
    factories.infusion(made, end=clock() - timedelta(days=1))
    return made


def _in(patient, language: str) -> None:
    patient.user.language = language
    db.session.commit()


def _words(client, html: str) -> dict | None:
    """The words script a page loads (before the app's scripts), as the dictionary it sets."""
    found = WORDS_SCRIPT.search(html)
    if not found:
        return None
    assert html.index(found.group(0)) < html.index('<script src="/static/pwa/outbox.js')
    body = client.get(found.group(1)).get_data(as_text=True)
    return json.loads(re.fullmatch(r"(?s)//[^\n]*\nwindow\.AftercareWords = (.*);\n", body)[1])


def test_a_spanish_page_loads_every_script_message_in_spanish(app, patient, signed_in):
    _in(patient, "es")
    phone = signed_in(patient.user)
    html = phone.get("/").get_data(as_text=True)
    words = _words(phone, html)
    spanish = {m.id: m.string for m in _catalog() if m.id}
    with app.test_request_context("/"):
        wanted = set(script_words.page_messages())
    assert set(words) == wanted  # the scripts' messages, every one, and nothing else
    assert all(words[message] == spanish[message] != message for message in words)
    assert words["Reminders are off on this device."] == (
        "Los recordatorios están desactivados en este dispositivo.")


def test_the_words_script_is_versioned_cached_and_compressed(app, patient, signed_in):
    _in(patient, "es")
    phone = signed_in(patient.user)
    url = WORDS_SCRIPT.search(phone.get("/checkin").get_data(as_text=True)).group(1)
    response = phone.get(url, headers={"Accept-Encoding": "gzip"})
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Cookie" not in response.headers.get("Vary", "")
    assert response.mimetype == "application/javascript"
    assert "Set-Cookie" not in response.headers  # the same for everyone
    assert url in client_worker(app)  # kept by the service worker for the offline page


def test_another_versions_words_address_is_sent_to_this_versions(app, patient, signed_in):
    """A page of an older (or newer) server asks for its own version: the answer is never
    cached for a year under an address whose words it does not hold."""
    _in(patient, "es")
    phone = signed_in(patient.user)
    current = WORDS_SCRIPT.search(phone.get("/checkin").get_data(as_text=True)).group(1)
    for other in ("/pwa/words/es.js?v=0123456789ab", "/pwa/words/es.js"):
        response = phone.get(other)
        assert response.status_code == 302
        assert response.headers["Location"] == current
        assert "immutable" not in response.headers["Cache-Control"]
        assert "Set-Cookie" not in response.headers


def client_worker(app) -> str:
    return app.test_client().get("/sw.js").get_data(as_text=True)


@pytest.mark.parametrize("page", ["/", "/checkin", "/progress"])
def test_a_spanish_first_load_stays_within_the_page_weight_budget(app, patient, signed_in, page):
    """As bench/page_weight.py counts it (compressed as sent), with the Spanish phone's
    offline page in place of the English one's."""
    from bench.page_weight import ACCEPT, BUDGET_BYTES, first_load

    _in(patient, "es")
    phone = signed_in(patient.user)
    sizes = dict(first_load(phone, page))
    sizes["/offline/en"] = len(phone.get("/offline/es", headers=ACCEPT).get_data())
    assert "/pwa/words/es.js" in sizes
    assert sum(sizes.values()) < BUDGET_BYTES, sizes


def test_an_english_page_loads_no_words_script(app, patient, signed_in):
    _in(patient, "en")
    html = signed_in(patient.user).get("/").get_data(as_text=True)
    assert "/pwa/words/" not in html


def test_the_service_worker_has_its_words_and_an_offline_page_per_language(client):
    worker = client.get("/sw.js").get_data(as_text=True)
    words = json.loads(re.search(r"const WORDS = (.*);", worker).group(1))
    assert words == {"es": {"Time for your check-in": "Es hora de registrarse"}}
    offline = json.loads(re.search(r"const OFFLINE = (.*);", worker).group(1))
    assert offline["en"] == ["/offline/en"]
    assert offline["es"][0] == "/offline/es" and offline["es"][1].startswith("/pwa/words/es.js")
    shell = json.loads(re.search(r"const SHELL = (.*);", worker).group(1))
    assert not any(url.startswith(("/offline", "/pwa/words")) for url in shell)  # one kept
    for url in (*offline["en"], *offline["es"]):
        assert client.get(url).status_code == 200


def test_the_offline_page_in_each_language(client):
    spanish = client.get("/offline/es", headers={"Accept-Language": "en"})
    html = spanish.get_data(as_text=True)
    assert '<html lang="es">' in html and "¿Cómo se siente en este momento?" in html
    assert "No tiene conexión." in html and "Guardar registro" in html
    assert _words(client, html)["Saved on this phone; it will be sent when you are back "
                                "online."] == (
        "Guardado en este teléfono; se enviará cuando vuelva a tener conexión.")
    assert "Accept-Language" not in spanish.headers.get("Vary", "")  # its path says it
    english = client.get("/offline/en", headers=SPANISH).get_data(as_text=True)
    assert '<html lang="en">' in english and "How are you right now?" in english
    assert "You are offline. Your check-in will be saved on this phone" in english
    assert _words(client, english) is None


def test_a_page_whose_language_the_browser_chose_varies_by_it(client):
    for url in ("/login", "/offline", "/no-such-page"):
        response = client.get(url, headers=SPANISH)
        assert "Accept-Language" in response.headers.get("Vary", ""), url
        assert '<html lang="es">' in response.get_data(as_text=True), url
    login = client.get("/login")
    assert {"Cookie", "Accept-Language"} <= {v.strip() for v in login.headers["Vary"].split(",")}


def test_a_signed_in_persons_page_depends_on_the_cookie_not_the_browser(patient, signed_in):
    response = signed_in(patient.user).get("/", headers=SPANISH)
    vary = {value.strip() for value in response.headers["Vary"].split(",")}
    assert "Cookie" in vary and "Accept-Language" not in vary
    assert '<html lang="en">' in response.get_data(as_text=True)


def _too_old(clock) -> dict:
    return {"client_id": str(uuid.uuid4()), "mood": 5, "symptoms": [], "note": "",
            "taken_at": (clock() - timedelta(days=8)).isoformat()}


@pytest.mark.parametrize(("language", "words"), [
    ("en", "Answers older than 7 days can no longer be sent."),
    ("es", "Ya no se pueden enviar respuestas de hace más de 7 días.")])
def test_the_age_limit_is_said_in_the_patients_language(patient, signed_in, clock, language,
                                                        words):
    _in(patient, language)
    answer = signed_in(patient.user).api("POST", "/api/v1/checkins", json=_too_old(clock))
    assert answer.status_code == 422
    assert answer.get_json()["error"]["fields"]["taken_at"] == [words]


def test_the_age_limit_follows_its_setting(app, patient, signed_in, clock):
    app.config["CHECKIN_MAX_AGE"] = timedelta(days=3)
    _in(patient, "es")
    body = _too_old(clock) | {"taken_at": (clock() - timedelta(days=4)).isoformat()}
    answer = signed_in(patient.user).api("POST", "/api/v1/checkins", json=body)
    assert answer.get_json()["error"]["fields"]["taken_at"] == [
        "Ya no se pueden enviar respuestas de hace más de 3 días."]
