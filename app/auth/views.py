"""Signing in and out, and setting a password from a one-time setup link."""

import re

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required

from app.audit.services import record as audit
from app.auth import schemas, services
from app.auth.access import SESSION_TOKEN_KEY
from app.auth.devices import device_label
from app.auth.models import Role
from app.clock import utcnow
from app.extensions import db, limiter
from app.forms import first_errors, load_form
from app.ratelimits import private_key, setup_limit

bp = Blueprint("auth", __name__, template_folder="templates")
SETUP_TOKEN_KEY = "setup_token"  # noqa: S105  (a session key name)


def home_for(user) -> str:
    return url_for("checkins.home" if user.role == Role.PATIENT else "flags.queue")


_LOCAL_PATH = re.compile(r"/(?![/\\])[\x21-\x7e]*")  # printable ASCII, no scheme, no host


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site; never a URL that could send the user elsewhere."""
    if target and _LOCAL_PATH.fullmatch(target) and "\\" not in target:
        return target
    return None


def sign_in(user) -> None:
    """A fresh session for this device (a new cookie, a new server row)."""
    lifetime, idle = services.session_limits(user.role, current_app.config)
    _auth_session, token = services.start_session(
        user, now=utcnow(), lifetime=lifetime, idle_timeout=idle,
        device=device_label(request.user_agent.string))
    session.clear()
    session.permanent = True
    session[SESSION_TOKEN_KEY] = token


def _login_email() -> str:
    return private_key("login", request.form.get("email", "").strip().lower()[:254])


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"],
               key_func=_login_email)
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    errors: dict = {}
    if request.method == "POST":
        data, errors = load_form(schemas.Login())
        if data:
            now = utcnow()
            user = services.authenticate(data["email"], data["password"])
            if user is None:
                known = services.user_by_email(data["email"])
                audit("auth.login_failed", now=now, actor=known,
                      clinic_id=known.clinic_id if known else None)
                db.session.commit()
                errors = {"_schema": ["That email and password do not match an account."]}
            else:
                sign_in(user)
                audit("auth.login", now=now, actor=user)
                db.session.commit()
                return redirect(_safe_next(request.args.get("next")) or home_for(user))
    status = 401 if errors and request.method == "POST" else 200
    return render_template("auth/login.html", errors=first_errors(errors),
                           email=request.form.get("email", "")), status


def forget_device(response):
    """The browser drops its caches, IndexedDB (the outbox) and the service worker."""
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.post("/logout")
@login_required
def logout():
    services.end_session(g.auth_session, now=utcnow())
    audit("auth.logout", now=utcnow(), actor=current_user)
    db.session.commit()
    session.clear()
    flash("You are signed out.")
    return forget_device(redirect(url_for("auth.login")))


@bp.post("/logout-everywhere")
@login_required
def logout_everywhere():
    now = utcnow()
    count = services.end_all_sessions(current_user, now=now)
    audit("auth.logout_everywhere", now=now, actor=current_user, sessions=count)
    db.session.commit()
    session.clear()
    flash("You are signed out on every device.")
    return forget_device(redirect(url_for("auth.login")))


@bp.get("/setup/<token>")
@setup_limit
def setup_link(token: str):
    """Keep the token in the session and drop it from the address bar and history."""
    session[SETUP_TOKEN_KEY] = token
    return redirect(url_for("auth.setup"))


@bp.route("/setup", methods=["GET", "POST"])
@setup_limit
def setup():
    now = utcnow()
    link = services.usable_setup_link(session.get(SETUP_TOKEN_KEY, ""), now=now)
    if link is None:
        session.pop(SETUP_TOKEN_KEY, None)
        return render_template("auth/setup_expired.html"), 410
    errors: dict = {}
    if request.method == "POST":
        data, errors = load_form(schemas.SetPassword())
        if data:
            user = services.complete_setup(link, data["password"], now=now)
            sign_in(user)
            audit("auth.password_set", now=now, actor=user)
            db.session.commit()
            return redirect(home_for(user))
    return render_template("auth/setup.html", user=link.user, errors=first_errors(errors),
                           min_length=schemas.PASSWORD_MIN_LENGTH), 422 if errors else 200
