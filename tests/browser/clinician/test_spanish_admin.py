"""A Spanish-speaking admin in real Chromium at 1366x900 (issue 19, staff side): changes a clinic
setting through the settings page's own controls and records an in-clinic session reading
through its form, reading Spanish words all the way (labels, messages, the change log, the
alert); axe finds nothing serious on any of the pages."""

from playwright.sync_api import expect
from sqlalchemy import select

from app.auth.models import Role, User
from app.clinics.settings import effective
from app.extensions import db
from app.infusions.models import Infusion
from app.monitoring.models import VitalReading
from tests import factories
from tests.browser.conftest import serious_axe_problems, sign_in


def _spanish_admin(live) -> tuple[int, int]:
    """The browser clinic's admin, whose language is Spanish; (admin id, infusion id)."""
    with live.app.app_context():
        clinician = db.session.scalar(select(User).where(
            User.email == live.app.people["clinician"]))
        admin = factories.staff(clinician.clinic, Role.ADMIN, email="admin.es@browser.test")
        admin.language = "es"
        db.session.commit()
        infusion = db.session.scalar(select(Infusion).where(
            Infusion.patient_id == live.app.people["patient_id"]))
        live.app.people["admin"] = admin.email
        return admin.id, infusion.id


def test_a_spanish_admin_changes_a_setting_and_records_a_reading(live, desk):
    admin_id, infusion_id = _spanish_admin(live)
    sign_in(desk, live, "admin")
    expect(desk.locator("html")).to_have_attribute("lang", "es")

    # Clinic settings, reached from the nav, changed with the page's own field and button.
    desk.get_by_role("navigation").get_by_role("link", name="Ajustes").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("Ajustes de Browser Clinic")
    assert serious_axe_problems(desk) == []
    field = desk.get_by_label("Recordatorio después de, horas")
    before = int(field.input_value())
    field.fill(str(before + 1))
    desk.get_by_role("button", name="Guardar los ajustes").click()
    expect(desk.get_by_role("status")).to_contain_text("Se guardaron 1 cambio(s):")
    expect(desk.locator("tbody.change-log")).to_contain_text(
        f"Recordatorio después de, horas cambió de {before} a {before + 1}")
    assert serious_axe_problems(desk) == []
    with live.app.app_context():
        assert effective(db.session.get(User, admin_id).clinic)["reminder_delay_hours"] == (
            before + 1)

    # The session record: a refused value in Spanish, then a high reading marked at once.
    desk.goto(f"{live.url}/clinic/infusions/{infusion_id}/session")
    expect(desk.get_by_role("heading", level=1)).to_contain_text(
        "Registro de la sesión: infusión 1")
    expect(desk.locator(".missing-phases")).to_contain_text("antes de la infusión")
    assert serious_axe_problems(desk) == []
    _reading(desk, "A los 40 minutos más o menos", "400", "82")
    expect(desk.locator("#systolic-error")).to_have_text(
        "La presión sistólica (el número de arriba) debe estar entre 60 y 260 mmHg. "
        "Revise la medición.")
    assert serious_axe_problems(desk) == []
    _reading(desk, "A los 40 minutos más o menos", "186", "112")
    expect(desk.get_by_role("status")).to_contain_text(
        "Se registró la medición. Alerta: Presión arterial igual o mayor que 180/110 mmHg.")
    expect(desk.locator(".session-alerts")).to_contain_text("Alertas durante esta sesión")
    expect(desk.locator("table.readings")).to_contain_text("A los 40 minutos más o menos")
    assert serious_axe_problems(desk) == []
    with live.app.app_context():
        [reading] = db.session.scalars(select(VitalReading)).all()
        assert (reading.phase, reading.systolic, reading.diastolic) == ("40min", 186, 112)
        assert reading.alert == "Blood pressure at or above 180/110 mmHg"  # stored as it was


def _reading(page, phase: str, systolic: str, diastolic: str) -> None:
    page.get_by_label("Momento de la sesión").select_option(label=phase)
    page.get_by_label("Sistólica (número de arriba), mmHg").fill(systolic)
    page.get_by_label("Diastólica (número de abajo), mmHg").fill(diastolic)
    page.get_by_label("Frecuencia cardíaca, latidos por minuto").fill("80")
    page.get_by_label("Saturación de oxígeno (SpO2), %").fill("97")
    page.get_by_role("button", name="Registrar la medición").click()
    page.wait_for_load_state("load")
