"""Setting up an account and changing a password in real Chromium, through the pages' own forms.

Each page's form is filled and submitted as a person would (fill, click), so whatever the page
itself puts in the form (the hidden ``username`` for password managers, the CSRF token) is sent
as a browser sends it. The outcome is checked on the page and in the database.
"""

import pytest
from sqlalchemy import select

from app.auth.models import AuthSession, Role, SetupLink, User
from app.auth.services import authenticate
from app.extensions import db
from app.patients.models import Patient
from app.phq9.models import Phq9Response
from tests import factories

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}
CHOSEN = "my own long passphrase"
NEWER = "an even longer passphrase"


@pytest.fixture
def links_to_live(live):
    """Setup links name the live server, so the link a page shows is the link a person opens."""
    live.app.config["PUBLIC_BASE_URL"] = live.url
    return live


def _user(live, email: str) -> User:
    with live.app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        db.session.expunge(user)
        return user


def _password_is(live, email: str, password: str) -> bool:
    with live.app.app_context():
        return authenticate(email, password) is not None


def _sign_in_as(page, live, email: str, password: str) -> None:
    page.goto(f"{live.url}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")


def _shown_link(page) -> str:
    link = page.inner_text(".link-box").strip()
    assert link.startswith(page.url.split("/clinic")[0] + "/setup/")
    return link


def _set_password_on_the_page(page, password: str, confirm: str | None = None) -> None:
    page.fill("#password", password)
    page.fill("#confirm", password if confirm is None else confirm)
    page.click("text=Save and continue")
    page.wait_for_load_state("networkidle")


def test_a_patient_enrolled_at_the_desk_sets_up_on_a_phone_and_lands_signed_in(
        links_to_live, browser, page):
    live = links_to_live
    page.set_viewport_size(DESKTOP["viewport"])
    _sign_in_as(page, live, live.app.people["clinician"], factories.PASSWORD)

    # Enroll (the form's own fields), which shows the one-time link and its QR code.
    page.click("nav >> text=Enroll")
    page.fill("#display_name", "Grace Hopper")
    page.fill("#email", "grace@browser.test")
    page.fill("#timezone", "America/Chicago")
    page.click("text=Enroll and create setup link")
    page.wait_for_selector("h1:has-text('Grace Hopper is enrolled')")
    link = _shown_link(page)
    assert page.locator(".qr svg").count() == 1

    phone_context = browser.new_context(**PHONE)
    phone = phone_context.new_page()
    phone.goto(link)
    assert phone.url == f"{live.url}/setup"  # the token left the address bar
    assert "Welcome, Grace Hopper" in phone.inner_text("main")

    # A too-short password: said beside the password field, nothing stored.
    _set_password_on_the_page(phone, "short")
    assert phone.inner_text("#password-error") == "Use 10 to 128 characters."
    assert phone.get_attribute("#password", "aria-describedby") == "password-error"
    assert _user(live, "grace@browser.test").password_hash is None

    _set_password_on_the_page(phone, CHOSEN)
    assert phone.url == f"{live.url}/"
    assert phone.inner_text("h1") == "Hello, Grace Hopper"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert _password_is(live, "grace@browser.test", CHOSEN)
    with live.app.app_context():
        user = db.session.scalar(select(User).where(User.email == "grace@browser.test"))
        used = db.session.scalars(select(SetupLink.used_at).where(SetupLink.user_id == user.id))
        assert [at is not None for at in used] == [True]
        patient_id = db.session.scalar(select(Patient.id).where(Patient.user_id == user.id))

    # The weekly PHQ-9, answered on the phone through its radio buttons.
    phone.goto(f"{live.url}/phq9")
    for item in range(1, 10):
        phone.click(f"label[for=item-{item}-{1 if item < 9 else 0}]")
    phone.click("text=Submit answers")
    phone.wait_for_selector("h1:has-text('Thank you, your answers are saved')")
    with live.app.app_context():
        [response] = db.session.scalars(select(Phq9Response)
                                        .where(Phq9Response.patient_id == patient_id)).all()
        assert (response.answers, response.total) == ([1] * 8 + [0], 8)

    # At the desk: a new setup link makes the first one stop working ...
    page.goto(f"{live.url}/clinic/patients/{patient_id}")
    page.click("text=New setup link")
    page.wait_for_selector("h1:has-text('New setup link for Grace Hopper')")
    newer_link = _shown_link(page)
    assert newer_link != link
    stranger = phone_context.browser.new_context(**PHONE).new_page()
    stranger.goto(link)
    assert "Welcome" not in stranger.inner_text("main")
    stranger.context.close()

    # ... and "Sign out all devices" ends the phone's session.
    page.goto(f"{live.url}/clinic/patients/{patient_id}")
    page.click("text=Sign out all devices")
    page.wait_for_selector("text=Sign this patient out of every device?")  # asks first
    page.click("main button:has-text('Sign out of all devices')")
    page.wait_for_selector("text=Signed out of 1 device(s).")
    phone.goto(f"{live.url}/history")
    assert phone.url.startswith(f"{live.url}/login")
    phone_context.close()


def test_an_admin_adds_a_clinician_who_sets_up_on_a_desktop(links_to_live, browser, page):
    live = links_to_live
    clinician = _user(live, live.app.people["clinician"])
    with live.app.app_context():
        factories.staff(db.session.get(User, clinician.id).clinic, Role.ADMIN,
                        email="admin@browser.test")
    page.set_viewport_size(DESKTOP["viewport"])
    _sign_in_as(page, live, "admin@browser.test", factories.PASSWORD)

    page.click("nav >> text=Staff")
    page.fill("#name", "Dr Ada Byron")
    page.fill("#email", "ada@browser.test")
    page.select_option("#role", "clinician")
    page.click("text=Add and create setup link")
    page.wait_for_selector("h2:has-text('Setup link for Dr Ada Byron')")
    link = _shown_link(page)
    assert "setup link not used yet" in page.inner_text("tr:has-text('ada@browser.test')")

    desk = browser.new_context(**DESKTOP).new_page()
    desk.goto(link)
    assert "Welcome, Dr Ada Byron" in desk.inner_text("main")
    _set_password_on_the_page(desk, CHOSEN, CHOSEN + "!")
    assert desk.inner_text("#confirm-error") == "The two passwords are not the same."
    _set_password_on_the_page(desk, CHOSEN)
    assert desk.url == f"{live.url}/clinic/"
    assert desk.inner_text("h1") == "Triage"
    new_staff = _user(live, "ada@browser.test")
    assert (new_staff.role, new_staff.clinic_id) == (Role.CLINICIAN, clinician.clinic_id)
    assert _password_is(live, "ada@browser.test", CHOSEN)
    desk.context.close()

    page.reload()
    assert "active" in page.inner_text("tr:has-text('ada@browser.test')")


def _session_ids(live, email: str) -> list[int]:
    """The live (unrevoked) sessions of that person, oldest first."""
    with live.app.app_context():
        return list(db.session.scalars(
            select(AuthSession.id).join(User).where(User.email == email,
                                                    AuthSession.revoked_at.is_(None))
            .order_by(AuthSession.id)))


def _signed_out(page, live) -> bool:
    page.goto(f"{live.url}/history")
    return page.url.startswith(f"{live.url}/login")


def test_devices_and_a_password_change_on_the_account_page(live, browser):
    """Signing out one device, a password change (a mistake first), the new password signs
    in and the old one is refused, signing out every other device, then this one."""
    email = live.app.people["patient"]
    devices = []
    for _ in range(3):
        context = browser.new_context(**PHONE)
        devices.append(context.new_page())
        _sign_in_as(devices[-1], live, email, factories.PASSWORD)
    phone, lost, tablet = devices
    phone_session, lost_session, _tablet_session = _session_ids(live, email)

    phone.click("nav >> text=Account")
    assert phone.locator(".device").count() == 3
    phone.click(f".device[data-session='{lost_session}'] button")
    phone.wait_for_selector("text=Signed out of")
    assert phone.locator(".device").count() == 2
    assert _signed_out(lost, live)

    # A password change: the two new passwords differ, said beside the second one.
    phone.fill("#current", factories.PASSWORD)
    phone.fill("#password", NEWER)
    phone.fill("#confirm", NEWER + "?")
    phone.click("text=Change password")
    phone.wait_for_selector("#confirm-error")
    assert phone.inner_text("#confirm-error") == "The two passwords are not the same."
    assert _password_is(live, email, factories.PASSWORD)

    phone.fill("#current", factories.PASSWORD)
    phone.fill("#password", NEWER)
    phone.fill("#confirm", NEWER)
    phone.click("text=Change password")
    phone.wait_for_selector("text=Password changed. Every other device is signed out.")
    assert _session_ids(live, email) == [phone_session]
    assert _signed_out(tablet, live)

    # The old password is refused, the new one signs in.
    _sign_in_as(lost, live, email, factories.PASSWORD)
    assert "That email and password do not match an account." in lost.inner_text("main")
    assert lost.url.startswith(f"{live.url}/login")
    _sign_in_as(lost, live, email, NEWER)
    assert lost.url == f"{live.url}/"
    assert len(_session_ids(live, email)) == 2

    phone.goto(f"{live.url}/account")
    phone.get_by_role("link", name="Sign out of every other device").click()
    phone.get_by_role("heading", name="Sign out of every other device?").wait_for()
    assert _session_ids(live, email) != [phone_session]  # nothing yet: it asks first
    phone.get_by_role("button", name="Sign out of every other device").click()
    phone.wait_for_selector("text=Signed out of 1 other device(s).")
    assert _session_ids(live, email) == [phone_session]
    assert _signed_out(lost, live)

    phone.click(f".device[data-session='{phone_session}'] button")  # "Sign out here"
    phone.wait_for_selector("text=You are signed out.")
    assert _session_ids(live, email) == []
    for page in devices:
        page.context.close()
