"""Clinician pages for one patient: enrollment, the record, setup links and sign-out."""

from flask import (
    Blueprint,
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
from app.auth import services as auth_services
from app.auth import setup_links
from app.auth.access import staff_required
from app.checkins.catalog import SEVERITIES
from app.checkins.services import history
from app.clinics.settings import effective
from app.clock import utcnow
from app.dashboard.services import patient_summary
from app.flags.lifecycle import resolving_needs_note
from app.flags.reasons import how_long_ago
from app.flags.schemas import PRIORITY_NAMES, RULE_LABELS
from app.flags.services import open_patient_flags, patient_episodes, patient_flags, thresholds
from app.forms import first_errors, known_timezones, load_form
from app.i18n import N_
from app.infusions.services import patient_series
from app.monitoring.services import infusions_with_alerts
from app.notifications import channels
from app.notifications import services as notifications
from app.notifications.models import NotificationKind
from app.notifications.reach import CHANNEL_NAMES, patient_delivery, reason_words
from app.patients import schemas, services
from app.phq9.services import series_progress
from app.qr import svg as qr_svg
from app.scoping import patient_or_404
from app.security import audited_read
from app.templating import viewer_timezone
from app.trends.assets import chart_js_url
from app.trends.patient import page_charts

bp = Blueprint("patients", __name__, url_prefix="/clinic/patients",
               template_folder="templates")


def _setup_link_page(patient, token: str, *, first: bool, sent_by: str | None = None):
    url = setup_links.setup_url(token)
    lifetime_hours = int(current_app.config["SETUP_LINK_LIFETIME"].total_seconds() // 3600)
    qr = qr_svg(url, label=gettext("QR code of the setup link"))
    return render_template("patients/setup_link.html", patient=patient, url=url, qr=qr,
                           first=first, lifetime_hours=lifetime_hours,
                           can_text=channels.can_text(patient),
                           can_email=channels.can_email(patient, asked_for=True),
                           sent_by=sent_by)


@bp.route("/new", methods=["GET", "POST"])
@staff_required
def enroll():
    errors: dict = {}
    values = {"timezone": current_user.clinic.timezone}
    if request.method == "POST":
        values = dict(request.form)
        data, errors = load_form(schemas.Enrollment())
        if data:
            now = utcnow()
            try:
                patient = services.enroll(current_user.clinic_id, by=current_user, now=now,
                                          **data)
            except services.EmailInUse:
                errors = {"email": [auth_services.EMAIL_IN_USE]}
            else:
                token = setup_links.issue_setup_link(
                    patient.user, by=current_user, now=now,
                    lifetime=current_app.config["SETUP_LINK_LIFETIME"])
                audit("patient.enroll", now=now, actor=current_user, patient_id=patient.id)
                return _setup_link_page(patient, token, first=True)
    status = 422 if errors else 200
    return render_template("patients/enroll.html", values=values, errors=first_errors(errors),
                           timezones=sorted(known_timezones())), status


@bp.get("/<int:patient_id>")
@audited_read
@staff_required
def show(patient_id: int):
    patient = patient_or_404(patient_id)
    audit("patient.view", now=utcnow(), actor=current_user, patient_id=patient.id)
    series = patient_series(patient)
    limits = thresholds(effective(patient.clinic))
    return render_template("patients/show.html", patient=patient, series=series,
                           summary=patient_summary(patient, series[-1]),
                           open_flags=open_patient_flags(patient.id, limits),
                           how_long_ago=how_long_ago, now=utcnow(),
                           resolving_needs_note=resolving_needs_note,
                           checkins=history(patient.id, limit=50),
                           flags=patient_flags(patient.id),
                           episodes=patient_episodes(patient.id),
                           phq9=series_progress(series[-1].id, patient.clinic) if series else [],
                           severities=SEVERITIES, rule_labels=RULE_LABELS,
                           priority_names=PRIORITY_NAMES,
                           charts={c["name"]: c for c in page_charts(patient.id,
                                                                      viewer_timezone())},
                           chart_js=chart_js_url(), deliveries=patient_delivery(patient.id),
                           channel_names=CHANNEL_NAMES, reason_words=reason_words,
                           session_alerts=infusions_with_alerts(patient.id))


def contact_values(patient) -> dict:
    return {"phone": patient.phone or "", "sms_consent": patient.sms_consent_at is not None,
            "preferred_channel": patient.preferred_channel,
            "fallback_channel": patient.fallback_channel}


@bp.route("/<int:patient_id>/contact", methods=["GET", "POST"])
@audited_read
@staff_required
def contact(patient_id: int):
    """How messages reach the patient: phone, consent to texts, preferred and fallback."""
    patient = patient_or_404(patient_id)
    errors: dict = {}
    values = contact_values(patient)
    if request.method == "GET":
        audit("patient.contact_view", now=utcnow(), actor=current_user, patient_id=patient.id)
    if request.method == "POST":
        values = dict(request.form)
        data, errors = load_form(schemas.Contact())
        errors = errors or schemas.contact_errors(data, patient.user.email)
        if not errors:
            now = utcnow()
            services.set_contact(patient, by=current_user, now=now, **data)
            audit("patient.contact", now=now, actor=current_user, patient_id=patient.id,
                  sms_consent=patient.sms_consent_at is not None)
            flash(N_("Saved how messages reach this patient."))
            return redirect(url_for("patients.show", patient_id=patient.id), code=303)
    return render_template("patients/contact.html", patient=patient, values=values,
                           errors=first_errors(errors)), 422 if errors else 200


@bp.post("/<int:patient_id>/setup-link")
@staff_required
def new_setup_link(patient_id: int):
    patient = patient_or_404(patient_id)
    now = utcnow()
    token = setup_links.issue_setup_link(patient.user, by=current_user, now=now,
                                           lifetime=current_app.config["SETUP_LINK_LIFETIME"])
    audit("patient.setup_link", now=now, actor=current_user, patient_id=patient.id)
    return _setup_link_page(patient, token, first=False)


@bp.post("/<int:patient_id>/setup-link/send")
@staff_required
def send_setup_link(patient_id: int):
    """A new setup link, sent by text or email (the send job sends it within a minute) and
    shown as a QR code too: the same link, so either works, once."""
    patient = patient_or_404(patient_id)
    channel = request.form.get("channel", "")
    usable = {"sms": channels.can_text(patient),
              "email": channels.can_email(patient, asked_for=True)}
    if not usable.get(channel):
        flash(N_("That channel cannot reach this patient: add a phone number and consent to "
                 "texts, or use the QR code."))
        return redirect(url_for("patients.contact", patient_id=patient.id), code=303)
    now = utcnow()
    token = setup_links.issue_setup_link(patient.user, by=current_user, now=now,
                                           lifetime=current_app.config["SETUP_LINK_LIFETIME"])
    notifications.queue_link_message(patient.user_id, NotificationKind.SETUP, channel,
                                     setup_links.setup_url(token), now)
    audit("patient.setup_link_sent", now=now, actor=current_user, patient_id=patient.id,
          channel=channel)
    return _setup_link_page(patient, token, first=False, sent_by=channel)


@bp.route("/<int:patient_id>/discharge", methods=["GET", "POST"])
@staff_required
def discharge(patient_id: int):
    """GET asks for confirmation (no script: CSP allows none inline); POST discharges."""
    patient = patient_or_404(patient_id)
    back = url_for("patients.show", patient_id=patient.id)
    if request.method == "GET":
        return render_template(
            "confirm.html", heading=N_("Discharge this patient?"),
            explanation=[N_("They will be signed out on every device, receive no more check-in "
                            "prompts, and will not be able to sign in."),
                         N_("Their check-ins, flags and infusions stay on their page. You can "
                            "re-admit them later.")],
            action=url_for("patients.discharge", patient_id=patient.id),
            button=N_("Discharge"), cancel=back)
    if not services.is_discharged(patient):
        now = utcnow()
        cancelled = services.discharge(patient, now=now)
        audit("patient.discharge", now=now, actor=current_user, patient_id=patient.id,
              prompts_cancelled=cancelled)
    flash(N_("Discharged: no more prompts, and sign-in is closed."))
    return redirect(back, code=303)


@bp.post("/<int:patient_id>/readmit")
@staff_required
def readmit(patient_id: int):
    patient = patient_or_404(patient_id)
    if services.is_discharged(patient):
        services.readmit(patient)
        audit("patient.readmit", now=utcnow(), actor=current_user, patient_id=patient.id)
    flash(N_("Re-admitted: they can sign in again, and new infusions schedule prompts."))
    return redirect(url_for("patients.show", patient_id=patient.id), code=303)


@bp.route("/<int:patient_id>/sign-out", methods=["GET", "POST"])
@staff_required
def sign_out_everywhere(patient_id: int):
    """GET asks for confirmation (a page of its own, no script needed); POST signs out."""
    patient = patient_or_404(patient_id)
    back = url_for("patients.show", patient_id=patient.id)
    if request.method == "GET":
        return render_template(
            "confirm.html", heading=N_("Sign this patient out of every device?"),
            explanation=[N_("They will need their password to sign in again on each phone or "
                            "computer, and those devices stop getting check-in notifications "
                            "until they do."),
                         N_("Use this when a phone is lost or shared. Their records stay.")],
            action=url_for("patients.sign_out_everywhere", patient_id=patient.id),
            button=N_("Sign out of all devices"), cancel=back)
    now = utcnow()
    count = auth_services.end_sessions(patient.user, now=now)
    audit("patient.sign_out_everywhere", now=now, actor=current_user, patient_id=patient.id,
          sessions=count)
    flash(gettext("Signed out of %(count)s device(s).", count=count))
    return redirect(back)
