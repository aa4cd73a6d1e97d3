"""Every infusion form, submitted in real Chromium through the page's own controls: record (with
the unusual-dose confirmation), edit, delete, and start a maintenance series."""

import re
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.models import User
from app.extensions import db
from app.infusions.models import Infusion, SeriesKind, TreatmentSeries
from tests.browser.conftest import sign_in

CLINIC_ZONE = ZoneInfo("America/New_York")  # the browser clinic's (factories' default)


@pytest.fixture
def clinic_page(live, page):
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live, "clinician")
    page.goto(f"{live.url}/clinic/patients/{live.app.people['patient_id']}")
    return page


def _tomorrow(hour: int = 9) -> str:
    day = datetime.now(CLINIC_ZONE) + timedelta(days=1)
    return day.strftime(f"%Y-%m-%dT{hour:02d}:00")


def _infusions(live) -> list[Infusion]:
    with live.app.app_context():
        found = list(db.session.scalars(select(Infusion).order_by(Infusion.number)))
        db.session.expunge_all()
        return found


def _fill_dose(page, *, per_kg: str, mg: str, weight: str) -> None:
    page.get_by_label("Dose, mg/kg").fill(per_kg)
    page.get_by_label("Dose, mg", exact=True).fill(mg)
    page.get_by_label("Patient's weight, kg").fill(weight)


def _open_new_form(page) -> None:
    page.get_by_role("link", name="Record an infusion").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Record an infusion")
    page.get_by_label("Planned start").fill(_tomorrow())


def _row(page, number: int, series: str = "Induction"):
    """The row of infusion ``number`` in the table of the patient's ``series``."""
    table = page.get_by_role("region", name=re.compile(f"^{series} series"))
    return table.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=str(number), exact=True))


def _save(page) -> None:
    page.get_by_role("button", name="Save infusion").click()
    page.wait_for_load_state("load")


def test_record_an_infusion(live, clinic_page):
    page = clinic_page
    _open_new_form(page)
    _fill_dose(page, per_kg="0.5", mg="35", weight="70")
    _save(page)

    expect(page.get_by_role("status")).to_contain_text("Infusion 2 recorded.")
    row = _row(page, 2)
    expect(row).to_contain_text("0.5 mg/kg, 35 mg")
    expect(row).to_contain_text("70 kg")
    newest = _infusions(live)[-1]
    assert (newest.number, newest.dose_mg_per_kg, newest.dose_mg, newest.weight_kg) == (
        2, Decimal("0.5"), Decimal("35"), Decimal("70"))


def test_record_a_dose_that_does_not_match_the_weight(live, clinic_page):
    page = clinic_page
    _open_new_form(page)
    _fill_dose(page, per_kg="0.5", mg="400", weight="70")
    _save(page)

    expect(page.get_by_role("alert")).to_contain_text("Please check the form.")
    expect(page.get_by_label("Dose, mg", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#dose_mg-error")).to_have_text(
        "400 mg does not match 0.5 mg/kg for 70 kg, which is 35 mg. "
        "Check the dose and the weight.")
    assert len(_infusions(live)) == 1


def test_record_an_unusual_dose_needs_the_confirmation(live, clinic_page):
    page = clinic_page
    _open_new_form(page)
    _fill_dose(page, per_kg="2", mg="140", weight="70")
    expect(page.get_by_role("checkbox")).to_have_count(0)  # no box until it is needed
    _save(page)

    expect(page.locator("#confirm_dose-error")).to_contain_text(
        "2 mg/kg is outside the usual range of 0.1 to 1.5 mg/kg")
    assert len(_infusions(live)) == 1
    violations = Axe().run(page).response["violations"]
    assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == []
    box = page.get_by_role("checkbox", name="I have checked this dose")
    expect(box).not_to_be_checked()
    expect(page.get_by_label("Dose, mg", exact=True)).to_have_value("140")  # kept as typed
    box.check()
    _save(page)

    expect(page.get_by_role("status")).to_contain_text("Infusion 2 recorded.")
    expect(_row(page, 2)
           ).to_contain_text("unusual dose, confirmed")
    newest = _infusions(live)[-1]
    with live.app.app_context():
        clinician = db.session.scalar(select(User).where(
            User.email == live.app.people["clinician"]))
        [event] = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "infusion.dose_confirm"))
        assert (event.actor_id, event.target) == (clinician.id, f"infusion:{newest.id}")
        assert newest.dose_confirmed_by_id == clinician.id
        assert newest.dose_confirmed_at is not None


def test_edit_an_infusion(live, clinic_page):
    page = clinic_page
    page.get_by_role("link", name="Edit infusion 1").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Edit infusion 1")
    _fill_dose(page, per_kg="0.5", mg="40", weight="80")
    page.get_by_label("Notes").fill("steady throughout")
    _save(page)

    expect(page.get_by_role("status")).to_contain_text("Infusion updated.")
    expect(_row(page, 1)
           ).to_contain_text("0.5 mg/kg, 40 mg")
    page.get_by_role("link", name="Edit infusion 1").click()
    expect(page.get_by_label("Dose, mg", exact=True)).to_have_value("40")
    expect(page.get_by_label("Dose, mg/kg")).to_have_value("0.5")
    expect(page.get_by_label("Patient's weight, kg")).to_have_value("80")
    [stored] = _infusions(live)
    assert (stored.dose_mg, stored.weight_kg, stored.notes) == (
        Decimal("40"), Decimal("80"), "steady throughout")


def test_delete_an_infusion(live, clinic_page):
    page = clinic_page
    _open_new_form(page)
    _save(page)
    expect(page.get_by_role("status")).to_contain_text("Infusion 2 recorded.")

    page.get_by_role("link", name="Edit infusion 2").click()
    page.get_by_role("link", name="Delete infusion 2").click()  # asks first
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete infusion 2?")
    page.get_by_role("button", name="Delete infusion 2").click()
    expect(page.get_by_role("status")).to_contain_text("Infusion deleted.")
    assert [i.number for i in _infusions(live)] == [1]

    # Infusion 1 has a check-in after it: the page says so and keeps it.
    page.get_by_role("link", name="Edit infusion 1").click()
    page.get_by_role("link", name="Delete infusion 1").click()  # asks first
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete infusion 1?")
    page.get_by_role("button", name="Delete infusion 1").click()
    expect(page.get_by_role("status")).to_contain_text("cannot be deleted")
    assert [i.number for i in _infusions(live)] == [1]


def test_start_a_maintenance_series(live, clinic_page):
    page = clinic_page
    page.get_by_role("button", name="Start maintenance series").click()

    expect(page.get_by_role("status")).to_contain_text("Maintenance series started")
    expect(page.get_by_role("heading", name="Maintenance series")).to_be_visible()
    _open_new_form(page)
    _fill_dose(page, per_kg="0.5", mg="35", weight="70")
    _save(page)
    expect(page.get_by_role("status")).to_contain_text("Infusion 1 recorded.")
    with live.app.app_context():
        series = list(db.session.scalars(select(TreatmentSeries).order_by(TreatmentSeries.id)))
        assert [s.kind for s in series] == [SeriesKind.INDUCTION, SeriesKind.MAINTENANCE]
        newest = db.session.scalar(select(Infusion).order_by(Infusion.id.desc()).limit(1))
        assert (newest.series_id, newest.number) == (series[1].id, 1)
