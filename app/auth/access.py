"""Who is signed in, and what each role may open.

The browser's signed session cookie carries only a random session token; the AuthSession row
decides whether it is still good (revoked, expired, idle too long). Flask-Login calls
``load_request_user`` once per request.
"""

from functools import wraps

from flask import abort, g, redirect, request, session, url_for
from flask_login import current_user

from app.auth.models import Role
from app.auth.services import live_session
from app.clock import utcnow
from app.extensions import db, login_manager

SESSION_TOKEN_KEY = "sid"  # noqa: S105  (a session key name, not a secret)


def load_request_user(_request):
    token = session.get(SESSION_TOKEN_KEY)
    if not token:
        return None
    auth_session = live_session(token, now=utcnow())
    if auth_session is None:
        session.pop(SESSION_TOKEN_KEY, None)
        return None
    if db.session.dirty:
        # Only the last-seen time changed; it is written before any work of the view starts.
        db.session.commit()
    g.auth_session = auth_session
    return auth_session.user


def unauthorized():
    """Not signed in: JSON 401 for the API, the sign-in page (then back here) for pages."""
    from app.api.errors import error_response, is_api_request

    if is_api_request():
        return error_response(401, "Sign in first.")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def role_required(*roles: Role):
    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorate


patient_required = role_required(Role.PATIENT)
staff_required = role_required(Role.CLINICIAN, Role.ADMIN)
admin_required = role_required(Role.ADMIN)
