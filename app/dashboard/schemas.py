"""The patient list's query string: search by name, sort by a column. Anything else is a 400
in words, never a 500."""

from marshmallow import Schema, fields, validate

from app.dashboard.services import SORTS
from app.forms import Text
from app.i18n import N_

SORT_ERROR = N_("Sort by one of: name, flag, checkin, mood, phq9, infusion.")  # SORTS, in order


class PatientListQuery(Schema):
    q = Text(load_default="", max_length=120)
    sort = fields.String(load_default="flag", validate=validate.OneOf(SORTS, error=SORT_ERROR))
    order = fields.String(load_default="asc", validate=validate.OneOf(
        ("asc", "desc"), error=N_("Order is asc or desc.")))
