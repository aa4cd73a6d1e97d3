"""Check-in input and output. The JSON API and the no-JavaScript form share these schemas."""

from datetime import UTC, datetime, timedelta

from flask_babel import gettext
from marshmallow import (
    Schema,
    ValidationError,
    fields,
    validate,
    validates,
    validates_schema,
)

from app.checkins import catalog
from app.i18n import N_
from app.routing import MAX_ID

MAX_SKEW = timedelta(minutes=5)
MAX_AGE = timedelta(days=7)


class SymptomIn(Schema):
    code = fields.String(required=True, validate=validate.OneOf(
        sorted(catalog.SYMPTOM_CODES), error=N_("Unknown symptom code.")))
    severity = fields.Integer(required=True, strict=True, validate=validate.Range(
        catalog.SEVERITY_MIN, catalog.SEVERITY_MAX,
        error=N_("Severity is 0 (none) to 4 (very severe).")))
    detail = fields.String(load_default="", validate=validate.Length(
        max=catalog.OTHER_DETAIL_MAX_LENGTH))

    @validates_schema
    def detail_only_for_other(self, data, **kwargs):
        detail = data.get("detail", "").strip()
        if data.get("code") != catalog.OTHER and detail:
            raise ValidationError(N_("Only 'other' takes a description."), "detail")
        if data.get("code") == catalog.OTHER and data.get("severity", 0) > 0 and not detail:
            raise ValidationError(N_("Say briefly what the other side effect is."), "detail")


class Timed(Schema):
    """``taken_at`` from the device: not in the future (beyond a small skew), not too old.

    ``now`` and the limits come from the app's clock and settings.
    """

    taken_at = fields.AwareDateTime(required=True)

    def __init__(self, *, now: datetime | None = None, max_skew: timedelta = MAX_SKEW,
                 max_age: timedelta = MAX_AGE, **kwargs):
        super().__init__(**kwargs)
        self.now, self.max_skew, self.max_age = now, max_skew, max_age

    @validates("taken_at")
    def recent(self, value: datetime, **kwargs):
        now = self.now or datetime.now(UTC)
        if value > now + self.max_skew:
            raise ValidationError(N_("This time is in the future; check the phone's clock."))
        if value < now - self.max_age:
            # Its number is a setting (CHECKIN_MAX_AGE): translated here, with it filled in.
            raise ValidationError(gettext(
                "Answers older than %(days)s days can no longer be sent.", days=self.max_age.days))


def device_timed(schema_class: type[Timed]) -> Timed:
    """A Timed schema checking ``taken_at`` against the app's clock and settings."""
    from flask import current_app

    from app.clock import utcnow

    config = current_app.config
    return schema_class(now=utcnow(), max_skew=config["CHECKIN_MAX_CLOCK_SKEW"],
                        max_age=config["CHECKIN_MAX_AGE"])


class CheckinIn(Timed):
    """A check-in as sent by the phone."""

    client_id = fields.UUID(required=True)
    mood = fields.Integer(required=True, strict=True, validate=validate.Range(
        catalog.MOOD_MIN, catalog.MOOD_MAX, error=N_("Mood is a whole number from 0 to 10.")),
        error_messages={"required": N_("Please choose your mood, from 0 to 10."),
                        "null": N_("Please choose your mood, from 0 to 10.")})
    symptoms = fields.List(fields.Nested(SymptomIn), load_default=list,
                           validate=validate.Length(max=len(catalog.SYMPTOMS)))
    note = fields.String(load_default="", validate=validate.Length(
        max=catalog.NOTE_MAX_LENGTH,
        error=N_("Keep the note under 2000 characters.")))  # NOTE_MAX_LENGTH
    home_safely = fields.Boolean(load_default=None, allow_none=True)

    @validates("symptoms")
    def each_code_once(self, value: list, **kwargs):
        codes = [item["code"] for item in value if isinstance(item, dict) and "code" in item]
        if len(codes) != len(set(codes)):
            raise ValidationError(N_("Each symptom may appear once."))


ACCOUNT_FIELD_DESCRIPTION = (
    "Whose entry this is: the `account` value of GET /api/v1/session, stored with the entry "
    "when it was saved on the device. An entry declared for another account than the one "
    "signed in is refused (409, reason 'account_mismatch') and nothing is stored.")


def declared_account():
    return fields.String(required=True, validate=validate.Length(min=1, max=64),
                         metadata={"description": ACCOUNT_FIELD_DESCRIPTION})


class CheckinApiIn(CheckinIn):
    """A check-in sent by the app (JSON): it also declares whose it is. The no-JavaScript form
    (CheckinIn) needs no declaration: it is made and sent in one signed-in request."""

    account = declared_account()


class SymptomOut(Schema):
    code = fields.String()
    severity = fields.Integer()
    detail = fields.String()


class CheckinOut(Schema):
    id = fields.Integer()
    client_id = fields.UUID()
    taken_at = fields.AwareDateTime()
    received_at = fields.AwareDateTime()
    mood = fields.Integer()
    note = fields.String()
    home_safely = fields.Boolean(allow_none=True)
    infusion_number = fields.Integer(allow_none=True, attribute="infusion.number")
    symptoms = fields.List(fields.Nested(SymptomOut))


class FollowUpOut(Schema):
    worrying = fields.Boolean(metadata={"description": (
        "True after a worrying check-in (mood at or below the clinic's floor, a side effect "
        "severe or worse, or not home safely): show the crisis and clinic contacts first")})
    clinic_alerted = fields.Boolean(metadata={"description": (
        "True when a flag for the clinic holds this check-in: say the clinic has been alerted")})
    clinic_phone = fields.String(metadata={"description": "The clinic's phone number, or ''"})


class CheckinSubmitted(CheckinOut, FollowUpOut):
    """The answer to a submitted check-in: the check-in and what to show the patient next."""


class CheckinListQuery(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))
    before_id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=MAX_ID))


class CheckinList(Schema):
    items = fields.List(fields.Nested(CheckinOut))
    next_before_id = fields.Integer(allow_none=True)
