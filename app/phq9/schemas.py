from marshmallow import Schema, fields, validate

from app.checkins.schemas import Timed, declared_account
from app.i18n import N_
from app.phq9.instrument import ITEMS


class Phq9In(Timed):
    client_id = fields.UUID(required=True)
    answers = fields.List(
        fields.Integer(strict=True, validate=validate.Range(
            0, 3, error=N_("Each answer is 0 (not at all) to 3 (nearly every day)."))),
        required=True,
        validate=validate.Length(equal=len(ITEMS), error=N_("Answer all nine questions.")))


class Phq9ApiIn(Phq9In):
    """A PHQ-9 sent by the app (JSON): it also declares whose it is (see CheckinApiIn)."""

    account = declared_account()


class Phq9Out(Schema):
    id = fields.Integer()
    client_id = fields.UUID()
    taken_at = fields.AwareDateTime()
    total = fields.Integer()
    answers = fields.List(fields.Integer())
    # Filled in by the view from the clinic's threshold (flags.rules.is_safety_answer).
    safety = fields.Boolean(metadata={
        "description": "True when item 9 is a safety answer by the clinic's threshold "
                       "(default: answered above 0): show crisis help now"})
