"""Clinician pages to record, edit and delete infusions and to start a maintenance series."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.audit.services import record as audit
from app.auth.access import staff_required
from app.clock import utcnow
from app.extensions import db
from app.forms import first_errors, load_form
from app.infusions import schemas, services
from app.scoping import infusion_or_404, patient_or_404

bp = Blueprint("infusions", __name__, url_prefix="/clinic", template_folder="templates")


def _load(values: dict):
    schema = schemas.Infusion(timezone=current_user.clinic.timezone)
    return load_form(schema, schemas.form_values(values))


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
            infusion = services.record(patient, data, by=current_user, now=now)
            audit("infusion.record", now=now, actor=current_user, patient_id=patient.id,
                  target=f"infusion:{infusion.id}")
            db.session.commit()
            flash(f"Infusion {infusion.number} recorded.")
            return redirect(url_for("patients.show", patient_id=patient.id), code=303)
    return render_template("infusions/form.html", patient=patient, infusion=None,
                           values=values, errors=first_errors(errors),
                           routes=schemas.ROUTES), 422 if errors else 200


@bp.route("/infusions/<int:infusion_id>/edit", methods=["GET", "POST"])
@staff_required
def edit(infusion_id: int):
    infusion = infusion_or_404(infusion_id)
    patient = infusion.series.patient
    errors: dict = {}
    values = None
    if request.method == "POST":
        values = dict(request.form)
        data, errors = _load(values)
        if data:
            now = utcnow()
            services.edit(infusion, data, by=current_user, now=now)
            audit("infusion.edit", now=now, actor=current_user, patient_id=patient.id,
                  target=f"infusion:{infusion.id}", fields=sorted(data))
            db.session.commit()
            flash("Infusion updated.")
            return redirect(url_for("patients.show", patient_id=patient.id), code=303)
    else:  # the form shows the infusion's dose and notes: a view of the patient's record
        audit("infusion.view", now=utcnow(), actor=current_user, patient_id=patient.id,
              target=f"infusion:{infusion.id}")
        db.session.commit()
    return render_template("infusions/form.html", patient=patient, infusion=infusion,
                           values=values, errors=first_errors(errors),
                           routes=schemas.ROUTES), 422 if errors else 200


@bp.post("/infusions/<int:infusion_id>/delete")
@staff_required
def delete(infusion_id: int):
    infusion = infusion_or_404(infusion_id)
    patient_id = infusion.patient_id
    try:
        services.delete(infusion)
    except services.InfusionHasCheckins:
        flash("This infusion has check-ins after it, so it cannot be deleted. Edit it instead.")
        return redirect(url_for("patients.show", patient_id=patient_id), code=303)
    audit("infusion.delete", now=utcnow(), actor=current_user, patient_id=patient_id,
          target=f"infusion:{infusion_id}")
    db.session.commit()
    flash("Infusion deleted.")
    return redirect(url_for("patients.show", patient_id=patient_id), code=303)


@bp.post("/patients/<int:patient_id>/maintenance")
@staff_required
def start_maintenance(patient_id: int):
    patient = patient_or_404(patient_id)
    now = utcnow()
    series = services.start_maintenance(patient, by=current_user, now=now)
    audit("series.start_maintenance", now=now, actor=current_user, patient_id=patient.id,
          target=f"series:{series.id}")
    db.session.commit()
    flash("Maintenance series started: new infusions are numbered from 1 in it.")
    return redirect(url_for("patients.show", patient_id=patient.id), code=303)
