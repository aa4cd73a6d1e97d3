"""Clinician pages to record, edit and delete infusions and to start a maintenance series."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from app.audit.services import record as audit
from app.auth.access import staff_required
from app.clock import utcnow
from app.forms import first_errors, load_form
from app.i18n import N_
from app.infusions import doses, schemas, services
from app.scoping import infusion_or_404, patient_or_404
from app.security import audited_read

bp = Blueprint("infusions", __name__, url_prefix="/clinic", template_folder="templates")


def _load(values: dict, infusion=None):
    schema = schemas.Infusion(timezone=current_user.clinic.timezone,
                              confirmed_dose=services.confirmed_dose(infusion) if infusion
                              else None)
    return load_form(schema, schemas.form_values(values))


def _confirm_dose(infusion, confirmed: bool, now) -> None:
    """Who confirmed an unusual dose is kept on the infusion and in the audit log."""
    if services.settle_dose_confirmation(infusion, confirmed=confirmed, by=current_user,
                                         now=now):
        audit("infusion.dose_confirm", now=now, actor=current_user,
              patient_id=infusion.patient_id, target=f"infusion:{infusion.id}")


def _render(patient, infusion, values, errors):
    return render_template("infusions/form.html", patient=patient, infusion=infusion,
                           values=values, errors=first_errors(errors), routes=schemas.ROUTES,
                           usual=[doses.plain(v) for v in doses.USUAL_MG_PER_KG],
                           ), 422 if errors else 200


@bp.route("/patients/<int:patient_id>/infusions/new", methods=["GET", "POST"])
@staff_required
def new(patient_id: int):
    patient = patient_or_404(patient_id)
    errors: dict = {}
    values: dict = {"route": "IV"}
    if request.method == "POST":
        values = dict(request.form)
        data, errors = _load(values)
        if data:
            now = utcnow()
            confirmed = data.pop("confirm_dose")
            infusion = services.record(patient, data, by=current_user, now=now)
            audit("infusion.record", now=now, actor=current_user, patient_id=patient.id,
                  target=f"infusion:{infusion.id}")
            _confirm_dose(infusion, confirmed, now)
            flash(gettext("Infusion %(number)s recorded.", number=infusion.number))
            return redirect(url_for("patients.show", patient_id=patient.id), code=303)
    return _render(patient, None, values, errors)


@bp.route("/infusions/<int:infusion_id>/edit", methods=["GET", "POST"])
@audited_read
@staff_required
def edit(infusion_id: int):
    infusion = infusion_or_404(infusion_id)
    patient = infusion.series.patient
    errors: dict = {}
    values = None
    if request.method == "POST":
        values = dict(request.form)
        data, errors = _load(values, infusion)
        if data:
            now = utcnow()
            confirmed = data.pop("confirm_dose")
            services.edit(infusion, data, by=current_user, now=now)
            audit("infusion.edit", now=now, actor=current_user, patient_id=patient.id,
                  target=f"infusion:{infusion.id}", fields=sorted(data))
            _confirm_dose(infusion, confirmed, now)
            flash(N_("Infusion updated."))
            return redirect(url_for("patients.show", patient_id=patient.id), code=303)
    else:  # the form shows the infusion's dose and notes: a view of the patient's record
        audit("infusion.view", now=utcnow(), actor=current_user, patient_id=patient.id,
              target=f"infusion:{infusion.id}")
    return _render(patient, infusion, values, errors)


@bp.route("/infusions/<int:infusion_id>/delete", methods=["GET", "POST"])
@staff_required
def delete(infusion_id: int):
    """GET asks for confirmation (a page of its own, no script needed); POST deletes."""
    infusion = infusion_or_404(infusion_id)
    patient_id = infusion.patient_id
    if request.method == "GET":
        return render_template(
            "confirm.html", heading=gettext("Delete infusion %(number)s?",
                                            number=infusion.number),
            explanation=[N_("Its planned check-in prompts are cancelled and the later infusions "
                            "of the series are renumbered. This cannot be undone.")],
            action=url_for("infusions.delete", infusion_id=infusion.id),
            button=gettext("Delete infusion %(number)s", number=infusion.number),
            cancel=url_for("infusions.edit", infusion_id=infusion.id))
    try:
        services.delete(infusion)
    except services.InfusionHasCheckins:
        flash(N_("This infusion has check-ins after it, so it cannot be deleted. Edit it "
                 "instead."))
        return redirect(url_for("patients.show", patient_id=patient_id), code=303)
    audit("infusion.delete", now=utcnow(), actor=current_user, patient_id=patient_id,
          target=f"infusion:{infusion_id}")
    flash(N_("Infusion deleted."))
    return redirect(url_for("patients.show", patient_id=patient_id), code=303)


@bp.post("/patients/<int:patient_id>/maintenance")
@staff_required
def start_maintenance(patient_id: int):
    patient = patient_or_404(patient_id)
    now = utcnow()
    series = services.start_maintenance(patient, by=current_user, now=now)
    audit("series.start_maintenance", now=now, actor=current_user, patient_id=patient.id,
          target=f"series:{series.id}")
    flash(N_("Maintenance series started: new infusions are numbered from 1 in it."))
    return redirect(url_for("patients.show", patient_id=patient.id), code=303)
