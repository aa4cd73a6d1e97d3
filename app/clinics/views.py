"""Admin pages: the clinic's staff, its settings, phone number and time zone."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user

from app.audit.services import record as audit
from app.auth import schemas as auth_schemas
from app.auth import services as auth_services
from app.auth import setup_links
from app.auth.access import admin_required
from app.auth.models import Role
from app.clinics import changes as change_words
from app.clinics import schemas, services
from app.clinics.settings import effective
from app.clock import utcnow
from app.forms import first_errors, known_timezones, load_form
from app.i18n import N_
from app.jobruns.services import scheduled_job_health
from app.mfa import services as mfa_services
from app.mfa.access import fresh_second_factor
from app.qr import svg as qr_svg

bp = Blueprint("clinics", __name__, url_prefix="/clinic", template_folder="templates")


@bp.route("/staff", methods=["GET", "POST"])
@admin_required
def staff():
    errors: dict = {}
    values: dict = {"role": "clinician"}
    link = None
    if request.method == "POST":
        values = dict(request.form)
        data, errors = load_form(auth_schemas.Staff())
        if data and auth_services.clinic_user_by_email(current_user.clinic_id,
                                                       data["email"]) is not None:
            errors = {"email": [auth_services.EMAIL_IN_USE]}
        elif data:
            now = utcnow()
            member = auth_services.create_staff(current_user.clinic_id, email=data["email"],
                                                name=data["name"], role=Role(data["role"]))
            token = setup_links.issue_setup_link(
                member, by=current_user, now=now,
                lifetime=current_app.config["SETUP_LINK_LIFETIME"])
            audit("staff.create", now=now, actor=current_user, target=f"user:{member.id}",
                  role=member.role.value)
            url = setup_links.setup_url(token)
            link = _link(member, url)
            values = {"role": "clinician"}
    return render_template("clinics/staff.html", members=services.staff(current_user.clinic_id),
                           with_second_factor=mfa_services.with_second_factor(
                               current_user.clinic_id),
                           values=values, errors=first_errors(errors), link=link), (
        422 if errors else 200)


def _link(member, url: str) -> dict:
    return {"name": member.name, "url": url,
            "qr": qr_svg(url, label=gettext("QR code of the setup link"))}


def _member_or_404(staff_id: int):
    member = services.clinic_staff_member(current_user.clinic_id, staff_id)
    if member is None:
        abort(404)
    return member


def _staff_page():
    return redirect(url_for("clinics.staff"), code=303)


@bp.route("/staff/<int:staff_id>/deactivate", methods=["GET", "POST"])
@admin_required
def deactivate(staff_id: int):
    """GET asks for confirmation (no script: CSP allows none inline); POST deactivates."""
    member = _member_or_404(staff_id)
    if request.method == "GET":
        return render_template(
            "confirm.html", heading=gettext("Deactivate %(name)s?", name=member.name),
            explanation=[gettext("%(name)s will be signed out on every device, stop receiving "
                                 "escalations, and will not be able to sign in.",
                                 name=member.name),
                         N_("Their records and audit history stay. You can reactivate them "
                            "later.")],
            action=url_for("clinics.deactivate", staff_id=member.id),
            button=gettext("Deactivate %(name)s", name=member.name),
            cancel=url_for("clinics.staff"))
    now = utcnow()
    try:
        sessions = services.deactivate_staff(member, by=current_user, now=now)
    except services.CannotDeactivate as refusal:
        flash(gettext(str(refusal)))
        return _staff_page()
    audit("staff.deactivate", now=now, actor=current_user, target=f"user:{member.id}",
          sessions=sessions)
    flash(gettext("%(name)s is deactivated and signed out everywhere.", name=member.name))
    return _staff_page()


@bp.post("/staff/<int:staff_id>/reactivate")
@admin_required
def reactivate(staff_id: int):
    member = _member_or_404(staff_id)
    services.reactivate_staff(member)
    audit("staff.reactivate", now=utcnow(), actor=current_user, target=f"user:{member.id}")
    flash(gettext("%(name)s can sign in again.", name=member.name))
    return _staff_page()


@bp.post("/staff/<int:staff_id>/setup-link")
@admin_required
def new_staff_setup_link(staff_id: int):
    """A new setup link (a password reset) for a staff member; any earlier one stops working."""
    member = _member_or_404(staff_id)
    if not member.active:
        flash(gettext("Reactivate %(name)s first.", name=member.name))
        return _staff_page()
    now = utcnow()
    token = setup_links.issue_setup_link(member, by=current_user, now=now,
                                           lifetime=current_app.config["SETUP_LINK_LIFETIME"])
    audit("staff.setup_link", now=now, actor=current_user, target=f"user:{member.id}")
    url = setup_links.setup_url(token)
    return render_template("clinics/staff.html", members=services.staff(current_user.clinic_id),
                           with_second_factor=mfa_services.with_second_factor(
                               current_user.clinic_id),
                           values={"role": "clinician"}, errors={},
                           link=_link(member, url))


@bp.route("/staff/<int:staff_id>/second-factor/reset", methods=["GET", "POST"])
@admin_required
@fresh_second_factor
def reset_second_factor(staff_id: int):
    """GET asks for confirmation; POST removes the member's authenticator and recovery codes."""
    member = _member_or_404(staff_id)
    if request.method == "GET":
        return render_template(
            "confirm.html", heading=gettext("Reset %(name)s's second factor?", name=member.name),
            explanation=[gettext("%(name)s's authenticator app and recovery codes stop working "
                                 "and they are signed out on every device.", name=member.name),
                         N_("They sign in with their password next, and set up a new second "
                            "factor if the clinic requires one.")],
            action=url_for("clinics.reset_second_factor", staff_id=member.id),
            button=N_("Reset second factor"), cancel=url_for("clinics.staff"))
    now = utcnow()
    try:
        sessions = mfa_services.reset_second_factors(member, by=current_user, now=now)
    except mfa_services.CannotRemove as refusal:
        flash(gettext(str(refusal)))
        return _staff_page()
    audit("mfa.reset", now=now, actor=current_user, target=f"user:{member.id}",
          sessions=sessions)
    flash(gettext("%(name)s's second factor is reset; they are signed out everywhere.",
                  name=member.name))
    return _staff_page()


@bp.route("/settings", methods=["GET", "POST"])
@admin_required
@fresh_second_factor
def settings():
    """One form: the clinic's phone number (shown to patients beside 911 and 988) and time
    zone (one of the zones the server knows), then the check-in settings and flag thresholds.
    Nothing is saved while any value is wrong; each change goes in the change log, in words."""
    clinic = current_user.clinic
    errors: dict = {}
    values = {**effective(clinic), "phone": clinic.phone, "timezone": clinic.timezone}
    if request.method == "POST":
        values = dict(request.form)
        data, errors = load_form(schemas.SettingsForm())
        if data:
            now = utcnow()
            details = {name: data.pop(name) for name in services.DETAILS}
            changes = {**services.update_details(clinic, details, by=current_user, now=now),
                       **services.update_settings(clinic, data, by=current_user, now=now)}
            flash(_saved(changes))
            return redirect(url_for("clinics.settings"), code=303)
    return render_template("clinics/settings.html", values=values, errors=first_errors(errors),
                           timezones=sorted(known_timezones()),
                           sentence=change_words.sentence,
                           history=services.settings_history(clinic.id),
                           jobs=scheduled_job_health(utcnow())), 422 if errors else 200


def _saved(changes: dict) -> str:
    if not changes:
        return N_("Nothing changed.")
    said = " ".join(change_words.sentence(name, old, new) + "."
                    for name, (old, new) in changes.items())
    return gettext("Saved %(count)s change(s): %(changes)s Check-in times apply to infusions "
                   "recorded from now on; flag thresholds apply at once.",
                   count=len(changes), changes=said)
