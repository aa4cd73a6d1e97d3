"""Helpers shared by the sign-in and account tests (test_auth.py, test_accounts.py)."""

import re
from urllib.parse import urlencode

from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.auth.access import SESSION_TOKEN_KEY
from app.auth.models import AuthSession, SetupLink, User
from app.extensions import db
from tests.factories import PASSWORD

NEW_PASSWORD = "a brand new password"
FAILED_LOGIN_MESSAGE = "That email and password do not match an account."
_SETUP_URL = re.compile(r"http://aftercare\.test/setup/([A-Za-z0-9_-]+)")


def login(client, email: str, password: str = PASSWORD, *, next_url: str | None = None):
    url = "/login" if next_url is None else "/login?" + urlencode({"next": next_url})
    # The CSRF token lives in the session, which signing in or out replaces: fetch a fresh one.
    client.csrf = ""
    response = client.form(url, {"email": email, "password": password})
    client.csrf = ""
    return response


PHONE = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/124.0.0.0 Mobile Safari/537.36")
LAPTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0"


def device(app, user, agent: str):
    """A client signed in through the real login form, as that browser."""
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = agent
    assert login(client, user.email).status_code == 302
    return client


def signed_in_role(client) -> str | None:
    """The role the client is signed in as, or None when it is not signed in."""
    body = client.get("/api/v1/session").get_json()
    return body["role"] if body["signed_in"] else None


def session_token(client) -> str | None:
    with client.session_transaction() as session:
        return session.get(SESSION_TOKEN_KEY)


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def sessions_of(user) -> list[AuthSession]:
    db.session.expire_all()
    return list(db.session.scalars(
        select(AuthSession).where(AuthSession.user_id == user.id).order_by(AuthSession.id)))


def unrevoked_sessions_of(user) -> list[AuthSession]:
    return [s for s in sessions_of(user) if s.revoked_at is None]


def setup_links_of(user) -> list[SetupLink]:
    db.session.expire_all()
    return list(db.session.scalars(
        select(SetupLink).where(SetupLink.user_id == user.id).order_by(SetupLink.id)))


def user_with_email(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def audit_events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def setup_token_in(response) -> str:
    """The token of the setup link shown on a page."""
    match = _SETUP_URL.search(response.get_data(as_text=True))
    assert match, "no setup link on the page"
    return match.group(1)


def open_setup_link(client, token: str):
    """Follow a setup link as a phone would: /setup/<token>, then the /setup page."""
    return client.get(f"/setup/{token}", follow_redirects=True)


def set_password(client, token: str, password: str = NEW_PASSWORD,
                 confirm: str | None = None):
    client.get(f"/setup/{token}")
    response = client.form("/setup", {"password": password,
                                      "confirm": password if confirm is None else confirm})
    client.csrf = ""  # a successful setup signs in, which starts a new session
    return response


def enroll(client, **fields):
    data = {"display_name": "Ada Lovelace", "email": "ada@x.test",
            "timezone": "America/Chicago", **fields}
    return client.form("/clinic/patients/new", data)
