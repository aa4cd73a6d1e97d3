"""Every patient page in Spanish shows no English (issue 19, point 6).

Each page is drawn twice through the test client, for a patient whose language is English and
then Spanish. A page fails when a piece of its Spanish text (a text node, or the text of an
``aria-label``) of two words or more is also in its English drawing (a string nobody marked
for translation), or when it holds the English of any catalog message of two words or more.
Names, addresses and numbers the patient or clinic typed are the same in both languages and
are left out."""

import re
import uuid
from datetime import timedelta
from html.parser import HTMLParser

import pytest

from app.extensions import db
from tests import factories
from tests.unit.test_translations import _catalog

SAME_IN_BOTH = {"Aftercare", "PHQ-9", "988 Lifeline", "Chrome on Android", "Firefox on Windows"}
WORD = re.compile(r"[A-Za-zÁÉÍÓÚÑáéíóúñü]{2,}")


class _Text(HTMLParser):
    """The page's visible words: text outside script and style, and aria-label values."""

    def __init__(self):
        super().__init__()
        self.pieces: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        shown = ("aria-label", "title", "placeholder") + (
            ("content",) if ("name", "description") in attrs else ())
        self.pieces += [value for name, value in attrs if name in shown and value]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.pieces.append(" ".join(data.split()))


def _pieces(html: str, known: set[str]) -> set[str]:
    parser = _Text()
    parser.feed(html)
    found = set()
    for piece in parser.pieces:
        for name in known:
            piece = piece.replace(name, " ")
        if len(WORD.findall(piece)) >= 2:
            found.add(piece.strip())
    return found


def _english_fragments() -> set[str]:
    fragments = set()
    for message in _catalog():
        if not message.id:
            continue
        for text in (message.id if isinstance(message.id, tuple) else (message.id,)):
            text = re.sub(r"<[^>]+>|&\w+;", " ", text)
            for part in re.split(r"%\(\w+\)s", text):
                if len(WORD.findall(part)) >= 2 and part.strip() not in SAME_IN_BOTH:
                    fragments.add(" ".join(part.split()))
    return fragments


@pytest.fixture
def patient(app, clock):
    made = factories.patient(factories.clinic(phone="555-0142"), clock() - timedelta(days=8))
    factories.infusion(made, end=clock() - timedelta(days=2))
    factories.checkin(made, taken_at=clock() - timedelta(days=2, hours=-2), mood=5,
                      symptoms={"headache": 2, "nausea": 1})
    factories.checkin(made, taken_at=clock() - timedelta(days=1), mood=7)
    return made


def _checkin(client) -> str:
    answer = client.form("/checkin", {"client_id": str(uuid.uuid4()), "mood": "6",
                                      "symptom-headache": "1", "note": ""})
    assert answer.status_code == 303
    return answer.headers["Location"]


def _phq9(client, item9: int) -> str:
    data = {"client_id": str(uuid.uuid4()), **{f"item-{n}": "1" for n in range(1, 9)},
            "item-9": str(item9)}
    answer = client.form("/phq9", data)
    assert answer.status_code == 303, answer.get_data(as_text=True)[:300]
    return answer.headers["Location"]


def _pages(client) -> dict[str, str]:
    """Every patient page, drawn for the signed-in ``client``."""
    pages = {url: client.get(url).get_data(as_text=True)
             for url in ("/", "/checkin", "/history", "/progress", "/account", "/phq9",
                         "/no-such-page")}
    pages["check-in done"] = client.get(_checkin(client)).get_data(as_text=True)
    pages["check-in refused"] = client.form("/checkin", {"client_id": str(uuid.uuid4()),
                                                         "mood": "11"}).get_data(as_text=True)
    pages["phq9 done"] = client.get(_phq9(client, 0)).get_data(as_text=True)
    pages["phq9 crisis"] = client.get(_phq9(client, 2)).get_data(as_text=True)
    pages["phq9 refused"] = client.form("/phq9", {"client_id": str(uuid.uuid4())}).get_data(
        as_text=True)
    pages["revoke others"] = client.get("/account/sessions/revoke-others").get_data(
        as_text=True)
    return pages


def _drawn(app, patient, language: str) -> dict[str, str]:
    patient.user.language = language
    db.session.commit()
    return _pages(factories.sign_in(app, patient.user))


def test_no_patient_page_shows_english_when_the_language_is_spanish(app, patient):
    known = SAME_IN_BOTH | {patient.display_name, patient.user.email, "555-0142"}
    assert english_left(_drawn(app, patient, "en"), _drawn(app, patient, "es"), known) == {}


def english_left(english: dict[str, str], spanish: dict[str, str], known: set[str]) -> dict:
    """{page: the English text left in its Spanish drawing}: pieces its English drawing has
    too, and the English of catalog messages; ``known`` are names the same in both."""
    fragments = _english_fragments()
    problems = {}
    for page, html in spanish.items():
        assert '<html lang="es">' in html, page
        text = _pieces(html, known)
        same = text & _pieces(english[page], known)
        leaked = {f for f in fragments if any(f in piece for piece in text)}
        if same or leaked:
            problems[page] = sorted(same | leaked)
    return problems


def test_the_signed_out_pages_follow_a_spanish_browser(client):
    spanish = {"Accept-Language": "es-US,es;q=0.9"}
    fragments = _english_fragments()
    for url in ("/login", "/no-such-page"):
        text = _pieces(client.get(url, headers=spanish).get_data(as_text=True), SAME_IN_BOTH)
        assert {f for f in fragments if any(f in piece for piece in text)} == set(), url
        english = _pieces(client.get(url).get_data(as_text=True), SAME_IN_BOTH)
        assert text & english == set(), url


def test_the_phq9_is_the_published_spanish_version(app, patient):
    html = _drawn(app, patient, "es")["/phq9"]
    for words in ("Durante las últimas 2 semanas, ¿qué tan seguido ha tenido molestias debido "
                  "a los siguientes problemas?", "Poco interés o placer en hacer cosas",
                  "Se ha sentido decaído(a), deprimido(a) o sin esperanzas", "Ningún día",
                  "Varios días", "Más de la mitad de los días", "Casi todos los días"):
        assert words in html


def test_the_crisis_block_gives_988s_spanish_line(app, patient):
    html = _drawn(app, patient, "es")["phq9 crisis"]
    assert "988 Lifeline: llame o envíe un mensaje de texto al 988; para español, oprima 2" in html
    assert 'href="tel:988"' in html and 'href="sms:988"' in html
