"""The clinician's list of their clinic's patients: sortable and searchable by name."""

from flask import Blueprint, abort, render_template, request

from app.auth.access import staff_required
from app.clock import utcnow
from app.dashboard import schemas
from app.dashboard.services import SORTS, patient_overview
from app.flags.schemas import PRIORITY_NAMES
from app.forms import first_errors, load_form, without_blanks
from app.i18n import N_
from app.scoping import clinic_id

bp = Blueprint("dashboard", __name__, url_prefix="/clinic", template_folder="templates")

COLUMN_NAMES = {"name": N_("Patient"), "flag": N_("Highest open flag"),
                "checkin": N_("Last check-in"), "mood": N_("Latest mood (baseline)"),
                "phq9": N_("PHQ-9 latest (baseline)"), "infusion": N_("Next infusion")}


@bp.get("/patients")
@staff_required
def index():
    query, errors = load_form(schemas.PatientListQuery(), without_blanks(request.args))
    if errors:
        abort(400, " ".join(first_errors(errors).values()))
    rows = patient_overview(clinic_id(), name=query["q"], sort=query["sort"],
                            descending=query["order"] == "desc")
    return render_template("dashboard/index.html", rows=rows, query=query, sorts=SORTS,
                           columns=COLUMN_NAMES, priority_names=PRIORITY_NAMES, now=utcnow())
