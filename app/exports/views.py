"""Downloads: one patient's CSV and FHIR Bundle, the cohort's CSV. Each is audited, sent as an
attachment with ``no-store``, and addressed by ids only (no health data in the URL)."""

import json

from flask import Blueprint, Response, render_template, request, stream_with_context
from flask_login import current_user
from marshmallow import ValidationError

from app.audit.services import record as audit
from app.auth.access import staff_required
from app.clock import utcnow
from app.exports.csvfile import csv_chunks
from app.exports.fhir import patient_bundle
from app.exports.services import cohort_patient_ids, cohort_rows, patient_rows
from app.forms import without_blanks
from app.mfa.access import fresh_second_factor
from app.scoping import patient_or_404
from app.security import audited_read
from app.trends import filters, schemas

bp = Blueprint("exports", __name__, url_prefix="/clinic")


def _download(body, *, filename: str, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/patients/<int:patient_id>/export.csv")
@audited_read
@staff_required
@fresh_second_factor
def patient_csv(patient_id: int):
    patient = patient_or_404(patient_id)
    now = utcnow()
    audit("patient.export", now=now, actor=current_user, patient_id=patient.id, target="csv")
    return _download(stream_with_context(csv_chunks(patient_rows(patient))),
                     filename=f"aftercare-patient-{patient.id}.csv",
                     mimetype="text/csv")


@bp.get("/patients/<int:patient_id>/export.fhir.json")
@audited_read
@staff_required
@fresh_second_factor
def patient_fhir(patient_id: int):
    patient = patient_or_404(patient_id)
    now = utcnow()
    bundle = patient_bundle(patient, now=now)
    audit("patient.export", now=now, actor=current_user, patient_id=patient.id, target="fhir")
    return _download(json.dumps(bundle, ensure_ascii=False),
                     filename=f"aftercare-patient-{patient.id}.fhir.json",
                     mimetype="application/fhir+json")


@bp.get("/cohort/export.csv")
@audited_read
@staff_required
@fresh_second_factor
def cohort_csv():
    try:
        query = schemas.CohortQuery().load(without_blanks(request.args))
        scope = filters.build(query, clinic=current_user.clinic, now=utcnow())
    except ValidationError as error:
        messages = error.messages if isinstance(error.messages, dict) else {}
        detail = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in messages.items())
        return render_template("errors/error.html", code=422, title="Invalid filters",
                               message=detail or "The filters are not valid."), 422
    now = utcnow()
    audit("cohort.export", now=now, actor=current_user, target="csv",
          **{k: str(v) for k, v in query.items() if v is not None})
    for patient_id in cohort_patient_ids(scope):  # whose records left, one event each
        audit("patient.export", now=now, actor=current_user, patient_id=patient_id,
              target="cohort-csv")
    return _download(stream_with_context(csv_chunks(cohort_rows(scope))),
                     filename="aftercare-cohort.csv", mimetype="text/csv")
