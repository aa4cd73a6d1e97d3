"""Clinic settings form: each value within clinically sensible bounds."""

import re

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.forms import TimeZone, whole_number
from app.i18n import N_

HHMM = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]\Z")  # validate.Regexp anchors the start
MAX_WINDOW_HOURS = 7 * 24
# A number a person can dial: digits, spaces, brackets, dashes, dots, a leading +.
PHONE = re.compile(r"\+?[0-9 ().-]{3,30}\Z")
PHONE_ERROR = N_("Enter the clinic's phone number with digits, spaces, brackets or dashes, "
                  "for example (555) 010-0199.")


class HourList(fields.Field):
    """"2, 6, 24" -> [2, 6, 24]: whole hours after the infusion, each 1 to 168, no repeats."""

    def _deserialize(self, value, attr, data, **kwargs):
        parts = [p.strip() for p in str(value).split(",") if p.strip()]
        numbers = [whole_number(p) for p in parts]
        if not parts or None in numbers:
            raise ValidationError(N_("List whole hours separated by commas, e.g. 2, 6, 24."))
        hours = sorted(set(numbers))
        if len(hours) != len(parts):
            raise ValidationError(N_("Each hour may appear once."))
        if hours[0] < 1 or hours[-1] > MAX_WINDOW_HOURS or len(hours) > 10:
            raise ValidationError(N_("Up to 10 steps, each from 1 to 168 hours."))
        return hours


def _whole(low: int, high: int, error: str) -> fields.Integer:
    return fields.Integer(required=True, validate=validate.Range(low, high, error=error))


class ClinicSettings(Schema):
    checkin_ladder_hours = HourList(required=True)
    quiet_hours_start = fields.String(required=True, validate=validate.Regexp(
        HHMM, error=N_("Use 24-hour time, e.g. 21:30.")))
    quiet_hours_end = fields.String(required=True, validate=validate.Regexp(
        HHMM, error=N_("Use 24-hour time, e.g. 08:00.")))
    reminder_delay_hours = fields.Integer(required=True, validate=validate.Range(
        1, 24, error=N_("Between 1 and 24 hours.")))
    answer_window_hours = fields.Integer(required=True, validate=validate.Range(
        1, MAX_WINDOW_HOURS, error=N_("Between 1 hour and a week (168 hours).")))
    readiness_time = fields.String(required=True, validate=validate.Regexp(
        HHMM, error=N_("Use 24-hour time, e.g. 18:00.")))
    # flag thresholds (clinical.md, "Flag rules")
    severe_from = _whole(1, 4, N_("A severity from 1 (mild) to 4 (very severe)."))
    persistent_after_hours = _whole(1, MAX_WINDOW_HOURS, N_("Between 1 and 168 hours."))
    unresolved_after_hours = _whole(1, MAX_WINDOW_HOURS, N_("Between 1 and 168 hours."))
    unresolved_silence_hours = _whole(1, MAX_WINDOW_HOURS, N_("Between 1 and 168 hours."))
    mood_drop_points = _whole(1, 10, N_("Between 1 and 10 points."))
    mood_floor = _whole(0, 10, N_("A mood from 0 to 10."))
    missed_in_a_row = _whole(1, 10, N_("Between 1 and 10 prompts."))
    missed_first_day_hours = _whole(1, MAX_WINDOW_HOURS, N_("Between 1 and 168 hours."))
    phq9_worsening_points = _whole(1, 27, N_("Between 1 and 27 points."))
    safety_item9_from = _whole(1, 3, N_("An answer from 1 (several days) to 3 (nearly every day)."))
    escalate_after_minutes = _whole(5, 24 * 60, N_("Between 5 minutes and 24 hours."))
    # Optional (False) unless the form says otherwise.
    require_staff_mfa = fields.Boolean(load_default=False)
    # in-session safety (issue 18)
    bp_alert_systolic = _whole(120, 260, N_("A systolic pressure between 120 and 260 mmHg."))
    bp_alert_diastolic = _whole(60, 160, N_("A diastolic pressure between 60 and 160 mmHg."))
    spo2_alert_below = _whole(70, 100, N_("An oxygen saturation between 70 and 100%."))

    @validates_schema
    def quiet_hours_have_length(self, data, **kwargs):
        if data.get("quiet_hours_start") and data.get("quiet_hours_start") == data.get(
                "quiet_hours_end"):
            raise ValidationError(N_("Quiet hours must start and end at different times."),
                                  "quiet_hours_end")


class Phone(fields.String):
    """The clinic's phone number, shown to patients beside 911 and 988: required, dialable,
    with at least three digits. Surrounding spaces are dropped."""

    default_error_messages = {
        "phone": PHONE_ERROR,
        "required": N_("Enter the clinic's phone number: patients see it beside 911 and 988."),
    }

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text:
            raise self.make_error("required")
        if not PHONE.match(text) or sum(c.isdigit() for c in text) < 3:
            raise self.make_error("phone")
        return text


class ClinicDetails(Schema):
    """The clinic's own phone number and time zone (from the list the server knows)."""

    phone = Phone(required=True)
    timezone = TimeZone(required=True)


class SettingsForm(ClinicDetails, ClinicSettings):
    """The settings page's one form: the clinic's details and its clinical settings."""
