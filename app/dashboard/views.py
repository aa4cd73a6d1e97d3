"""The clinician's landing page."""

from flask import Blueprint, render_template

from app.auth.access import staff_required
from app.dashboard.services import patient_overview
from app.scoping import clinic_id

bp = Blueprint("dashboard", __name__, url_prefix="/clinic", template_folder="templates")


@bp.get("/patients")
@staff_required
def index():
    return render_template("dashboard/index.html", rows=patient_overview(clinic_id()))
