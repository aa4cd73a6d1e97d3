"""The clinician's landing page."""

from flask import Blueprint, render_template
from flask_login import current_user

from app.auth.access import staff_required
from app.dashboard.services import patient_overview

bp = Blueprint("dashboard", __name__, url_prefix="/clinic", template_folder="templates")


@bp.get("/patients")
@staff_required
def index():
    return render_template("dashboard/index.html", rows=patient_overview(current_user.clinic_id))
