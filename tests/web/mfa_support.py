"""Helpers for the second-factor tests: authenticator codes computed with pyotp, as the app on
a phone would."""

import re

import pyotp

from app.auth.models import Role
from app.clinics.services import update_settings
from app.extensions import db
from app.mfa import services as mfa_services
from tests.web.auth_support import login

SECRET_ON_PAGE = re.compile(r'<code data-totp-secret>([A-Z2-7]+)</code>')
RECOVERY_ON_PAGE = re.compile(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>")


def code_at(secret: str, now, *, steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(now.timestamp() + 30 * steps)


def set_up_totp(client, clock) -> tuple[str, list[str]]:
    """Set up an authenticator through /account/authenticator; (secret, recovery codes)."""
    page = client.get("/account/authenticator")
    assert page.status_code == 200, page.location
    secret = SECRET_ON_PAGE.search(page.text).group(1)
    done = client.form("/account/authenticator", {"code": code_at(secret, clock())})
    assert done.status_code == 200, done.text
    return secret, RECOVERY_ON_PAGE.findall(done.text)


def give_totp(user, clock) -> tuple[str, list[str]]:
    """An authenticator for ``user`` straight through the service (no pages)."""
    secret = mfa_services.new_totp_secret()
    codes = mfa_services.confirm_totp(user, secret, code_at(secret, clock()), now=clock())
    db.session.commit()
    return secret, codes


def sign_in_with_code(app, user, code: str, next_url=None):
    client = app.test_client()
    first = login(client, user.email, next_url=next_url)
    assert first.status_code == 303 and first.location == "/login/code"
    response = client.form("/login/code", {"code": code})
    client.csrf = ""  # signing in starts a new session, with a new CSRF token
    return client, response


def require_mfa(clinic, admin_role_user) -> None:
    assert admin_role_user.role == Role.ADMIN
    update_settings(clinic, {"require_staff_mfa": True}, by=admin_role_user,
                    now=admin_role_user.created_at)
    db.session.commit()
