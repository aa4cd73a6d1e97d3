"""The cohort page, and the JSON chart endpoints for one patient and for the cohort.

Chart endpoints: ``/api/v1/patients/<id>/charts/<name>`` and ``/api/v1/cohort/<name>``, one
route per chart name so each is listed in the OpenAPI document. A patient chart is a view of
that patient's data: it writes an audit event, like the page. A cohort chart does too (one
``cohort.chart`` event per read, naming the filters in force, defaults included): a filter
narrowed to one day can come close to one person. Its figures from fewer than five patients
are withheld (``cohort_charts.MIN_PATIENTS``), so no per-patient events are written, unlike the
cohort CSV, whose rows are the patients' own records.
"""

from urllib.parse import urlencode

from flask import Blueprint, jsonify, render_template, request
from flask_login import current_user
from marshmallow import ValidationError

from app.api.openapi import documented
from app.api.requests import query_args
from app.api.schemas import ErrorResponse
from app.audit.services import record as audit
from app.auth.access import staff_required
from app.clinics.settings import effective
from app.clock import utcnow
from app.forms import first_errors, without_blanks
from app.scoping import patient_or_404
from app.security import audited_read
from app.templating import viewer_timezone
from app.trends import cohort_charts, filters, patient, schemas
from app.trends.assets import chart_js_url

bp = Blueprint("trends", __name__, url_prefix="/clinic", template_folder="templates")
api = Blueprint("trends_api", __name__, url_prefix="/api/v1")

_chart_doc = {200: (schemas.Chart, "The chart's data and its table"),
              403: (ErrorResponse, "Staff only"), 404: (ErrorResponse, "No such patient")}


def _patient_chart_view(name: str):
    @staff_required
    def view(patient_id: int):
        found = patient_or_404(patient_id)
        audit("patient.chart", now=utcnow(), actor=current_user, patient_id=found.id,
              target=name)
        return jsonify(patient.chart(name, found.id, viewer_timezone()))

    view.__name__ = f"patient_chart_{name.replace('-', '_')}"
    return audited_read(documented(summary=f"One patient's {name} chart",
                                   responses=_chart_doc, tags=["charts"])(view))


def _cohort_chart_view(name: str):
    @staff_required
    def view():
        now = utcnow()
        query = filters.with_default_range(query_args(schemas.CohortQuery()),
                                           clinic=current_user.clinic, now=now)
        scope = filters.build(query, clinic=current_user.clinic, now=now)
        ladder = effective(current_user.clinic)["checkin_ladder_hours"]
        chart = cohort_charts.chart(name, scope, ladder)
        audit("cohort.chart", now=now, actor=current_user, target=name, **_named(query))
        return jsonify(chart)

    view.__name__ = f"cohort_chart_{name.replace('-', '_')}"
    return audited_read(documented(
        summary=f"The clinic's cohort {name} chart", query=schemas.CohortQuery,
        responses={**_chart_doc, 403: (ErrorResponse, "Staff only, or opened from another site"),
                   404: (ErrorResponse, "Not found")}, tags=["charts"])(view))


for _name in patient.NAMES:
    api.add_url_rule(f"/patients/<int:patient_id>/charts/{_name}",
                     view_func=_patient_chart_view(_name), methods=["GET"])
for _name in cohort_charts.NAMES:
    api.add_url_rule(f"/cohort/{_name}", view_func=_cohort_chart_view(_name), methods=["GET"])


@bp.get("/cohort")
@audited_read
@staff_required
def cohort_page():
    raw = without_blanks(request.args)
    staff = filters.clinic_staff(current_user.clinic_id)
    try:
        query = filters.with_default_range(schemas.CohortQuery().load(raw),
                                           clinic=current_user.clinic, now=utcnow())
        scope = filters.build(query, clinic=current_user.clinic, now=utcnow())
    except ValidationError as error:
        return render_template("trends/cohort.html", values=raw, staff=staff, charts=[],
                               errors=first_errors(error.messages), chart_js=None,
                               min_patients=cohort_charts.MIN_PATIENTS), 422
    ladder = effective(current_user.clinic)["checkin_ladder_hours"]
    # The charts, the form and the export all name the dates in force, defaults included.
    values = {**raw, **{k: query[k].isoformat() for k in ("start", "end") if query.get(k)}}
    query_string = urlencode({k: v for k, v in values.items() if k in schemas.CohortQuery().fields})
    charts = [{"name": name,
               "url": f"/api/v1/cohort/{name}" + (f"?{query_string}" if query_string else ""),
               **cohort_charts.chart(name, scope, ladder)} for name in cohort_charts.NAMES]
    audit("cohort.view", now=utcnow(), actor=current_user, target="cohort", **_named(query))
    return render_template("trends/cohort.html", values=values, staff=staff, charts=charts,
                           errors={}, chart_js=chart_js_url(),
                           min_patients=cohort_charts.MIN_PATIENTS,
                           export_query=query_string)


def _named(query: dict) -> dict:
    """The filters of a cohort read as the audit event names them."""
    return {k: str(v) for k, v in query.items() if v is not None}
