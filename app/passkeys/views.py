"""Passkeys: added, named and removed on /account; signing in with one alone (a discoverable
credential) or as the second step after a password. The page's script (static/pwa/
passkeys.js) runs the browser's navigator.credentials calls; these routes hand it options and
check its answers. A ceremony's challenge waits in the signed session for five minutes."""

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    request,
    session,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user
from marshmallow import ValidationError

from app.api.errors import error_response, translated_fields
from app.audit.services import record as audit
from app.auth.access import login_required
from app.auth.signing_in import home_for, remember_device, safe_next, sign_in
from app.clock import utcnow
from app.database import commit_before_error_answer
from app.extensions import limiter
from app.forms import first_errors, load_form
from app.i18n import N_
from app.mfa import pending
from app.mfa import services as mfa_services
from app.mfa.access import fresh_second_factor
from app.passkeys import schemas, services
from app.ratelimits import per_user

bp = Blueprint("passkeys", __name__, template_folder="templates")
CHALLENGE_KEY = "passkey_ceremony"
CHALLENGE_SECONDS = 300
_limit = lambda: current_app.config["LOGIN_RATE_LIMIT"]  # noqa: E731


def _relying_party() -> services.RelyingParty:
    """The RP ID is the host the browser asked for (or WEBAUTHN_RP_ID), the origin its scheme
    and host (or WEBAUTHN_ORIGIN): behind the proxy, ProxyFix has set both."""
    rp_id = current_app.config.get("WEBAUTHN_RP_ID") or request.host.rsplit(":", 1)[0]
    origin = current_app.config.get("WEBAUTHN_ORIGIN") or request.host_url.rstrip("/")
    return services.RelyingParty(rp_id=rp_id, origin=origin)


def _options(kind: str, options_and_challenge: tuple[str, str]) -> Response:
    options, challenge = options_and_challenge
    session[CHALLENGE_KEY] = {"kind": kind, "challenge": challenge,
                              "at": int(utcnow().timestamp())}
    return Response(options, mimetype="application/json", headers={"Cache-Control": "no-store"})


def _take_challenge(kind: str) -> str | None:
    ceremony = session.pop(CHALLENGE_KEY, None)
    if not isinstance(ceremony, dict) or ceremony.get("kind") != kind:
        return None
    if int(utcnow().timestamp()) - int(ceremony.get("at", 0)) > CHALLENGE_SECONDS:
        return None
    return ceremony.get("challenge")


def _json(schema):
    try:
        return schema.load(request.get_json(silent=True) or {}), None
    except ValidationError as error:
        return None, error_response(422, gettext("Please check the form."),
                                    fields=translated_fields(error.messages))


@bp.post("/account/passkeys/options")
@login_required
@fresh_second_factor
def registration_options():
    return _options("register", services.registration_options(
        current_user, _relying_party(), current_app.secret_key))


@bp.post("/account/passkeys")
@login_required
@fresh_second_factor
@limiter.limit(_limit, key_func=per_user)
def add():
    data, refusal = _json(schemas.NewPasskey())
    if refusal:
        return refusal
    now = utcnow()
    challenge = _take_challenge("register")
    passkey = challenge and services.register(
        current_user, data["credential"], name=data["name"], challenge=challenge,
        rp=_relying_party(), now=now)
    if not passkey:
        return error_response(422, gettext("The passkey could not be added. Try again."))
    if current_user.role != "patient":
        g.auth_session.second_factor_at = now  # the passkey just verified its user
    audit("passkey.added", now=now, actor=current_user, target=f"passkey:{passkey.id}")
    flash(gettext("Passkey “%(name)s” added.", name=passkey.name))
    return jsonify(redirect=safe_next(request.args.get("next")) or url_for("account.index"))


def _own_or_404(passkey_id: int):
    from flask import abort

    passkey = services.own_passkey(current_user, passkey_id)
    if passkey is None:
        abort(404)
    return passkey


@bp.post("/account/passkeys/<int:passkey_id>/name")
@login_required
def rename(passkey_id: int):
    passkey = _own_or_404(passkey_id)
    data, errors = load_form(schemas.PasskeyName())
    if errors:
        flash(first_errors(errors).get("name", N_("Give the passkey a name.")))
    else:
        passkey.name = data["name"]
        audit("passkey.renamed", now=utcnow(), actor=current_user,
              target=f"passkey:{passkey.id}")
    return redirect(url_for("account.index"), code=303)


@bp.post("/account/passkeys/<int:passkey_id>/remove")
@login_required
@fresh_second_factor
def remove(passkey_id: int):
    passkey = _own_or_404(passkey_id)
    left = services.count_of(current_user) - 1 + (
        mfa_services.totp_of(current_user) is not None)
    try:
        mfa_services.refuse_losing_the_last_factor(current_user, by=current_user,
                                                   factors_left=left)
    except mfa_services.CannotRemove as refusal:
        flash(str(refusal))
        return redirect(url_for("account.index"), code=303)
    services.remove(passkey)
    audit("passkey.removed", now=utcnow(), actor=current_user, target=f"passkey:{passkey_id}")
    flash(N_("Passkey removed."))
    return redirect(url_for("account.index"), code=303)


@bp.post("/login/passkey/options")
@limiter.limit(_limit)
def login_options():
    """Any passkey of this site, or after the right password, only that person's."""
    user = pending.pending_user(now=utcnow())
    return _options("login", services.authentication_options(_relying_party(), user))


@bp.post("/login/passkey")
@limiter.limit(_limit)
def login():
    data, refusal = _json(schemas.PasskeyAnswer())
    if refusal:
        return refusal
    now = utcnow()
    waiting = pending.pending_user(now=now)
    challenge = _take_challenge("login")
    passkey = challenge and services.authenticate(data["credential"], challenge=challenge,
                                                  rp=_relying_party(), now=now)
    user = passkey and services.owner(passkey)
    if not user or not user.is_active or (waiting and waiting.id != user.id):
        audit("auth.passkey_failed", now=now, actor=waiting)
        commit_before_error_answer()  # the 401 would roll the event back
        return error_response(401, gettext("That passkey did not sign you in. Try again, or "
                                           "use your password."))
    next_url = pending.pending_next() if waiting else safe_next(request.args.get("next"))
    sign_in(user).second_factor_at = now  # a passkey verifies its user: two factors in one
    audit("auth.login", now=now, actor=user, second_factor="passkey",
          target=f"passkey:{passkey.id}", after_password=bool(waiting))
    return remember_device(jsonify(redirect=next_url or home_for(user)), user.account_name)


@bp.post("/second-factor/passkey/options")
@login_required
def step_up_options():
    return _options("step-up", services.authentication_options(_relying_party(), current_user))


@bp.post("/second-factor/passkey")
@login_required
@limiter.limit(_limit, key_func=per_user)
def step_up():
    """The step-up with a passkey of the signed-in person's."""
    data, refusal = _json(schemas.PasskeyAnswer())
    if refusal:
        return refusal
    now = utcnow()
    challenge = _take_challenge("step-up")
    passkey = challenge and services.authenticate(data["credential"], challenge=challenge,
                                                  rp=_relying_party(), now=now)
    if not passkey or passkey.user_id != current_user.id:
        audit("auth.second_factor_failed", now=now, actor=current_user, second_factor="passkey")
        commit_before_error_answer()
        return error_response(401, gettext("That passkey was not accepted. Try again."))
    g.auth_session.second_factor_at = now
    audit("auth.step_up", now=now, actor=current_user, second_factor="passkey")
    return jsonify(redirect=safe_next(request.args.get("next")) or home_for(current_user))
