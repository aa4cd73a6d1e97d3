"""Every clinician page of the triage queue, the patient list, the patient page (and its
contact, enrollment and setup-link pages) and the clinic's reach shows no English to a
clinician whose language is Spanish (issue 19, staff side).

As for the patient pages (``tests/web/test_spanish_pages.py``, whose helpers these are), each
page is drawn twice through the test client, for the clinician in English and then in Spanish,
with the data a clinic has: open flags of several kinds (a safety answer, a severe headache, a
mood drop, not home safely, a side effect past a day, missed check-ins), acknowledged and
resolved ones, check-ins, PHQ-9s, and prompts sent by text (one refused by the provider) and
listed in the app. A page fails when a piece of its Spanish text of two words or more is also in
its English drawing, or when it holds the English of any catalog message of two words or more.
What the clinic or patient typed (names, notes, addresses) and the provider's own words are the
same in both languages and are left out. The trend charts are another part of issue 19's staff
side (the cohort and chart labels): their figures are left out of the patient page here.
"""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.flags.models import Flag
from app.flags.services import acknowledge, evaluate_patient, resolve
from app.prompts.services import mark_missed
from tests import factories, sms_provider
from tests.services.test_channels import END, PHONE, enrolled, run
from tests.sms_provider import Outcome
from tests.web.flag_support import answers_totalling, phq9
from tests.web.test_spanish_pages import SAME_IN_BOTH, english_left

PROVIDER_WORDS = "Invalid 'To' number"  # what the text provider said, shown as it came
NOTES = ("pounding since lunch", "Called her, safe", "Left a voicemail")


@pytest.fixture
def sms(app):
    provider = sms_provider.start()
    sms_provider.configure(app, provider)
    provider.send_callbacks = False
    yield provider
    provider.server.shutdown()


def _flag(patient, rule: str) -> Flag:
    return db.session.scalar(select(Flag).where(Flag.patient_id == patient.id,
                                                Flag.rule == rule))


@pytest.fixture
def world(app, clock, sms, push_service) -> dict:
    """A clinic whose clinician sees flags of six kinds, and prompts sent by text and listed
    in the app; the clock two days after the infusions that matter ended."""
    texted = enrolled(clock)  # a phone and consent to texts; infusion 1 ended at END
    sms.outcomes[PHONE] = Outcome(http_status=400, code=21211, message=PROVIDER_WORDS)
    clinic, clinician = texted.clinic, db.session.get(User, texted.created_by_id)
    made = {name: factories.patient(clinic, END - timedelta(days=10), by=clinician)
            for name in ("mood", "nausea", "missed", "safety", "plain")}
    mood = made["mood"]  # infusion 2: a baseline of 7 after infusion 1, then a bad day
    factories.infusion(mood, end=END - timedelta(days=7))
    factories.checkin(mood, taken_at=END - timedelta(days=7, hours=-2), mood=7)
    factories.infusion(mood, end=END)
    factories.checkin(mood, taken_at=END + timedelta(hours=2), mood=1, home_safely=False,
                      symptoms={"headache": 3}, note=NOTES[0])
    nausea = made["nausea"]
    factories.infusion(nausea, end=END)
    factories.checkin(nausea, taken_at=END + timedelta(hours=2), symptoms={"nausea": 1})
    factories.checkin(nausea, taken_at=END + timedelta(hours=25), symptoms={"nausea": 1})
    factories.infusion(made["missed"], end=END)
    for half_hours in range(62):  # the send job: texts to one, the app's list for the others
        run(END + timedelta(minutes=30 * half_hours))
    mark_missed(END + timedelta(hours=31))
    evaluate_patient(nausea, now=END + timedelta(hours=26))
    evaluate_patient(made["missed"], now=END + timedelta(hours=31))
    phq9(made["safety"], taken_at=END + timedelta(hours=40),
         answers=answers_totalling(12, item9=1))
    acknowledge(_flag(mood, "mood_drop"), by=clinician, now=END + timedelta(hours=3),
                note=NOTES[1])
    resolve(_flag(nausea, "persistent_symptom"), by=clinician, now=END + timedelta(hours=27),
            note=NOTES[2])
    db.session.commit()
    rules = {f.rule for f in db.session.scalars(select(Flag))}
    assert {"safety", "severe_symptom", "mood_drop", "not_home_safely", "persistent_symptom",
            "missed_checkins"} <= rules, rules
    clock.now = END + timedelta(hours=42)
    return {"clinician": clinician, "texted": texted, **made}


def _after(client, response) -> str:
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:300]
    return client.get(response.headers["Location"]).get_data(as_text=True)


def _pages(client, w: dict, language: str) -> dict[str, str]:
    """Every page of this part, drawn for the signed-in clinician ``client``."""
    def get(url):
        return client.get(url).get_data(as_text=True)

    def post(url, data=None):
        return client.form(url, data or {}).get_data(as_text=True)

    mood, texted, plain = w["mood"], w["texted"], w["plain"]
    urgent, closed = _flag(w["safety"], "safety"), _flag(w["nausea"], "persistent_symptom")
    pages = {url: get(url) for url in (
        "/clinic/", "/clinic/?status=resolved", "/clinic/?priority=high&status=acknowledged",
        "/clinic/?rule=phq9_worsening", f"/clinic/flags/{urgent.id}/resolve",
        f"/clinic/flags/{closed.id}/resolve", "/clinic/patients",
        "/clinic/patients?q=zzz", "/clinic/patients?sort=mood&order=desc&q=Patient",
        *(f"/clinic/patients/{w[name].id}" for name in ("mood", "texted", "missed", "safety",
                                                         "nausea", "plain")),
        f"/clinic/patients/{texted.id}/contact", "/clinic/patients/new", "/clinic/reach",
        f"/clinic/patients/{plain.id}/discharge", f"/clinic/patients/{plain.id}/sign-out")}
    pages["resolve without a note"] = post(f"/clinic/flags/{urgent.id}/resolve")
    pages["contact refused"] = post(f"/clinic/patients/{texted.id}/contact",
                                    {"sms_consent": "on", "preferred_channel": "sms"})
    pages["enroll refused"] = post("/clinic/patients/new", {"timezone": "Mars/Base"})
    pages["enrolled"] = post("/clinic/patients/new", {
        "display_name": f"New {language}", "email": f"new-{language}@x.test",
        "timezone": "America/New_York", "language": "es"})
    pages["new setup link"] = post(f"/clinic/patients/{texted.id}/setup-link")
    pages["setup link texted"] = post(f"/clinic/patients/{texted.id}/setup-link/send",
                                      {"channel": "sms"})
    pages["channel refused"] = _after(client, client.form(
        f"/clinic/patients/{plain.id}/setup-link/send", {"channel": "sms"}))
    flag = _flag(mood, "not_home_safely" if language == "en" else "severe_symptom")
    pages["acknowledged"] = _after(client, client.form(f"/clinic/flags/{flag.id}/acknowledge"))
    pages["nothing to do"] = _after(client, client.form(f"/clinic/flags/{closed.id}/resolve"))
    pages["contact saved"] = _after(client, client.form(
        f"/clinic/patients/{texted.id}/contact", {"phone": PHONE, "sms_consent": "on"}))
    pages["signed out"] = _after(client, client.form(f"/clinic/patients/{plain.id}/sign-out"))
    pages["discharged"] = _after(client, client.form(f"/clinic/patients/{plain.id}/discharge"))
    pages["re-admitted"] = _after(client, client.form(f"/clinic/patients/{plain.id}/readmit"))
    return pages


def _drawn(app, w: dict, language: str) -> dict[str, str]:
    w["clinician"].language = language
    db.session.commit()
    return _pages(factories.sign_in(app, w["clinician"]), w, language)


def _known(w: dict) -> set[str]:
    people = [w[name] for name in ("mood", "texted", "missed", "safety", "nausea", "plain")]
    clinician = w["clinician"]
    return SAME_IN_BOTH | set(NOTES) | {PROVIDER_WORDS, "America/New_York", "New en", "New es",
                                        clinician.name, clinician.email,
                                        clinician.clinic.name} | {
        text for p in people for text in (p.display_name, p.user.email)}


def test_no_clinician_page_shows_english_when_the_language_is_spanish(app, world):
    english = _drawn(app, world, "en")
    spanish = _drawn(app, world, "es")
    assert english_left(english, spanish, _known(world)) == {}


def test_the_spanish_queue_says_why_in_spanish(app, world):
    spanish = _drawn(app, world, "es")
    queue, patient = spanish["/clinic/"], spanish[f"/clinic/patients/{world['mood'].id}"]
    for words in ("Triaje", "Respuesta de seguridad (PHQ-9, pregunta 9)",
                  "PHQ-9, pregunta 9 = 1 (puntaje total 12)",
                  "Dolor de cabeza 3 (fuerte) a las 2 h",
                  "Estado de ánimo 1 frente a un valor basal de 7 a las 2 h",
                  "Llegó bien a casa: No a las 2 h", "hace 2 h", "Reconocer", "Resolver…"):
        assert words in queue, words
    assert "reconocida por " in patient and NOTES[1] in patient
    texted = spanish[f"/clinic/patients/{world['texted'].id}"]
    assert "Mensaje de texto falló" in texted and "21211: Invalid" in texted
    # Dates as Spanish writes them (Babel's CLDR patterns): the day and month in Spanish.
    assert re.search(r"(lun|mar|mié|jue|vie|sáb|dom) \d{1,2} (ene|feb|mar|abr|may|jun|jul|ago|"
                     r"sept|oct|nov|dic) 2026", texted)
