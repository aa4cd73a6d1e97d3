"""Passkeys and authenticator codes through the real pages in Chromium.

Passkeys use the DevTools virtual authenticator (a platform authenticator with user
verification, keeping discoverable credentials), so the real WebAuthn ceremony runs:
navigator.credentials in the page, py_webauthn on the server. The pages are opened at
http://localhost (a secure context; an IP address cannot be a WebAuthn RP ID).
Authenticator codes are computed with pyotp from the key the set-up page shows.
"""

import time

import pyotp
import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db
from app.passkeys.models import Passkey
from tests import factories


@pytest.fixture
def site(live):
    live.url = live.url.replace("127.0.0.1", "localhost")
    return live


@pytest.fixture
def page_with_authenticator(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True}})
    page.authenticator = (cdp, added["authenticatorId"])
    yield page
    context.close()


def _password_sign_in(page, site, email: str) -> None:
    page.goto(f"{site.url}/login")
    page.fill("#email", email)
    page.fill("#password", factories.PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url or "/login/code" in url)
    page.wait_for_load_state("networkidle")


def _sign_out(page) -> None:
    page.click("form[data-logout] button")
    page.wait_for_url(lambda url: url.endswith("/login"))


def _logins(site) -> list[dict]:
    with site.app.app_context():
        return [e.detail for e in db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "auth.login").order_by(AuditEvent.id))]


@pytest.mark.parametrize("who, home", [("clinician", "/clinic/"), ("patient", "/")])
def test_a_passkey_added_on_account_signs_in_alone(site, page_with_authenticator, who, home):
    page = page_with_authenticator
    _password_sign_in(page, site, site.app.people[who])
    page.goto(f"{site.url}/account")
    page.fill("#passkey-name", "Work laptop")
    page.click("form[data-passkey-register] button")
    page.wait_for_selector("[data-passkey-list] input[value='Work laptop']")
    cdp, authenticator = page.authenticator
    [credential] = cdp.send("WebAuthn.getCredentials",
                            {"authenticatorId": authenticator})["credentials"]
    assert credential["isResidentCredential"] is True
    _sign_out(page)

    page.click("button[data-passkey-signin]")
    page.wait_for_url(f"{site.url}{home}")

    assert _logins(site)[-1]["second_factor"] == "passkey"
    with site.app.app_context():
        [stored] = db.session.scalars(select(Passkey))
        assert stored.name == "Work laptop" and stored.last_used_at is not None


def test_a_passkey_is_the_second_step_after_a_password(site, page_with_authenticator):
    page = page_with_authenticator
    _password_sign_in(page, site, site.app.people["clinician"])
    page.goto(f"{site.url}/account")
    page.fill("#passkey-name", "Desk key")
    page.click("form[data-passkey-register] button")
    page.wait_for_selector("[data-passkey-list]")
    _sign_out(page)

    _password_sign_in(page, site, site.app.people["clinician"])
    assert page.url.endswith("/login/code")
    page.click("button[data-passkey-signin]")
    page.wait_for_url(f"{site.url}/clinic/")

    assert _logins(site)[-1] == {"second_factor": "passkey", "after_password": True}


def test_authenticator_set_up_and_sign_in_through_the_pages(site, page_with_authenticator):
    page = page_with_authenticator
    _password_sign_in(page, site, site.app.people["clinician"])
    page.goto(f"{site.url}/account")
    page.click("text=Set up an authenticator app")
    secret = page.inner_text("[data-totp-secret]").strip()
    page.fill("#code", pyotp.TOTP(secret).now())
    page.click("form[data-totp-confirm] button[type=submit]")
    codes = page.locator("[data-recovery-codes] code").all_inner_texts()
    assert len(codes) == 10
    page.click("text=I have saved them, continue")
    _sign_out(page)

    _password_sign_in(page, site, site.app.people["clinician"])
    assert page.url.endswith("/login/code")
    # the next time step: the set-up's own code may not be used again
    page.fill("#code", pyotp.TOTP(secret).at(time.time() + 30))
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{site.url}/clinic/")

    assert _logins(site)[-1]["second_factor"] == "totp"
