"""The settings change log in words (issue 15, point 6): "Crisis phone number changed from
(555) 010-0199 to (555) 010-0100", never ``phone`` or ``quiet_hours_start`` and a raw value.

Each audit event of the change log (action ``clinic.settings``) keeps the setting's stable key
in ``target`` and its old and new values in ``detail``; this module only says them.
"""

from flask_babel import gettext

from app.i18n import N_

LABELS = {
    "phone": N_("Crisis phone number"),
    "timezone": N_("Clinic time zone"),
    "checkin_ladder_hours": N_("Check-ins, hours after the infusion"),
    "quiet_hours_start": N_("Quiet hours start"),
    "quiet_hours_end": N_("Quiet hours end"),
    "reminder_delay_hours": N_("Reminder after, hours"),
    "answer_window_hours": N_("Longest answer window, hours"),
    "readiness_time": N_("Readiness check-in time"),
    "severe_from": N_("Severe side effect from severity"),
    "persistent_after_hours": N_("Persisting side effect, hours after the infusion"),
    "unresolved_after_hours": N_("Unresolved side effect, hours after the infusion"),
    "unresolved_silence_hours": N_("Unresolved side effect, hours without a check-in"),
    "mood_drop_points": N_("Mood drop, points below the baseline"),
    "mood_floor": N_("Mood flagged at or below"),
    "missed_in_a_row": N_("Missed check-ins in a row"),
    "missed_first_day_hours": N_("No check-in answered within, hours"),
    "phq9_worsening_points": N_("PHQ-9 worsening, points above the baseline"),
    "safety_item9_from": N_("Safety answer, PHQ-9 item 9 at or above"),
    "escalate_after_minutes": N_("Escalate an unacknowledged safety flag after, minutes"),
    "bp_alert_systolic": N_("In-session alert, systolic at or above (mmHg)"),
    "bp_alert_diastolic": N_("In-session alert, diastolic at or above (mmHg)"),
    "spo2_alert_below": N_("In-session alert, oxygen saturation below (%)"),
    "require_staff_mfa": N_("Require staff mfa"),  # the words it always had
}
BOOLEAN_WORDS = {True: N_("True"), False: N_("False")}


def label(key: str) -> str:
    """The setting's name in words; a key nobody named yet reads as words, not snake_case."""
    return gettext(LABELS[key]) if key in LABELS else key.replace("_", " ").capitalize()


def value_text(value) -> str:
    if value is None or value == "":
        return gettext("(none)")
    if isinstance(value, bool):
        return gettext(BOOLEAN_WORDS[value])
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def sentence(key: str, old, new) -> str:
    """"Quiet hours start changed from 21:30 to 22:00"."""
    return gettext("%(setting)s changed from %(old)s to %(new)s", setting=label(key),
                   old=value_text(old), new=value_text(new))
