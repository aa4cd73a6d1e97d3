"""The setup and password-change forms posted with every field the page itself puts in them.

The pages carry a hidden ``username`` input (autocomplete="username") so password managers
save the new password under the right account. A browser sends it; these tests read each
form's own fields from the page and send them too, as the browser does.
"""

from datetime import timedelta
from html.parser import HTMLParser

import pytest

from app.auth import setup_links
from app.auth.models import Role
from app.extensions import db
from tests import factories
from tests.web.auth_support import (
    NEW_PASSWORD,
    audit_events,
    login,
    signed_in_role,
    user_with_email,
)


class _FormFields(HTMLParser):
    """Named inputs (name -> value) of the page's forms, keyed by each form's action."""

    def __init__(self, path: str):
        super().__init__()
        self.path = path
        self.forms: dict[str, dict[str, str]] = {}
        self._current: dict[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._current = self.forms.setdefault(attrs.get("action") or self.path, {})
        elif tag == "input" and self._current is not None and attrs.get("name"):
            self._current[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def page_form(client, path: str, action: str | None = None) -> dict[str, str]:
    """The fields the form posting to ``action`` (default: the page itself) would send."""
    response = client.get(path)
    assert response.status_code == 200
    parser = _FormFields(path)
    parser.feed(response.get_data(as_text=True))
    return parser.forms[action or path]


@pytest.fixture
def clinic(app):
    return factories.clinic()


def _setup_token(clinic, email, role, clock) -> str:
    """A new account (no password yet) and the token of its setup link."""
    if role == Role.PATIENT:
        user = factories.patient(clinic, clock(), email=email, with_password=False).user
    else:
        user = factories.staff(clinic, role, email=email)
        user.password_hash = None
    token = setup_links.issue_setup_link(user, by=None, now=clock(),
                                           lifetime=timedelta(hours=72))
    db.session.commit()
    return token


@pytest.mark.parametrize("role", [Role.PATIENT, Role.CLINICIAN])
def test_setup_form_as_the_browser_sends_it_sets_the_password(app, clinic, clock, role):
    email = f"new-{role}@x.test"
    token = _setup_token(clinic, email, role, clock)
    browser = app.test_client()
    browser.get(f"/setup/{token}")
    fields = page_form(browser, "/setup")
    assert fields["username"] == email  # the password manager's hint is really in the form

    response = browser.post("/setup", data={
        **fields, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    assert response.status_code == 302, response.get_data(as_text=True)
    browser.csrf = ""
    assert signed_in_role(browser) == role
    assert login(app.test_client(), email, NEW_PASSWORD).status_code == 302


def test_the_username_hint_is_ignored_not_trusted(app, clinic, clock):
    """Whatever the hidden field says, the password is set on the link's own account."""
    token = _setup_token(clinic, "link-owner@x.test", Role.PATIENT, clock)
    other = factories.staff(clinic, Role.ADMIN, email="admin@x.test")
    browser = app.test_client()
    browser.get(f"/setup/{token}")
    fields = page_form(browser, "/setup")

    response = browser.post("/setup", data={
        **fields, "username": other.email, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    assert response.status_code == 302
    assert login(app.test_client(), "link-owner@x.test", NEW_PASSWORD).status_code == 302
    assert login(app.test_client(), other.email, NEW_PASSWORD).status_code == 401
    assert user_with_email(other.email).password_hash == other.password_hash


def test_any_other_unknown_field_is_still_refused_in_plain_words(app, clinic, clock):
    token = _setup_token(clinic, "pat@x.test", Role.PATIENT, clock)
    browser = app.test_client()
    browser.get(f"/setup/{token}")
    fields = page_form(browser, "/setup")

    response = browser.post("/setup", data={
        **fields, "role": "admin", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "The form sent something this page does not ask for" in html
    assert user_with_email("pat@x.test").password_hash is None


def test_setup_errors_appear_beside_their_field(app, clinic, clock):
    token = _setup_token(clinic, "pat@x.test", Role.PATIENT, clock)
    browser = app.test_client()
    browser.get(f"/setup/{token}")
    fields = page_form(browser, "/setup")

    response = browser.post("/setup", data={**fields, "password": "short", "confirm": "short"})

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert '<p class="error" id="password-error">Use 10 to 128 characters.</p>' in html
    assert 'aria-describedby="password-error"' in html


def test_password_change_as_the_browser_sends_it(app, clinic, clock):
    patient = factories.patient(clinic, clock(), email="pat@x.test")
    browser = app.test_client()
    assert login(browser, patient.user.email).status_code == 302
    fields = page_form(browser, "/account", "/account/password")
    assert fields["username"] == "pat@x.test"

    response = browser.post("/account/password", data={
        **fields, "current": factories.PASSWORD, "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD})

    assert response.status_code == 303, response.get_data(as_text=True)
    assert [e.actor_id for e in audit_events("auth.password_change")] == [patient.user_id]
    assert login(app.test_client(), "pat@x.test", NEW_PASSWORD).status_code == 302
    assert login(app.test_client(), "pat@x.test").status_code == 401


def test_password_change_errors_appear_beside_their_field(app, clinic, clock):
    patient = factories.patient(clinic, clock(), email="pat@x.test")
    browser = app.test_client()
    assert login(browser, patient.user.email).status_code == 302
    fields = page_form(browser, "/account", "/account/password")

    response = browser.post("/account/password", data={
        **fields, "current": factories.PASSWORD, "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD + "!"})

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert '<p class="error" id="confirm-error">The two passwords are not the same.</p>' in html
