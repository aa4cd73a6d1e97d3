"""The triage queue (the clinician's landing page) and the flag actions."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.audit.services import record as audit
from app.auth.access import staff_required
from app.clinics.settings import effective
from app.clock import utcnow
from app.flags import schemas, services
from app.flags.models import UNRESOLVED
from app.flags.reasons import how_long_ago
from app.forms import first_errors, load_form
from app.scoping import clinic_id, flag_or_404

bp = Blueprint("flags", __name__, url_prefix="/clinic", template_folder="templates")
NAME_TO_PRIORITY = {name: value for value, name in schemas.PRIORITY_NAMES.items()}


def _bad_request(errors: dict):
    abort(400, "; ".join(f"{k}: {v}" for k, v in first_errors(errors).items()))


@bp.get("/")
@staff_required
def queue():
    chosen = {k: v for k, v in request.args.items() if v != ""}  # "All" sends an empty value
    filters, errors = load_form(schemas.QueueFilter(), chosen)
    if errors:
        _bad_request(errors)
    statuses = UNRESOLVED if filters["status"] == "unresolved" else (filters["status"],)
    limits = services.thresholds(effective(current_user.clinic))
    blocks = services.triage_queue(clinic_id(), limits, statuses=statuses, rule=filters["rule"],
                                   priority=NAME_TO_PRIORITY.get(filters["priority"]))
    return render_template("flags/queue.html", blocks=blocks, filters=filters, now=utcnow(),
                           how_long_ago=how_long_ago,
                           counts=services.counts_by_priority(clinic_id()),
                           priority_names=schemas.PRIORITY_NAMES,
                           rule_labels=schemas.RULE_LABELS)


def _act(flag_id: int, action: str):
    flag = flag_or_404(flag_id)
    data, errors = load_form(schemas.FlagAction())
    if errors:
        _bad_request(errors)
    now = utcnow()
    changed = getattr(services, action)(flag, by=current_user, now=now, note=data["note"])
    if changed:
        audit(f"flag.{action}", now=now, actor=current_user, patient_id=flag.patient_id,
              target=f"flag:{flag.id}", rule=flag.rule)
    flash(f"Flag {'acknowledged' if action == 'acknowledge' else 'resolved'}." if changed
          else "Nothing to do: someone already did that.")
    return redirect(data["back"] or url_for("flags.queue"), code=303)


@bp.post("/flags/<int:flag_id>/acknowledge")
@staff_required
def acknowledge(flag_id: int):
    return _act(flag_id, "acknowledge")


@bp.post("/flags/<int:flag_id>/resolve")
@staff_required
def resolve(flag_id: int):
    return _act(flag_id, "resolve")
