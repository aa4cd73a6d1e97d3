"""The patient's own progress page."""

from flask import Blueprint, render_template

from app.auth.access import patient_required
from app.progress import services
from app.scoping import own_patient

bp = Blueprint("progress", __name__, template_folder="templates")

BAR_HEIGHT = 26


@bp.get("/progress")
@patient_required
def show():
    patient = own_patient()
    items = services.infusions_progress(patient)
    return render_template("progress/show.html", items=items,
                           mood_text=services.mood_summary(items),
                           side_effect_text=services.side_effect_summary(items),
                           bar_height=BAR_HEIGHT)
