"""The weekly PHQ-9 for patients: a form that works without JavaScript, and a JSON endpoint."""

import uuid

from flask import (
    Blueprint,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from marshmallow import ValidationError

from app.api.openapi import documented
from app.api.requests import json_body
from app.api.schemas import ErrorResponse
from app.auth.access import patient_required, refuse_entry_of_another_account
from app.checkins.form import number
from app.checkins.schemas import device_timed
from app.clock import utcnow
from app.flags.services import raised_for
from app.forms import first_errors
from app.phq9 import instrument, schemas, services
from app.ratelimits import checkin_limit
from app.scoping import own_patient, own_phq9_response_or_404

bp = Blueprint("phq9", __name__, template_folder="templates")
api = Blueprint("phq9_api", __name__, url_prefix="/api/v1")


def _form_errors(messages: dict) -> dict[str, str]:
    """Per-answer messages beside their own question; the rest as they come."""
    answers = messages.get("answers")
    if isinstance(answers, dict):
        return {f"item-{index + 1}": gettext(problems[0])
                for index, problems in answers.items()}
    return first_errors(messages)


def _form_payload(now) -> dict:
    answers = []
    for item in instrument.ITEMS:
        answers.append(number(request.form.get(f"item-{item.number}")))
    return {"client_id": request.form.get("client_id", ""), "taken_at": now.isoformat(),
            "answers": answers}


@bp.get("/phq9")
@patient_required
def new():
    return render_template("phq9/form.html", patient=own_patient(), client_id=uuid.uuid4(),
                           values={}, errors={}, instrument=instrument)


@bp.post("/phq9")
@patient_required
@checkin_limit
def create():
    patient = own_patient()
    payload = _form_payload(utcnow())
    try:
        data = device_timed(schemas.Phq9In).load(payload)
    except ValidationError as error:
        errors = _form_errors(error.messages)
        return render_template("phq9/form.html", patient=patient, instrument=instrument,
                               client_id=payload["client_id"] or uuid.uuid4(),
                               values=payload, errors=errors), 422
    response, _created = services.submit(patient, data, now=utcnow())
    return redirect(url_for("phq9.done", response_id=response.id), code=303)


@bp.get("/phq9/<int:response_id>")
@patient_required
def done(response_id: int):
    patient = own_patient()
    response = own_phq9_response_or_404(patient, response_id)
    return render_template("phq9/done.html", patient=patient,
                           safety=services.needs_safety_help(response, patient.clinic),
                           alerted=raised_for("phq9", response.id))


@api.post("/phq9")
@patient_required
@checkin_limit
@documented(summary="Submit a PHQ-9 (idempotent by client_id)", body=schemas.Phq9ApiIn,
            responses={201: (schemas.Phq9Out, "Stored"),
                       200: (schemas.Phq9Out, "Already stored: the original"),
                       409: (ErrorResponse, "Declared for another account: nothing stored"),
                       429: (ErrorResponse, "Too many check-ins and PHQ-9s this minute or hour; "
                                             "the outbox tries again later")},
            tags=["phq9"])
def api_create():
    patient = own_patient()
    data = json_body(device_timed(schemas.Phq9ApiIn))
    refused = refuse_entry_of_another_account(data)
    if refused is not None:
        return refused
    response, created = services.submit(patient, data, now=utcnow())
    body = schemas.Phq9Out().dump(response)
    body["safety"] = services.needs_safety_help(response, patient.clinic)
    return jsonify(body), 201 if created else 200
