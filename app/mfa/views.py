"""Second factors: the sign-in's second step, the step-up, and setting up an authenticator
(with its recovery codes) from the account page."""

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
from flask_babel import gettext
from flask_login import current_user

from app.audit.services import record as audit
from app.auth.access import login_required, staff_required
from app.auth.signing_in import home_for, remember_device, safe_next, sign_in
from app.clock import utcnow
from app.database import commit_before_error_answer
from app.extensions import limiter
from app.forms import first_errors, load_form
from app.i18n import N_
from app.mfa import pending, schemas, services
from app.mfa.access import fresh_second_factor, require_clinic_second_factor
from app.qr import svg as qr_svg
from app.ratelimits import per_user

bp = Blueprint("mfa", __name__, template_folder="templates")
bp.before_app_request(require_clinic_second_factor)
SETUP_SECRET_KEY = "totp_setup"  # noqa: S105  (a session key name)
WRONG_CODE = N_("That code is not right, or was already used. Try the next code.")
_code_limit = lambda: current_app.config["LOGIN_RATE_LIMIT"]  # noqa: E731


def _code_page(user, errors: dict, *, step_up: bool):
    return render_template("mfa/code.html", errors=first_errors(errors), step_up=step_up,
                           has_totp=services.totp_of(user) is not None,
                           has_passkey=services.passkey_count(user) > 0), (
        401 if errors else 200)


def _wrong_code(user, now) -> dict:
    audit("auth.second_factor_failed", now=now, actor=user)
    commit_before_error_answer()  # the 401 would roll the event back
    return {"code": [WRONG_CODE]}


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(_code_limit, methods=["POST"], key_func=pending.limit_key)
@limiter.limit(_code_limit, methods=["POST"])
def login_code():
    """The sign-in's second step: the password was right; nobody is signed in yet."""
    now = utcnow()
    user = pending.pending_user(now=now)
    if user is None:
        flash(N_("Please sign in again."))
        return redirect(url_for("auth.login"), code=303)
    errors: dict = {}
    if request.method == "POST":
        data, errors = load_form(schemas.Code())
        method = data and services.check_code(user, data["code"], now=now)
        if method:
            next_url = pending.pending_next()
            sign_in(user).second_factor_at = now
            audit("auth.login", now=now, actor=user, second_factor=method)
            _note_recovery_code(user, method, now)
            return remember_device(redirect(next_url or home_for(user)), user.account_name)
        if data:
            errors = _wrong_code(user, now)
    return _code_page(user, errors, step_up=False)


def _note_recovery_code(user, method: str, now) -> None:
    if method == "recovery":
        left = services.recovery_codes_left(user)
        audit("mfa.recovery_code_used", now=now, actor=user, left=left)
        flash(gettext("You used a recovery code: %(left)s left. Make new ones on your account "
                      "page if you are running out.", left=left))


@bp.route("/second-factor", methods=["GET", "POST"])
@login_required
@limiter.limit(_code_limit, methods=["POST"], key_func=per_user)
def verify():
    """The step-up (and a required second factor for a session that has not given one)."""
    back = safe_next(request.args.get("next")) or home_for(current_user)
    if not services.has_second_factor(current_user):
        return redirect(back, code=303)
    errors: dict = {}
    if request.method == "POST":
        now = utcnow()
        data, errors = load_form(schemas.Code())
        method = data and services.check_code(current_user, data["code"], now=now)
        if method:
            g.auth_session.second_factor_at = now
            audit("auth.step_up", now=now, actor=current_user, second_factor=method)
            _note_recovery_code(current_user, method, now)
            return redirect(back, code=303)
        if data:
            errors = _wrong_code(current_user, now)
    return _code_page(current_user, errors, step_up=True)


@bp.route("/account/authenticator", methods=["GET", "POST"])
@staff_required
@fresh_second_factor  # replacing an authenticator asks for the current one first
@limiter.limit(_code_limit, methods=["POST"], key_func=per_user)
def totp_setup():
    secret = session.get(SETUP_SECRET_KEY) or services.new_totp_secret()
    session[SETUP_SECRET_KEY] = secret
    errors: dict = {}
    if request.method == "POST":
        now = utcnow()
        data, errors = load_form(schemas.Code())
        codes = data and services.confirm_totp(current_user, secret, data["code"], now=now)
        if codes:
            session.pop(SETUP_SECRET_KEY, None)
            g.auth_session.second_factor_at = now
            audit("mfa.totp_enabled", now=now, actor=current_user)
            return _recovery_codes_page(codes)
        if data:
            errors = {"code": [N_("That code does not match. Check the app's clock and try "
                                  "the code it shows now.")]}
    uri = services.provisioning_uri(secret, current_user)
    return render_template("mfa/setup.html", secret=secret, qr=qr_svg(uri, label=gettext(
                           "QR code for your authenticator app")), errors=first_errors(errors),
                           required=services.requires_second_factor(current_user),
                           next_url=safe_next(request.args.get("next"))), (
        422 if errors else 200)


def _recovery_codes_page(codes: list[str]):
    back = safe_next(request.args.get("next")) or url_for("account.index")
    return render_template("mfa/recovery_codes.html", codes=codes, back=back)


@bp.post("/account/recovery-codes")
@staff_required
@fresh_second_factor
def new_recovery_codes():
    if not services.has_second_factor(current_user):
        return redirect(url_for("account.index"), code=303)
    codes = services.replace_recovery_codes(current_user)
    audit("mfa.recovery_codes_replaced", now=utcnow(), actor=current_user)
    return _recovery_codes_page(codes)


@bp.post("/account/authenticator/remove")
@staff_required
@fresh_second_factor
def totp_remove():
    try:
        services.remove_totp(current_user, by=current_user)
    except services.CannotRemove as refusal:
        flash(str(refusal))
        return redirect(url_for("account.index"), code=303)
    audit("mfa.removed", now=utcnow(), actor=current_user, target=f"user:{current_user.id}")
    flash(N_("Your authenticator app and recovery codes are removed."))
    return redirect(url_for("account.index"), code=303)
