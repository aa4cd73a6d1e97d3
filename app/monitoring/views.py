"""The session record page: staff record readings, observations, adverse events and the
discharge while they watch the patient. Each form posts on its own; a refused value answers
422 with the page and the message beside the field, and nothing is kept."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from app.audit.services import record as audit
from app.auth.access import staff_required
from app.clock import utcnow
from app.forms import first_errors, load_form
from app.i18n import N_
from app.monitoring import models, schemas, services
from app.monitoring.alerts import in_words
from app.scoping import infusion_or_404
from app.security import audited_read

bp = Blueprint("monitoring", __name__, url_prefix="/clinic", template_folder="templates")

PHASE_WORDS = {"before": N_("Before the infusion"), "40min": N_("At about 40 minutes"),
               "discharge": N_("Before discharge"), "other": N_("Another time")}
LEVEL_WORDS = {"none": N_("none"), "mild": N_("mild"), "moderate": N_("moderate"),
               "severe": N_("severe")}


def _page(infusion, *, form: str = "", values: dict | None = None, errors: dict | None = None):
    errors = errors or {}
    return render_template("monitoring/session.html", infusion=infusion,
                           patient=infusion.series.patient,
                           session=services.session_record(infusion), form=form,
                           values=values or {}, errors=first_errors(errors),
                           phases={key: gettext(words) for key, words in PHASE_WORDS.items()},
                           now=utcnow(), alert_words=in_words, levels=LEVEL_WORDS,
                           level_options=[(level, gettext(LEVEL_WORDS[level]))
                                          for level in models.LEVELS],
                           ), 422 if errors else 200


@bp.get("/infusions/<int:infusion_id>/session")
@audited_read
@staff_required
def show(infusion_id: int):
    infusion = infusion_or_404(infusion_id)
    audit("session.view", now=utcnow(), actor=current_user, patient_id=infusion.patient_id,
          target=f"infusion:{infusion.id}")
    return _page(infusion)


def _post(infusion_id: int, form: str, schema_class, keep):
    """Validate the one posted form, keep it with ``keep(infusion, data, now)``, and go back
    to the page (303); a refused value shows the page again with its message (422)."""
    infusion = infusion_or_404(infusion_id)
    values = schemas.form_values(request.form)
    data, errors = load_form(schema_class(timezone=current_user.clinic.timezone), values)
    if not data:
        return _page(infusion, form=form, values=dict(request.form), errors=errors)
    now = utcnow()
    message = keep(infusion, data, now)
    audit(f"session.{form}", now=now, actor=current_user, patient_id=infusion.patient_id,
          target=f"infusion:{infusion.id}")
    flash(message)
    return redirect(url_for("monitoring.show", infusion_id=infusion.id) + f"#{form}", code=303)


@bp.post("/infusions/<int:infusion_id>/session/readings")
@staff_required
def add_reading(infusion_id: int):
    def keep(infusion, data, now):
        reading = services.add_reading(infusion, data, clinic=current_user.clinic,
                                       by=current_user, now=now)
        if reading.alert:
            return gettext("Reading recorded. Alert: %(alert)s.", alert=in_words(reading.alert))
        return N_("Reading recorded.")
    return _post(infusion_id, "reading", schemas.Reading, keep)


@bp.post("/infusions/<int:infusion_id>/session/observations")
@staff_required
def add_observation(infusion_id: int):
    def keep(infusion, data, now):
        services.add_row(models.SessionObservation, infusion, data, by=current_user, now=now)
        return N_("Observation recorded.")
    return _post(infusion_id, "observation", schemas.Observation, keep)


@bp.post("/infusions/<int:infusion_id>/session/events")
@staff_required
def add_event(infusion_id: int):
    def keep(infusion, data, now):
        services.add_row(models.AdverseEvent, infusion, data, by=current_user, now=now)
        return N_("Adverse event recorded.")
    return _post(infusion_id, "event", schemas.AdverseEvent, keep)


@bp.post("/infusions/<int:infusion_id>/session/discharge")
@staff_required
def discharge(infusion_id: int):
    def keep(infusion, data, now):
        services.set_discharge(infusion, data, by=current_user, now=now)
        return N_("Discharge recorded.")
    return _post(infusion_id, "discharge", schemas.Discharge, keep)
