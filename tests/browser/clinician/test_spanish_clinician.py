"""A Spanish-speaking clinician in Chromium at a desk (issue 19, staff side): signs in, reads
the triage queue in Spanish (why each flag fired, in Spanish words), opens a patient's page and
resolves the urgent flag with the page's own controls (first without the note it needs, then
with it); axe finds nothing serious on any page; screenshots kept."""

import re
from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.flags.models import Flag, FlagStatus
from app.patients.models import Patient
from tests import factories
from tests.browser.conftest import serious_axe_problems, sign_in
from tests.web.flag_support import answers_totalling, phq9

NOTE = "La llamé: está a salvo, plan en marcha"


def _spanish_clinician_and_a_worrying_week(live) -> None:
    """The clinician reads Spanish; the fixture patient (a severe headache 3 h ago) also has a
    mood drop and a safety answer a day ago (urgent)."""
    now = datetime.now(UTC)
    with live.app.app_context():
        clinician = db.session.scalar(select(User).where(
            User.email == live.app.people["clinician"]))
        clinician.language = "es"
        db.session.commit()
        patient = db.session.get(Patient, live.app.people["patient_id"])
        phq9(patient, taken_at=now - timedelta(days=1), answers=answers_totalling(18, item9=2))
        factories.checkin(patient, taken_at=now - timedelta(hours=4), mood=1,
                          note="cannot get up")


def _safety_flag(live) -> Flag:
    with live.app.app_context():
        flag = db.session.scalar(select(Flag).where(Flag.rule == "safety"))
        db.session.expunge_all()
        return flag


def test_a_spanish_clinician_reads_the_queue_and_resolves_a_flag(live, desk, shots):
    _spanish_clinician_and_a_worrying_week(live)
    sign_in(desk, live, "clinician")
    desk.goto(f"{live.url}/clinic/")

    assert desk.locator("html").get_attribute("lang") == "es"
    expect(desk.get_by_role("heading", level=1)).to_have_text("Triaje")
    expect(desk.get_by_role("navigation", name="Principal")).to_contain_text("Pacientes")
    rows = desk.locator("table.queue tr.flag-row")
    expect(rows.first).to_contain_text("urgente")
    expect(rows.first).to_contain_text(
        "Respuesta de seguridad (PHQ-9, pregunta 9): PHQ-9, pregunta 9 = 2 (puntaje total 18)")
    expect(rows.first).to_contain_text("hace 24 h")
    queue = desk.locator("table.queue")
    expect(queue).to_contain_text("Dolor de cabeza 3 (fuerte) a las 2 h")
    expect(queue).to_contain_text("Descenso del estado de ánimo: Estado de ánimo 1")
    expect(queue).to_contain_text("walked home slowly")  # the patient's own words, as typed
    expect(desk.get_by_role("button", name=re.compile("^Reconocer")).first).to_be_visible()
    assert "Severe side effect" not in queue.inner_text()
    assert serious_axe_problems(desk) == []
    shots(desk, "triaje")

    desk.locator("table.queue th[scope=rowgroup] a").first.click()
    expect(desk.locator("#summary")).to_contain_text("Infusión 1 de 1 en la serie de inducción")
    expect(desk.locator("#summary")).to_contain_text("3 alertas abiertas")
    urgent = desk.locator("ol.open-flags li.open-flag").first
    expect(urgent).to_contain_text("urgente")
    expect(urgent).to_contain_text("abierta")
    assert serious_axe_problems(desk) == []
    shots(desk, "paciente")

    urgent.get_by_role("button", name="Resolver").click()  # the note it needs is missing
    expect(desk.get_by_role("alert")).to_contain_text("Revise el formulario.")
    expect(desk.locator("#note-error")).to_contain_text(
        "Escriba qué se hizo antes de resolver una alerta urgente o alta")
    expect(desk.get_by_role("heading", level=1)).to_contain_text(
        "Resolver: Respuesta de seguridad (PHQ-9, pregunta 9) de ")
    assert _safety_flag(live).status == FlagStatus.OPEN
    assert serious_axe_problems(desk) == []
    shots(desk, "resolver-sin-nota")

    desk.get_by_label("Qué se hizo").fill(NOTE)
    desk.get_by_role("button", name="Resolver").click()

    expect(desk.get_by_role("status")).to_contain_text("Alerta resuelta.")
    expect(desk.locator("#summary")).to_contain_text("2 alertas abiertas")
    flag = _safety_flag(live)
    assert (flag.status, flag.resolve_note) == (FlagStatus.RESOLVED, NOTE)
    history = desk.locator("section[aria-labelledby=flags-heading]")
    expect(history).to_contain_text("resuelta por ")
    expect(history).to_contain_text(NOTE)
    assert serious_axe_problems(desk) == []
    shots(desk, "resuelta")
