"""The clinic's reach: which channels reach its patients, and who is not reached."""

from flask import Blueprint, render_template
from flask_login import current_user

from app.audit.services import record as audit
from app.auth.access import staff_required
from app.clock import utcnow
from app.notifications import reach
from app.scoping import clinic_id
from app.security import audited_read

bp = Blueprint("reach", __name__, url_prefix="/clinic", template_folder="templates")


@bp.get("/reach")
@audited_read
@staff_required
def index():
    now = utcnow()
    audit("clinic.reach_view", now=now, actor=current_user)
    return render_template("notifications/reach.html", days=reach.REACH_DAYS,
                           rows=reach.clinic_reach(clinic_id(), now),
                           unreached=reach.unreached_patients(clinic_id(), now))
