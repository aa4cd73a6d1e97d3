"""The patient's pages (home, check-in form, history) and the check-in JSON API."""

import uuid

from flask import Blueprint, jsonify, redirect, render_template, url_for
from flask_login import current_user
from marshmallow import ValidationError

from app.api.openapi import documented
from app.api.requests import json_body, query_args
from app.api.schemas import ErrorResponse
from app.auth.access import patient_required, refuse_entry_of_another_account
from app.checkins import catalog, schemas, services
from app.checkins.form import form_errors, payload_from_form
from app.checkins.grouping import by_series_and_infusion
from app.checkins.schemas import device_timed
from app.clock import utcnow
from app.prompts.services import open_prompts
from app.ratelimits import checkin_limit
from app.scoping import own_checkin_or_404, own_patient

bp = Blueprint("checkins", __name__, template_folder="templates")
api = Blueprint("checkins_api", __name__, url_prefix="/api/v1")
# The answer's schemas, made once (dumping keeps no state; making them cost about 5% of a
# check-in: issue 14).
CHECKIN_OUT, FOLLOW_UP_OUT = schemas.CheckinOut(), schemas.FollowUpOut()


def _form(patient, **context):
    return render_template(
        "checkins/form.html", patient=patient,
        ask_home_safely=services.first_after_latest_infusion(patient.id, utcnow()),
        last_time=services.reported_last_time(patient.id), **context)


@bp.get("/")
def home():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    if current_user.role != "patient":
        return redirect(url_for("flags.queue"))
    patient = own_patient()
    recent = services.history(patient.id, limit=1)
    return render_template("checkins/home.html", patient=patient,
                           last=recent[0] if recent else None,
                           due=open_prompts(patient.id, utcnow()))


@bp.get("/checkin")
@patient_required
def new():
    patient = own_patient()
    return _form(patient, client_id=uuid.uuid4(), values={}, errors={})


@bp.post("/checkin")
@patient_required
@checkin_limit
def create():
    patient = own_patient()
    payload = payload_from_form(utcnow())
    try:
        data = device_timed(schemas.CheckinIn).load(payload)
    except ValidationError as error:
        return _form(patient, client_id=payload.get("client_id") or uuid.uuid4(),
                     values=payload, errors=form_errors(error.messages, payload)), 422
    checkin, _created = services.submit(patient, data, now=utcnow())
    return redirect(url_for("checkins.done", checkin_id=checkin.id), code=303)


@bp.get("/checkins/<int:checkin_id>")
@patient_required
def done(checkin_id: int):
    patient = own_patient()
    checkin = own_checkin_or_404(patient, checkin_id)
    return render_template("checkins/done.html", patient=patient, checkin=checkin,
                           follow_up=services.follow_up(patient, checkin))


@bp.get("/history")
@patient_required
def history():
    patient = own_patient()
    checkins = services.history(patient.id, limit=200)
    return render_template("checkins/history.html", patient=patient,
                           groups=by_series_and_infusion(checkins),
                           severities=catalog.SEVERITIES)


@api.post("/checkins")
@patient_required
@checkin_limit
@documented(summary="Submit a check-in (idempotent by client_id)", body=schemas.CheckinApiIn,
            responses={201: (schemas.CheckinSubmitted, "Stored"),
                       200: (schemas.CheckinSubmitted,
                             "Already stored: the original check-in"),
                       409: (ErrorResponse, "Declared for another account: nothing stored"),
                       429: (ErrorResponse, "Too many check-ins and PHQ-9s this minute or hour; "
                                             "the outbox tries again later")},
            tags=["checkins"])
def api_create():
    patient = own_patient()
    data = json_body(device_timed(schemas.CheckinApiIn))
    refused = refuse_entry_of_another_account(data)
    if refused is not None:
        return refused
    checkin, created = services.submit(patient, data, now=utcnow())
    # A worrying check-in's answer tells the app to show the crisis and clinic contacts first
    # (clinical.md).
    body = (CHECKIN_OUT.dump(checkin)
            | FOLLOW_UP_OUT.dump(services.follow_up(patient, checkin)))
    return jsonify(body), 201 if created else 200


@api.get("/checkins")
@patient_required
@documented(summary="The signed-in patient's own check-ins, newest first",
            query=schemas.CheckinListQuery,
            responses={200: (schemas.CheckinList, "Check-ins")}, tags=["checkins"])
def api_list():
    patient = own_patient()
    args = query_args(schemas.CheckinListQuery())
    items = services.history(patient.id, limit=args["limit"], before_id=args["before_id"])
    next_before = items[-1].id if len(items) == args["limit"] else None
    return jsonify(schemas.CheckinList().dump({"items": items, "next_before_id": next_before}))
