"""Offboarding in real Chromium, through the new buttons (issue 12, point 9): an admin
deactivates a clinician (a confirmation page first: the CSP allows no inline script), the
clinician's open page is signed out and their sign-in refused with a clear message, the admin
reactivates them; a patient is discharged and re-admitted from their page."""

from sqlalchemy import select

from app.auth.models import Role, User
from app.auth.signing_in import DEACTIVATED_MESSAGE
from app.clinics.services import clinic_by_name
from app.extensions import db
from tests import factories
from tests.browser.conftest import sign_in


def _add_admin(live) -> str:
    with live.app.app_context():
        factories.staff(clinic_by_name("Browser Clinic"), Role.ADMIN, email="admin@browser.test")
    return "admin@browser.test"


def _sign_in_with(page, live, email: str) -> None:
    page.goto(f"{live.url}/login")
    page.fill("#email", email)
    page.fill("#password", factories.PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")


def _active(live, email: str) -> bool:
    with live.app.app_context():
        return db.session.scalar(select(User.active).where(User.email == email))


def test_an_admin_deactivates_and_reactivates_a_clinician(live, page, browser):
    admin_email, clinician_email = _add_admin(live), live.app.people["clinician"]
    their_context = browser.new_context()
    their_page = their_context.new_page()
    sign_in(their_page, live, "clinician")
    assert "/login" not in their_page.url
    _sign_in_with(page, live, admin_email)

    page.goto(f"{live.url}/clinic/staff")
    row = page.locator("tr", has_text=clinician_email)
    row.get_by_role("link", name="Deactivate").click()
    page.wait_for_load_state("networkidle")
    assert "/deactivate" in page.url and _active(live, clinician_email)  # asked, not done yet
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("networkidle")

    assert page.url.endswith("/clinic/staff")
    assert "is deactivated" in page.inner_text("main")
    assert "deactivated" in page.locator("tr", has_text=clinician_email).inner_text()
    assert not _active(live, clinician_email)

    their_page.reload()
    assert "/login" in their_page.url
    _sign_in_with(their_page, live, clinician_email)
    assert DEACTIVATED_MESSAGE in their_page.inner_text("main")

    page.locator("tr", has_text=clinician_email).get_by_role("button", name="Reactivate").click()
    page.wait_for_load_state("networkidle")
    assert _active(live, clinician_email)
    _sign_in_with(their_page, live, clinician_email)
    assert "/login" not in their_page.url
    their_context.close()

    # A password reset for them: the staff page's "New setup link" button shows a fresh link.
    with live.app.app_context():
        before = _setup_links(clinician_email)
    page.locator("tr", has_text=clinician_email).get_by_role(
        "button", name="New setup link").click()
    page.wait_for_selector("#link-heading")
    shown = page.inner_text(".link-box")
    assert "/setup/" in shown and page.locator(".qr svg").count() == 1
    with live.app.app_context():
        assert _setup_links(clinician_email) == before + 1


def _setup_links(email: str) -> int:
    from sqlalchemy import func

    from app.auth.models import SetupLink

    return db.session.scalar(select(func.count()).select_from(SetupLink).join(
        User, User.id == SetupLink.user_id).where(User.email == email))


def test_staff_discharge_and_readmit_a_patient_from_their_page(live, page):
    sign_in(page, live, "clinician")
    patient_page = f"{live.url}/clinic/patients/{live.app.people['patient_id']}"
    page.goto(patient_page)

    page.get_by_role("link", name="Discharge").click()
    page.wait_for_load_state("networkidle")
    assert "Discharge this patient?" in page.inner_text("h1")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("networkidle")

    assert page.url == patient_page
    assert "Discharged." in page.inner_text("#discharged")
    assert "walked home slowly" in page.inner_text("main")  # the record stays
    assert not _active(live, live.app.people["patient"])

    page.get_by_role("button", name="Re-admit").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#discharged").count() == 0
    assert _active(live, live.app.people["patient"])
