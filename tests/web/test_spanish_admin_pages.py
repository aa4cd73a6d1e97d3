"""Every staff page of issue 19 part B in Spanish shows no English: clinic settings and staff
admin, the session record, the infusion form, cohort trends, the audit log, the second-factor
pages and the confirmation pages (the helpers of ``test_spanish_pages``: a piece of Spanish text
of two words or more also in the English drawing, or any English catalog message, fails).

What is the same in both languages is left out: names, emails, the clinic's zone, and what the
audit log keeps as it was stored (event codes, targets, details) and the jobs' names. The chart
specs' words (titles, axes, legends, tables) come out in Spanish too, for the cohort and for a
patient's charts."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.models import Role
from app.clinics.settings import effective
from app.extensions import db
from app.trends import cohort_charts, patient
from jobs.schedule import JOBS
from tests import factories
from tests.web.flag_support import answers_totalling, phq9
from tests.web.mfa_support import RECOVERY_ON_PAGE, SECRET_ON_PAGE, code_at, give_totp
from tests.web.test_spanish_pages import (
    SAME_IN_BOTH,
    WORD,
    _english_fragments,
    english_left,
)

ALERTING = ((186, 112), (150, 92), (128, 80))  # the first reading is over 180/110


@pytest.fixture
def world(app, clock):
    """An admin, a clinician with an authenticator, six patients whose infusion ended three
    days ago (check-ins with side effects, PHQ-9s, a session record with an alert reading and
    an adverse event), so the cohort shows its figures."""
    now = clock()
    clinic = factories.clinic(phone="555-0142")
    admin = factories.staff(clinic, Role.ADMIN)
    clinician = factories.staff(clinic)
    give_totp(clinician, clock)
    patients, infusions = [], []
    for index in range(6):
        made = factories.patient(clinic, now - timedelta(days=20), by=admin)
        end = now - timedelta(days=3)
        infusion = factories.infusion(made, end=end, by=admin)
        factories.session_record(infusion, readings=ALERTING, what="Vomited once")
        factories.checkin(made, taken_at=end + timedelta(hours=2), mood=index + 2,
                          symptoms={"headache": 2, "nausea": 1 if index < 5 else 0})
        factories.checkin(made, taken_at=end + timedelta(hours=30), mood=6,
                          symptoms={"headache": 0, "nausea": 0})
        phq9(made, taken_at=end - timedelta(hours=3), answers=answers_totalling(20))
        phq9(made, taken_at=end + timedelta(hours=40), answers=answers_totalling(8))
        patients.append(made)
        infusions.append(infusion)
    alone = factories.patient(clinic, now - timedelta(days=20), by=admin)
    factories.infusion(alone, end=now - timedelta(days=10), by=admin)
    factories.checkin(alone, taken_at=now - timedelta(days=10, hours=-2), mood=3,
                      symptoms={"headache": 3})
    return {"clinic": clinic, "admin": admin, "clinician": clinician, "patients": patients,
            "infusions": infusions, "alone_day": (now - timedelta(days=10)).date().isoformat(),
            "alone": alone}


def _settings_form(clinic, **changes) -> dict:
    """The settings form as the page fills it, with ``changes``."""
    db.session.refresh(clinic)
    values = {k: (", ".join(map(str, v)) if isinstance(v, list) else str(v).lower()
                  if isinstance(v, bool) else str(v)) for k, v in effective(clinic).items()}
    return {**values, "phone": clinic.phone, "timezone": clinic.timezone, **changes}


def _admin_pages(client, world) -> dict[str, str]:
    member, infusion = world["clinician"], world["infusions"][0]
    pid = world["patients"][0].id
    html = {}

    def get(name, url):
        answer = client.get(url)
        assert answer.status_code in (200, 422), (name, answer.status_code)
        html[name] = answer.get_data(as_text=True)

    def post(name, url, data, follow=True):
        answer = client.form(url, data, follow_redirects=follow)
        assert answer.status_code in (200, 422), (name, answer.status_code)
        html[name] = answer.get_data(as_text=True)

    clinic = world["clinic"]
    delay = int(_settings_form(clinic)["reminder_delay_hours"])
    post("settings saved", "/clinic/settings",
         _settings_form(clinic, reminder_delay_hours=str(delay + 1)))
    post("settings refused", "/clinic/settings", _settings_form(
        clinic, phone="x", checkin_ladder_hours="2, 2", quiet_hours_start="25:00",
        quiet_hours_end="25:00", severe_from="9", spo2_alert_below="20"))
    get("staff", "/clinic/staff")
    post("staff refused", "/clinic/staff", {"name": "", "email": "no", "role": "clinician"})
    post("staff setup link", f"/clinic/staff/{member.id}/setup-link", {})
    get("deactivate", f"/clinic/staff/{member.id}/deactivate")
    get("reset second factor", f"/clinic/staff/{member.id}/second-factor/reset")
    get("session", f"/clinic/infusions/{infusion.id}/session")
    post("session reading", f"/clinic/infusions/{infusion.id}/session/readings", {
        "taken_at": "2026-03-10T09:00", "phase": "40min", "systolic": "190",
        "diastolic": "100", "heart_rate": "80", "spo2": "85"})
    post("session refused", f"/clinic/infusions/{infusion.id}/session/readings", {
        "taken_at": "", "phase": "x", "systolic": "400", "diastolic": "", "heart_rate": "x",
        "spo2": ""})
    post("observation refused", f"/clinic/infusions/{infusion.id}/session/observations", {
        "observed_at": "9999-01-01T00:00", "dissociation": "x", "sedation": ""})
    post("event refused", f"/clinic/infusions/{infusion.id}/session/events", {
        "occurred_at": "x", "what": "", "action_taken": ""})
    post("discharge refused", f"/clinic/infusions/{infusion.id}/session/discharge", {
        "discharged_at": "", "stable": "maybe"})
    get("new infusion", f"/clinic/patients/{pid}/infusions/new")
    get("edit infusion", f"/clinic/infusions/{infusion.id}/edit")
    post("unusual dose", f"/clinic/infusions/{infusion.id}/edit", {
        "planned_start": "2026-03-12T09:00", "dose_mg_per_kg": "2.5", "weight_kg": "70",
        "route": "IV", "notes": ""})
    post("dose mismatch", f"/clinic/patients/{pid}/infusions/new", {
        "planned_start": "2026-03-12T09:00", "actual_end": "2026-03-12T09:40",
        "dose_mg_per_kg": "0.5", "dose_mg": "50", "weight_kg": "70", "route": "IV"})
    get("delete infusion", f"/clinic/infusions/{infusion.id}/delete")
    get("cohort", "/clinic/cohort")
    get("cohort refused", "/clinic/cohort?start=2026-03-10&end=2026-03-01")
    get("cohort withheld", f"/clinic/cohort?start={world['alone_day']}&end={world['alone_day']}")
    get("audit", "/clinic/audit")
    get("audit refused", "/clinic/audit?start=2026-03-10&end=2026-03-01")
    get("authenticator", "/account/authenticator")
    post("authenticator refused", "/account/authenticator", {"code": "000000"})
    return html


def _clinician_pages(client, clock, recovery_code: str) -> dict[str, str]:
    """The step-up page (a clinician with an authenticator whose factor is not fresh), passed
    with a recovery code; the new-authenticator page with that code's flash; the recovery
    codes of a new authenticator."""
    html = {"step-up": client.get("/second-factor").get_data(as_text=True),
            "step-up refused": client.form("/second-factor", {"code": "000000"}).get_data(
                as_text=True)}
    assert client.form("/second-factor", {"code": recovery_code}).status_code == 303
    page = client.get("/account/authenticator")
    assert page.status_code == 200
    html["authenticator after a recovery code"] = page.get_data(as_text=True)
    secret = SECRET_ON_PAGE.search(page.text).group(1)
    done = client.form("/account/authenticator", {"code": code_at(secret, clock())})
    assert RECOVERY_ON_PAGE.findall(done.text)
    html["recovery codes"] = done.get_data(as_text=True)
    return html


def _stored_words() -> set[str]:
    """What the audit log shows as it was stored: codes, targets, ``key=value`` details."""
    kept = set()
    for event in db.session.scalars(select(AuditEvent)):
        kept |= {event.action, event.target}
        kept |= {f"{k}={v}" for k, v in (event.detail or {}).items()}
    return {k for k in kept if k}


def _known(world) -> set[str]:
    everyone = [*world["patients"], world["alone"]]
    people = [world["admin"], world["clinician"], *[p.user for p in everyone]]
    return (SAME_IN_BOTH | {world["clinic"].name, world["clinic"].timezone, "555-0142",
                            "Vomited once", "Reassured"}
            | {p.name for p in people} | {p.display_name for p in everyone}
            | {p.email for p in people} | {job.name for job in JOBS} | _stored_words())


def _drawn(app, world, language: str) -> dict[str, str]:
    for user in (world["admin"], world["clinician"]):
        user.language = language
    db.session.commit()
    return _admin_pages(factories.sign_in(app, world["admin"]), world)



def test_no_admin_page_shows_english_when_the_language_is_spanish(app, world):
    english = _drawn(app, world, "en")
    spanish = _drawn(app, world, "es")
    assert "Saved 1 change(s): Reminder after, hours changed from" in english["settings saved"]
    assert "Se guardaron 1 cambio(s): Recordatorio después de, horas cambió de" in spanish[
        "settings saved"]
    assert "Presión arterial igual o mayor que 180/110 mmHg" in spanish["session"]
    assert "Dosis inusual." in spanish["unusual dose"]
    assert "Tendencias de la cohorte" in spanish["cohort"]
    assert "Cambió un ajuste de la clínica" in spanish["audit"]
    assert english_left(english, spanish, _known(world)) == {}


def test_the_second_factor_pages_are_in_spanish(app, world, clock):
    drawn = {}
    for language in ("en", "es"):
        world["clinician"].language = language
        _secret, codes = give_totp(world["clinician"], clock)  # a new one each time
        client = factories.sign_in(app, world["clinician"])
        drawn[language] = _clinician_pages(client, clock, codes[0])
    assert "Confirme que es usted" in drawn["es"]["step-up"]
    assert "Usó un código de recuperación: le quedan 9." in drawn["es"][
        "authenticator after a recovery code"]
    assert "Sus códigos de recuperación" in drawn["es"]["recovery codes"]
    assert "Ese código no es correcto o ya se usó." in drawn["es"]["step-up refused"]
    assert english_left(drawn["en"], drawn["es"], _known(world)) == {}


def _words(spec: dict) -> list[str]:
    """Every word a chart shows: its title, axes, legend, table caption, columns and the text
    of its cells."""
    found = [spec["title"], spec["x"]["title"], spec["y"]["title"],
             *[d["label"] for d in spec["datasets"]], spec["table"]["caption"],
             *spec["table"]["columns"], *[c for r in spec["table"]["rows"] for c in r
                                          if isinstance(c, str)],
             *[p.get("name", "") for d in spec["datasets"] for p in d["data"]
               if isinstance(p, dict)]]
    return [w for w in found if w] + ([spec["note"]] if spec.get("note") else [])


def _specs(app, world, language: str) -> dict[str, dict]:
    world["admin"].language = language
    db.session.commit()
    client = factories.sign_in(app, world["admin"])
    pid = world["patients"][0].id
    specs = {f"cohort {n}": client.get(f"/api/v1/cohort/{n}").get_json()
             for n in cohort_charts.NAMES}
    specs |= {f"patient {n}": client.get(f"/api/v1/patients/{pid}/charts/{n}").get_json()
              for n in patient.NAMES}
    day = world["alone_day"]
    specs |= {f"withheld {n}": client.get(f"/api/v1/cohort/{n}?start={day}&end={day}"
                                          ).get_json() for n in cohort_charts.NAMES}
    return specs


def test_every_chart_specs_words_are_in_spanish(app, world):
    english, spanish = _specs(app, world, "en"), _specs(app, world, "es")
    fragments = _english_fragments()
    assert spanish["cohort mood"]["title"] == "Estado de ánimo promedio por horas desde la infusión"
    assert spanish["patient blood-pressure"]["datasets"][0]["label"] == "Sistólica antes"
    assert spanish["cohort side-effects"]["datasets"][0]["label"] in ("Dolor de cabeza",
                                                                     "Náuseas")
    assert english["cohort mood"]["title"] == "Average mood by hours since infusion"
    problems = {}
    for name, spec in spanish.items():
        words = set(_words(spec))
        theirs = set(_words(english[name]))
        same = {w for w in words & theirs if len(WORD.findall(w)) >= 2}
        leaked = {f for f in fragments if any(f in w for w in words)}
        if same or leaked:
            problems[name] = sorted(same | leaked)
    assert problems == {}
