"""The admin's audit log: who did what to which patient's record, filtered and paginated."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user
from marshmallow import ValidationError

from app.audit import schemas, services
from app.audit.words import describe
from app.auth.access import admin_required
from app.forms import first_errors, without_blanks
from app.trends.filters import clinic_staff

bp = Blueprint("audit", __name__, url_prefix="/clinic", template_folder="templates")


@bp.get("/audit")
@admin_required
def log():
    raw = without_blanks(request.args)
    staff = clinic_staff(current_user.clinic_id)
    actions = services.clinic_actions(current_user.clinic_id)
    try:
        query = schemas.AuditQuery().load(raw)
    except ValidationError as error:
        return render_template("audit/log.html", values=raw, staff=staff, actions=actions,
                               events=[], errors=first_errors(error.messages), page=1,
                               newer=None, older=None, describe=describe), 422
    zone = ZoneInfo(current_user.clinic.timezone)

    def midnight(day):
        return datetime.combine(day, time(0), tzinfo=zone)

    events, more = services.clinic_log(
        current_user.clinic_id, actor_id=query["actor"], patient_id=query["patient"],
        action=query["action"],
        since=midnight(query["start"]) if query["start"] else None,
        before=midnight(query["end"] + timedelta(days=1)) if query["end"] else None,
        page=query["page"])
    page = query["page"]
    args = {k: v for k, v in raw.items() if k != "page" and v}
    return render_template(
        "audit/log.html", values=raw, staff=staff, actions=actions, events=events, errors={},
        page=page, describe=describe,
        newer=url_for("audit.log", **args, page=page - 1) if page > 1 else None,
        older=url_for("audit.log", **args, page=page + 1) if more else None)
