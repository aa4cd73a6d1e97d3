"""Where a second factor is enforced: before any page when the clinic requires one, and again
(a step-up) before exports and settings changes when the last one is older than 15 minutes."""

from functools import wraps
from urllib.parse import urlsplit

from flask import g, redirect, request, url_for
from flask_babel import gettext
from flask_login import current_user

from app.clock import utcnow
from app.mfa import services

# What a staff member may open before giving the second factor their clinic requires: the
# second-factor pages themselves, signing in and out, and assets with no patient data.
OPEN_BEFORE_SECOND_FACTOR = ("mfa.", "passkeys.", "auth.", "static", "pwa.", "health.",
                             "chart_assets.")
OPEN_ENDPOINTS = {"api.session_info", "api.openapi"}
SECOND_FACTOR_REQUIRED = "second_factor_required"


def _is_open(endpoint: str | None) -> bool:
    return endpoint is None or endpoint in OPEN_ENDPOINTS or endpoint.startswith(
        OPEN_BEFORE_SECOND_FACTOR)


def require_clinic_second_factor():
    """Run before every request: a staff session of a clinic that requires a second factor
    reaches nothing else until one was given in it (set up, or its code entered)."""
    if _is_open(request.endpoint) or not current_user.is_authenticated:
        return None
    if g.auth_session.second_factor_at is not None:
        return None
    if not services.requires_second_factor(current_user):
        return None
    return _ask_for_second_factor(setup=not services.has_second_factor(current_user))


def _ask_for_second_factor(*, setup: bool):
    from app.api.errors import error_response, is_api_request

    if is_api_request():
        return error_response(403, gettext("Give your second factor on the sign-in pages first."),
                              reason=SECOND_FACTOR_REQUIRED)
    target = "mfa.totp_setup" if setup else "mfa.verify"
    return redirect(url_for(target, next=_back_here()), code=303)


def _back_here() -> str:
    """Where to return once the code is given: this page, or for a form sent, the page it
    was sent from (the form is shown again, to be sent again)."""
    if request.method == "GET":
        return request.full_path.rstrip("?")
    referrer = urlsplit(request.referrer or "")
    if referrer.path.startswith("/") and referrer.netloc in ("", request.host):
        return referrer.path
    return request.path


def fresh_second_factor(view):
    """A step-up: someone with a second factor gives it again if this session's last one is
    older than ``services.STEP_UP_AFTER``. Put it under the view's access decorator."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_user.is_authenticated and services.has_second_factor(current_user) and \
                not services.is_fresh(g.auth_session, utcnow()):
            return _ask_for_second_factor(setup=False)
        return view(*args, **kwargs)

    return wrapped
