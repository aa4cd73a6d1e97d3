"""Session record input. Times are typed in the clinic's local time and stored in UTC; every
message says in plain words what is wrong and which value it is about."""

from datetime import UTC
from zoneinfo import ZoneInfo

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from app.forms import Text
from app.infusions.schemas import EARLIEST_YEAR, LATEST_YEAR, LOCAL_FORMAT
from app.monitoring.models import LEVELS, PHASES

LEVEL_ERROR = "Choose none, mild, moderate or severe."
BOOLEAN_WORDS = {"invalid": "Answer yes or no."}


def _measure(name: str, low: int, high: int, unit: str) -> fields.Integer:
    return fields.Integer(
        load_default=None, allow_none=True,
        error_messages={"invalid": f"Give the {name} as a whole number of {unit}."},
        validate=validate.Range(low, high, error=f"The {name} must be between {low} and "
                                                 f"{high} {unit}. Check the reading."))


def _local_time(what: str) -> fields.NaiveDateTime:
    return fields.NaiveDateTime(required=True, format=LOCAL_FORMAT, error_messages={
        "required": f"Enter the time {what}.", "null": f"Enter the time {what}.",
        "invalid": "Give the date and time, e.g. 2026-03-10 14:30."})


class _LocalTimes(Schema):
    """Turns its one time field (``time_field``), typed in the clinic's zone, into UTC."""

    time_field = ""

    def __init__(self, *, timezone: str, **kwargs):
        super().__init__(**kwargs)
        self.zone = ZoneInfo(timezone)

    @validates_schema
    def plausible_year(self, data, **kwargs):
        value = data.get(self.time_field)
        if value is not None and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            raise ValidationError(f"Use a date between {EARLIEST_YEAR} and {LATEST_YEAR}.",
                                  self.time_field)

    @post_load
    def to_utc(self, data, **kwargs):
        data[self.time_field] = data[self.time_field].replace(tzinfo=self.zone).astimezone(UTC)
        return data


class Reading(_LocalTimes):
    time_field = "taken_at"
    taken_at = _local_time("of the reading")
    phase = fields.String(required=True, validate=validate.OneOf(
        PHASES, error="Choose when the reading was taken: before the infusion, at about "
                      "40 minutes, before discharge, or another time."))
    systolic = _measure("systolic pressure (the top number)", 60, 260, "mmHg")
    diastolic = _measure("diastolic pressure (the bottom number)", 30, 160, "mmHg")
    heart_rate = _measure("heart rate", 30, 220, "beats a minute")
    spo2 = _measure("oxygen saturation", 50, 100, "%")

    @validates_schema
    def blood_pressure_whole(self, data, **kwargs):
        systolic, diastolic = data.get("systolic"), data.get("diastolic")
        if systolic is not None and diastolic is None:
            raise ValidationError("Enter the diastolic pressure (the bottom number) too.",
                                  "diastolic")
        if diastolic is not None and systolic is None:
            raise ValidationError("Enter the systolic pressure (the top number) too.",
                                  "systolic")
        if systolic is not None and diastolic >= systolic:
            raise ValidationError("The diastolic pressure must be below the systolic. Check "
                                  "the two numbers.", "diastolic")
        if all(data.get(n) is None for n in ("systolic", "heart_rate", "spo2")):
            raise ValidationError("Enter at least one value: blood pressure, heart rate or "
                                  "oxygen saturation.", "systolic")


class Observation(_LocalTimes):
    time_field = "observed_at"
    observed_at = _local_time("of the observation")
    dissociation = fields.String(required=True, validate=validate.OneOf(LEVELS,
                                                                        error=LEVEL_ERROR))
    sedation = fields.String(required=True, validate=validate.OneOf(LEVELS, error=LEVEL_ERROR))


class AdverseEvent(_LocalTimes):
    time_field = "occurred_at"
    occurred_at = _local_time("it happened")
    what = Text(max_length=500, required=True, error_messages={
        "required": "Say what happened.", "null": "Say what happened."})
    action_taken = Text(max_length=1000, required=True, error_messages={
        "required": "Say what was done about it.", "null": "Say what was done about it."})


class Discharge(_LocalTimes):
    time_field = "discharged_at"
    discharged_at = _local_time("the patient left")
    stable = fields.Boolean(required=True, error_messages={
        **BOOLEAN_WORDS, "required": "Answer whether the patient was stable.",
        "null": "Answer whether the patient was stable."})
    driver_present = fields.Boolean(required=True, error_messages={
        **BOOLEAN_WORDS, "required": "Answer whether a driver was there to take them home.",
        "null": "Answer whether a driver was there to take them home."})


def form_values(form) -> dict:
    """The posted form with empty inputs as None (so they count as not given)."""
    return {k: (v if v != "" else None) for k, v in form.items() if k != "csrf_token"}
