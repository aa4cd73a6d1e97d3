"""Signing in and out, and setting a password from a one-time setup link."""

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
from flask_login import current_user

from app.audit.services import record as audit
from app.auth import known_devices, schemas, services, setup_links
from app.auth.access import forget_revoked_device, login_required
from app.auth.signing_in import (
    DEACTIVATED_MESSAGE,
    forget_device,
    home_for,
    remember_device,
    safe_next,
    sign_in,
)
from app.clock import utcnow
from app.database import commit_before_error_answer
from app.extensions import limiter
from app.forms import first_errors, load_form
from app.i18n import N_
from app.mfa import pending
from app.mfa import services as mfa_services
from app.ratelimits import setup_limit

bp = Blueprint("auth", __name__, template_folder="templates")
bp.after_app_request(forget_revoked_device)
SETUP_TOKEN_KEY = "setup_session"  # noqa: S105  (a session key name)


def _form_email() -> str:
    return request.form.get("email", "")[:254]


def _login_email() -> str:
    """The per-email counter's key: a keyed digest, so no email reaches the limiter's storage
    or its logs."""
    return "login:" + known_devices.account_digest(_form_email())


def _login_device() -> str:
    return "login-device:" + (known_devices.known_device_for(_form_email()) or "")


def _from_known_device() -> bool:
    return known_devices.known_device_for(_form_email()) is not None


def _from_unknown_device() -> bool:
    return not _from_known_device()


_login_limit = lambda: current_app.config["LOGIN_RATE_LIMIT"]  # noqa: E731


@bp.route("/login", methods=["GET", "POST"])
# From a device this account has not signed in on: per client address and per email.
@limiter.limit(_login_limit, methods=["POST"], exempt_when=_from_known_device)
@limiter.limit(_login_limit, methods=["POST"], key_func=_login_email,
               exempt_when=_from_known_device)
# From one of the account's own devices: per device only, so nobody else's guesses count.
@limiter.limit(_login_limit, methods=["POST"], key_func=_login_device,
               exempt_when=_from_unknown_device)
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    errors: dict = {}
    status = 200
    if request.method == "POST":
        data, errors = load_form(schemas.Login())
        if data:
            now = utcnow()
            found = services.check_credentials(data["email"], data["password"])
            if found.user is None:
                known = found.accounts[0] if found.accounts else None
                audit("auth.login_failed", now=now, actor=known,
                      clinic_id=known.clinic_id if known else None,
                      deactivated=found.deactivated)
                commit_before_error_answer()  # the 401/403 would roll the event back
                if found.deactivated:  # only who knows the password learns this
                    errors = {"_schema": [DEACTIVATED_MESSAGE]}
                    status = 403
                else:
                    errors = {"_schema": ["That email and password do not match an account."]}
                    status = 401
            else:
                return _password_accepted(found.user, now=now)
        else:
            status = 401
    return render_template("auth/login.html", errors=first_errors(errors),
                           email=request.form.get("email", "")), status


def _password_accepted(user, *, now):
    """Signed in, unless the person has a second factor: then its code is asked first, and
    nobody is signed in until it is given (app/mfa)."""
    next_url = safe_next(request.args.get("next"))
    if mfa_services.has_second_factor(user):
        pending.start(user, now=now, next_url=next_url)
        audit("auth.password_accepted", now=now, actor=user)
        return redirect(url_for("mfa.login_code"), code=303)
    sign_in(user)
    audit("auth.login", now=now, actor=user)
    if mfa_services.requires_second_factor(user):
        next_url = url_for("mfa.totp_setup", next=next_url)
    return remember_device(redirect(next_url or home_for(user)), user.account_name)


@bp.post("/logout")
@login_required
def logout():
    services.end_session(g.auth_session, now=utcnow())
    audit("auth.logout", now=utcnow(), actor=current_user)
    session.clear()
    flash(N_("You are signed out."))
    return forget_device(redirect(url_for("auth.login")))


@bp.post("/logout-everywhere")
@login_required
def logout_everywhere():
    now = utcnow()
    count = services.end_sessions(current_user, now=now)
    audit("auth.logout_everywhere", now=now, actor=current_user, sessions=count)
    session.clear()
    flash(N_("You are signed out on every device."))
    return forget_device(redirect(url_for("auth.login")))


@bp.get("/setup/<token>")
@setup_limit
def setup_link(token: str):
    """Spend the link's token (which access logs keep) on a setup session for this browser,
    and drop it from the address bar and history. Opening it again anywhere else fails."""
    secret = setup_links.open_setup_link(
        token, now=utcnow(), session_lifetime=current_app.config["SETUP_SESSION_LIFETIME"])
    if secret is not None:
        session[SETUP_TOKEN_KEY] = secret
    return redirect(url_for("auth.setup"))


@bp.route("/setup", methods=["GET", "POST"])
@setup_limit
def setup():
    now = utcnow()
    link = setup_links.setup_session_link(session.get(SETUP_TOKEN_KEY, ""), now=now)
    if link is None:
        session.pop(SETUP_TOKEN_KEY, None)
        return render_template("auth/setup_expired.html"), 410
    errors: dict = {}
    if request.method == "POST":
        data, errors = load_form(schemas.SetPassword())
        if data:
            user = setup_links.complete_setup(link, data["password"], now=now)
            if user is None:  # finished meanwhile by another request with this session
                session.pop(SETUP_TOKEN_KEY, None)
                return render_template("auth/setup_expired.html"), 410
            sign_in(user)
            audit("auth.password_set", now=now, actor=user)
            return remember_device(redirect(home_for(user)), user.account_name)
    return render_template("auth/setup.html", user=link.user, errors=first_errors(errors),
                           min_length=schemas.PASSWORD_MIN_LENGTH), 422 if errors else 200
