"""Who is signed in, and what each role may open.

The browser's signed session cookie carries only a random session token; the AuthSession row
decides whether it is still good (revoked, expired, idle too long). Flask-Login calls
``load_request_user`` once per request.
"""

import hmac
from dataclasses import dataclass
from functools import wraps

from flask import abort, current_app, g, redirect, request, session, url_for
from flask_login import current_user
from flask_login import login_required as _flask_login_required  # noqa: TID251

from app.auth.models import Role
from app.auth.services import REVOKED, ended_reason, live_session, outbox_account
from app.clock import utcnow
from app.extensions import login_manager

SESSION_TOKEN_KEY = "sid"  # noqa: S105  (a session key name, not a secret)
# Kept in the cookie from the first request after this device's session was revoked until the
# next sign-in, so every contact until then tells the device to forget what it keeps.
SIGNED_OUT_KEY = "signed_out"


def load_request_user(_request):
    token = session.get(SESSION_TOKEN_KEY)
    if not token:
        g.signed_out = session.get(SIGNED_OUT_KEY)
        return None
    auth_session = live_session(token, now=utcnow())
    if auth_session is None:
        session.pop(SESSION_TOKEN_KEY, None)
        if ended_reason(token) == REVOKED:
            session[SIGNED_OUT_KEY] = REVOKED
        g.signed_out = session.get(SIGNED_OUT_KEY)
        return None
    # A changed last-seen time is written with the request's own work, by the request's one
    # commit (app/database.py); an error answer rolls it back with the rest.
    g.auth_session = auth_session
    return auth_session.user


def signed_out_here() -> str | None:
    """``REVOKED`` when this device's session was ended from elsewhere (or its account
    deactivated) and nobody has signed in on it since; else None."""
    if not current_user.is_authenticated:
        return g.get("signed_out")
    return None


def device_account() -> str | None:
    """The signed-in patient's outbox account value (see ``outbox_account``); else None."""
    if current_user.is_authenticated and current_user.role == Role.PATIENT:
        return outbox_account(current_user.id, current_app.secret_key)
    return None


ACCOUNT_MISMATCH = "account_mismatch"


def refuse_entry_of_another_account(data: dict):
    """Takes the declared ``account`` out of an app entry; a 409 answer (nothing is stored)
    when it is not the signed-in person's, else None."""
    from app.api.errors import error_response

    declared = data.pop("account")
    if hmac.compare_digest(declared.encode(), (device_account() or "").encode()):
        return None
    return error_response(409, "This was saved on this device by another account, so it was "
                               "not stored in yours. Nothing was saved.",
                          reason=ACCOUNT_MISMATCH)


def forget_revoked_device(response):
    """A device signed out from elsewhere drops its saved check-ins, caches and service
    worker at its next contact (the page and the outbox also act on ``signed_out``)."""
    if g.get("signed_out") == REVOKED:
        response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


def unauthorized():
    """Not signed in: JSON 401 for the API, the sign-in page (then back here) for pages."""
    from app.api.errors import error_response, is_api_request

    if is_api_request():
        if signed_out_here() == REVOKED:
            return error_response(401, "This device was signed out. Sign in again.",
                                  reason=REVOKED)
        return error_response(401, "Sign in first.")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


@dataclass(frozen=True)
class Access:
    """Who may open a view, recorded on it by its access decorator, so what the API document
    says (``app.api.openapi``) is read from the check itself and cannot disagree with it.

    ``roles``: the only roles let in (the others get 403); empty: anyone signed in. A view
    without an ``Access`` needs no sign-in.
    """

    roles: tuple[str, ...] = ()


def access_of(view) -> Access | None:
    return getattr(view, "access", None)


def role_required(*roles: Role):
    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.access = Access(tuple(role.value for role in roles))
        return wrapped

    return decorate


def login_required(view):
    """Flask-Login's ``login_required`` (any signed-in person), recorded as an ``Access``."""
    wrapped = _flask_login_required(view)
    wrapped.access = Access()
    return wrapped


patient_required = role_required(Role.PATIENT)
staff_required = role_required(Role.CLINICIAN, Role.ADMIN)
admin_required = role_required(Role.ADMIN)
