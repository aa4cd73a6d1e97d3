"""The triage queue (the clinician's landing page) and the flag actions."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.audit.services import record as audit
from app.auth.access import staff_required
from app.clinics.settings import effective
from app.clock import utcnow
from app.flags import schemas, services
from app.flags.lifecycle import resolving_needs_note
from app.flags.models import UNRESOLVED
from app.flags.reasons import how_long_ago
from app.forms import first_errors, load_form, without_blanks
from app.i18n import N_
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
                           how_long_ago=how_long_ago, resolving_needs_note=resolving_needs_note,
                           counts=services.counts_by_priority(clinic_id()),
                           priority_names=schemas.PRIORITY_NAMES, statuses=schemas.STATUSES,
                           rule_labels=schemas.RULE_LABELS)


def _act(flag, action: str, data: dict):
    now = utcnow()
    changed = getattr(services, action)(flag, by=current_user, now=now, note=data["note"])
    if changed:
        audit(f"flag.{action}", now=now, actor=current_user, patient_id=flag.patient_id,
              target=f"flag:{flag.id}", rule=flag.rule, note=data["note"])
    done = N_("Flag acknowledged.") if action == "acknowledge" else N_("Flag resolved.")
    flash(done if changed else N_("Nothing to do: someone already did that."))
    return redirect(data["back"] or url_for("flags.queue"), code=303)


@bp.post("/flags/<int:flag_id>/acknowledge")
@staff_required
def acknowledge(flag_id: int):
    """One click: no note needed (one may be given from the patient page)."""
    flag = flag_or_404(flag_id)
    data, errors = load_form(schemas.FlagAction())
    if errors:
        _bad_request(errors)
    return _act(flag, "acknowledge", data)


@bp.route("/flags/<int:flag_id>/resolve", methods=["GET", "POST"])
@staff_required
def resolve(flag_id: int):
    """Resolving an urgent or high flag needs a short note of what was done: GET shows the
    form for it (a page of its own, so it works without JavaScript); a POST without the note
    comes back to that form with the reason in words (422)."""
    flag = flag_or_404(flag_id)
    needs_note = resolving_needs_note(flag.priority) and flag.status.value in UNRESOLVED
    if request.method == "GET":
        query, errors = load_form(schemas.BackQuery(), without_blanks(request.args))
        if errors:
            _bad_request(errors)
        return _resolve_page(flag, {"back": query["back"]}, {})
    data, errors = load_form(schemas.ResolveWithNote() if needs_note else schemas.FlagAction())
    if set(errors) - {"note"}:
        _bad_request(errors)
    if errors:
        return _resolve_page(flag, dict(request.form), first_errors(errors)), 422
    return _act(flag, "resolve", data)


def _resolve_page(flag, values: dict, errors: dict):
    limits = services.thresholds(effective(current_user.clinic))
    [item] = services.explained([flag], limits)
    return render_template("flags/resolve.html", item=item, values=values, errors=errors,
                           needs_note=resolving_needs_note(flag.priority),
                           closed=flag.status.value not in UNRESOLVED,
                           priority_names=schemas.PRIORITY_NAMES,
                           rule_labels=schemas.RULE_LABELS)
