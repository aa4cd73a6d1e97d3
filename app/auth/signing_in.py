"""Signing a person in on this device, and where they go next: shared by every way in
(password, second factor, passkey, sign-in link, setup link) and by signing out."""

import re

from flask import current_app, request, session, url_for

from app.auth import known_devices, services
from app.auth.access import SESSION_TOKEN_KEY
from app.auth.devices import device_label
from app.auth.models import Role
from app.clock import utcnow
from app.i18n import N_

DEACTIVATED_MESSAGE = N_("This account is no longer active. If you think this is a mistake, "
                         "please contact your clinic.")


def home_for(user) -> str:
    return url_for("checkins.home" if user.role == Role.PATIENT else "flags.queue")


_LOCAL_PATH = re.compile(r"/(?![/\\])[\x21-\x7e]*")  # printable ASCII, no scheme, no host


def safe_next(target: str | None) -> str | None:
    """Only a path on this site; never a URL that could send the user elsewhere."""
    if target and _LOCAL_PATH.fullmatch(target) and "\\" not in target:
        return target
    return None


def sign_in(user):
    """A fresh session for this device (a new cookie, a new server row); returns the row."""
    lifetime, idle = services.session_limits(user.role, current_app.config)
    auth_session, token = services.start_session(
        user, now=utcnow(), lifetime=lifetime, idle_timeout=idle,
        device=device_label(request.user_agent.string))
    session.clear()
    session.permanent = True
    session[SESSION_TOKEN_KEY] = token
    return auth_session


def remember_device(response, email: str):
    """The sign-in limits' memory of this device (app/auth/known_devices.py)."""
    return known_devices.remember(response, email)


def forget_device(response):
    """The browser drops its caches, IndexedDB (the outbox) and the service worker."""
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response
