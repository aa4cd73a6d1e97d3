"""The account page: signed-in devices (each can be signed out) and a password change.

Open to every role. Patients stay signed in on a phone for 30 days, so this is where they see
a lost phone still signed in and end it; staff get the same page.
"""

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
from flask_babel import gettext, refresh
from flask_login import current_user

from app.account import schemas
from app.audit.services import record as audit
from app.auth import services
from app.auth.access import login_required
from app.auth.schemas import PASSWORD_MIN_LENGTH
from app.auth.signing_in import forget_device
from app.clock import utcnow
from app.database import commit_before_error_answer
from app.extensions import limiter
from app.forms import first_errors, load_form
from app.i18n import N_
from app.mfa import services as mfa_services
from app.passkeys import services as passkey_services
from app.scoping import own_session_or_404

bp = Blueprint("account", __name__, url_prefix="/account", template_folder="templates")


def _page(errors: dict | None = None, status: int = 200):
    return render_template(
        "account/index.html", sessions=services.live_sessions(current_user, now=utcnow()),
        this_session=g.auth_session, errors=first_errors(errors or {}),
        min_length=PASSWORD_MIN_LENGTH, has_totp=mfa_services.totp_of(current_user) is not None,
        passkeys=passkey_services.passkeys_of(current_user),
        recovery_left=mfa_services.recovery_codes_left(current_user)), status


@bp.get("")
@login_required
def index():
    return _page()


@bp.post("/sessions/<int:session_id>/revoke")
@login_required
def revoke(session_id: int):
    target = own_session_or_404(session_id)
    now = utcnow()
    services.end_session(target, now=now)
    audit("auth.session_revoke", now=now, actor=current_user, target=f"session:{target.id}")
    if target.id == g.auth_session.id:  # signing out this device, as the sign-out button does
        session.clear()
        flash(N_("You are signed out."))
        return forget_device(redirect(url_for("auth.login"), code=303))
    flash(gettext("Signed out of %(device)s.", device=target.device or gettext("that device")))
    return redirect(url_for("account.index"), code=303)


@bp.route("/sessions/revoke-others", methods=["GET", "POST"])
@login_required
def revoke_others():
    """GET asks first (a page of its own, no script needed); POST signs the others out."""
    if request.method == "GET":
        return render_template(
            "confirm.html", heading=N_("Sign out of every other device?"),
            explanation=[N_("Every other phone or computer signed in to your account is signed "
                            "out, and stops getting reminders until you sign in there again."),
                         N_("This device stays signed in.")],
            action=url_for("account.revoke_others"),
            button=N_("Sign out of every other device"),
            cancel=url_for("account.index"))
    now = utcnow()
    count = services.end_sessions(current_user, now=now, except_session=g.auth_session)
    audit("auth.session_revoke_others", now=now, actor=current_user, sessions=count)
    flash(gettext("Signed out of %(count)s other device(s).", count=count))
    return redirect(url_for("account.index"), code=303)


@bp.post("/password")
@login_required
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"],
               key_func=lambda: f"password:{getattr(current_user, 'id', '')}")
def change_password():
    data, errors = load_form(schemas.ChangePassword())
    if errors:
        return _page(errors, 422)
    now = utcnow()
    ended = services.change_password(current_user, data["current"], data["password"], now=now,
                                     keep=g.auth_session)
    if ended is None:
        audit("auth.password_change_failed", now=now, actor=current_user)
        commit_before_error_answer()  # the 422 would roll the event back
        return _page({"current": [N_("That is not your current password.")]}, 422)
    audit("auth.password_change", now=now, actor=current_user, sessions_ended=ended)
    flash(N_("Password changed. Every other device is signed out."))
    return redirect(url_for("account.index"), code=303)


@bp.post("/language")
@login_required
def change_language():
    data, errors = load_form(schemas.ChooseLanguage())
    if errors:
        return _page(errors, 422)
    current_user.language = data["language"]
    audit("account.language", now=utcnow(), actor=current_user, language=data["language"])
    refresh()  # this very answer in the chosen language
    flash(N_("Language changed."))
    return redirect(url_for("account.index"), code=303)
