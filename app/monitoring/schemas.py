"""Session record input. Times are typed in the clinic's local time and stored in UTC; every
message says in plain words what is wrong and which value it is about."""

from datetime import UTC
from zoneinfo import ZoneInfo

from flask_babel import gettext
from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from app.forms import Text
from app.i18n import N_
from app.infusions.schemas import EARLIEST_YEAR, LATEST_YEAR, LOCAL_FORMAT
from app.monitoring.models import LEVELS, PHASES

LEVEL_ERROR = N_("Choose none, mild, moderate or severe.")
BOOLEAN_WORDS = {"invalid": N_("Answer yes or no.")}


def _measure(low: int, high: int, invalid: str, out_of_range: str) -> fields.Integer:
    """Each message whole, in words, so the catalog translates it (issue 19)."""
    return fields.Integer(load_default=None, allow_none=True,
                          error_messages={"invalid": invalid},
                          validate=validate.Range(low, high, error=out_of_range))


def _local_time(missing: str) -> fields.NaiveDateTime:
    return fields.NaiveDateTime(required=True, format=LOCAL_FORMAT, error_messages={
        "required": missing, "null": missing,
        "invalid": N_("Give the date and time, e.g. 2026-03-10 14:30.")})


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
            raise ValidationError(gettext("Use a date between %(first)s and %(last)s.",
                                          first=EARLIEST_YEAR, last=LATEST_YEAR),
                                  self.time_field)

    @post_load
    def to_utc(self, data, **kwargs):
        data[self.time_field] = data[self.time_field].replace(tzinfo=self.zone).astimezone(UTC)
        return data


class Reading(_LocalTimes):
    time_field = "taken_at"
    taken_at = _local_time(N_("Enter the time of the reading."))
    phase = fields.String(required=True, validate=validate.OneOf(
        PHASES, error=N_("Choose when the reading was taken: before the infusion, at about "
                         "40 minutes, before discharge, or another time.")))
    systolic = _measure(60, 260, N_("Give the systolic pressure (the top number) as a whole "
                                    "number of mmHg."),
                        N_("The systolic pressure (the top number) must be between 60 and 260 "
                           "mmHg. Check the reading."))
    diastolic = _measure(30, 160, N_("Give the diastolic pressure (the bottom number) as a "
                                     "whole number of mmHg."),
                         N_("The diastolic pressure (the bottom number) must be between 30 and "
                            "160 mmHg. Check the reading."))
    heart_rate = _measure(30, 220, N_("Give the heart rate as a whole number of beats a "
                                      "minute."),
                          N_("The heart rate must be between 30 and 220 beats a minute. Check "
                             "the reading."))
    spo2 = _measure(50, 100, N_("Give the oxygen saturation as a whole number of %."),
                    N_("The oxygen saturation must be between 50 and 100 %. Check the "
                       "reading."))

    @validates_schema
    def blood_pressure_whole(self, data, **kwargs):
        systolic, diastolic = data.get("systolic"), data.get("diastolic")
        if systolic is not None and diastolic is None:
            raise ValidationError(N_("Enter the diastolic pressure (the bottom number) too."),
                                  "diastolic")
        if diastolic is not None and systolic is None:
            raise ValidationError(N_("Enter the systolic pressure (the top number) too."),
                                  "systolic")
        if systolic is not None and diastolic >= systolic:
            raise ValidationError(N_("The diastolic pressure must be below the systolic. "
                                     "Check the two numbers."), "diastolic")
        if all(data.get(n) is None for n in ("systolic", "heart_rate", "spo2")):
            raise ValidationError(N_("Enter at least one value: blood pressure, heart rate or "
                                     "oxygen saturation."), "systolic")


class Observation(_LocalTimes):
    time_field = "observed_at"
    observed_at = _local_time(N_("Enter the time of the observation."))
    dissociation = fields.String(required=True, validate=validate.OneOf(LEVELS,
                                                                        error=LEVEL_ERROR))
    sedation = fields.String(required=True, validate=validate.OneOf(LEVELS, error=LEVEL_ERROR))


class AdverseEvent(_LocalTimes):
    time_field = "occurred_at"
    occurred_at = _local_time(N_("Enter the time it happened."))
    what = Text(max_length=500, required=True, error_messages={
        "required": N_("Say what happened."), "null": N_("Say what happened.")})
    action_taken = Text(max_length=1000, required=True, error_messages={
        "required": N_("Say what was done about it."),
        "null": N_("Say what was done about it.")})


class Discharge(_LocalTimes):
    time_field = "discharged_at"
    discharged_at = _local_time(N_("Enter the time the patient left."))
    stable = fields.Boolean(required=True, error_messages={
        **BOOLEAN_WORDS, "required": N_("Answer whether the patient was stable."),
        "null": N_("Answer whether the patient was stable.")})
    driver_present = fields.Boolean(required=True, error_messages={
        **BOOLEAN_WORDS, "required": N_("Answer whether a driver was there to take them home."),
        "null": N_("Answer whether a driver was there to take them home.")})


def form_values(form) -> dict:
    """The posted form with empty inputs as None (so they count as not given)."""
    return {k: (v if v != "" else None) for k, v in form.items() if k != "csrf_token"}
