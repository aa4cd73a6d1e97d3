"""The scripts' words reach them in the patient's language (issue 19): a Spanish page carries
a JSON data block of the scripts' messages (data, not code: the CSP stands), an English page
none; the service worker holds its own words for every language and precaches the offline
page in each; a signed-out page whose language the browser chose says Vary: Accept-Language;
and the check-in's age limit, a number from the settings, is said in the patient's language."""

import json
import re
import uuid
from datetime import timedelta

import pytest

from app.extensions import db
from app.pwa import script_words
from tests import factories
from tests.unit.test_translations import _catalog

BLOCK = re.compile(r'<script type="application/json" id="script-words">(.*?)</script>', re.S)
SPANISH = {"Accept-Language": "es-US,es;q=0.9"}


@pytest.fixture
def patient(app, clock):
    made = factories.patient(factories.clinic(), clock() - timedelta(days=3))
    factories.infusion(made, end=clock() - timedelta(days=1))
    return made


def _in(patient, language: str) -> None:
    patient.user.language = language
    db.session.commit()


def _block(html: str) -> dict | None:
    found = BLOCK.search(html)
    return json.loads(found.group(1)) if found else None


def test_a_spanish_page_hands_the_scripts_every_message_in_spanish(app, patient, signed_in):
    _in(patient, "es")
    html = signed_in(patient.user).get("/").get_data(as_text=True)
    words = _block(html)
    spanish = {m.id: m.string for m in _catalog() if m.id}
    with app.test_request_context("/"):
        wanted = set(script_words.page_messages())
    assert set(words) == wanted  # the scripts' messages, every one, and nothing else
    assert all(words[message] == spanish[message] != message for message in words)
    assert words["Reminders are off on this device."] == (
        "Los recordatorios están desactivados en este dispositivo.")
    assert len(html.encode()) < 60_000  # the patient pages' weight budget


def test_an_english_page_carries_no_words_block(app, patient, signed_in):
    _in(patient, "en")
    assert _block(signed_in(patient.user).get("/").get_data(as_text=True)) is None


def test_the_block_cannot_end_its_script_element(app, patient, signed_in):
    """tojson escapes <, > and &: no message can close the data block early."""
    _in(patient, "es")
    html = signed_in(patient.user).get("/checkin").get_data(as_text=True)
    assert "</" not in BLOCK.search(html).group(1)


def test_the_service_worker_has_its_words_and_an_offline_page_per_language(client):
    worker = client.get("/sw.js").get_data(as_text=True)
    words = json.loads(re.search(r"const WORDS = (.*);", worker).group(1))
    assert words == {"es": {"Time for your check-in": "Es hora de registrarse"}}
    assert json.loads(re.search(r"const OFFLINE_URLS = (.*);", worker).group(1)) == {
        "en": "/offline/en", "es": "/offline/es"}
    shell = json.loads(re.search(r"const SHELL = (.*);", worker).group(1))
    assert {"/offline/en", "/offline/es"} <= set(shell)
    for url in ("/offline/en", "/offline/es"):
        assert client.get(url).status_code == 200


def test_the_offline_page_in_each_language(client):
    spanish = client.get("/offline/es", headers={"Accept-Language": "en"})
    html = spanish.get_data(as_text=True)
    assert '<html lang="es">' in html and "¿Cómo se siente en este momento?" in html
    assert "No tiene conexión." in html and "Guardar registro" in html
    assert _block(html)["Saved on this phone; it will be sent when you are back online."] == (
        "Guardado en este teléfono; se enviará cuando vuelva a tener conexión.")
    assert "Accept-Language" not in spanish.headers.get("Vary", "")  # its path says it
    english = client.get("/offline/en", headers=SPANISH).get_data(as_text=True)
    assert '<html lang="en">' in english and "How are you right now?" in english
    assert "You are offline. Your check-in will be saved on this phone" in english
    assert _block(english) is None


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
