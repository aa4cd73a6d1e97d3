"""The settings change log in words (issue 15, point 6): "Crisis phone number changed from
(555) 010-0199 to (555) 010-0100", never ``phone`` or ``quiet_hours_start`` and a raw value.

Each audit event of the change log (action ``clinic.settings``) keeps the setting's stable key
in ``target`` and its old and new values in ``detail``; this module only says them.
"""

LABELS = {
    "phone": "Crisis phone number",
    "timezone": "Clinic time zone",
    "checkin_ladder_hours": "Check-ins, hours after the infusion",
    "quiet_hours_start": "Quiet hours start",
    "quiet_hours_end": "Quiet hours end",
    "reminder_delay_hours": "Reminder after, hours",
    "answer_window_hours": "Longest answer window, hours",
    "readiness_time": "Readiness check-in time",
    "severe_from": "Severe side effect from severity",
    "persistent_after_hours": "Persisting side effect, hours after the infusion",
    "unresolved_after_hours": "Unresolved side effect, hours after the infusion",
    "unresolved_silence_hours": "Unresolved side effect, hours without a check-in",
    "mood_drop_points": "Mood drop, points below the baseline",
    "mood_floor": "Mood flagged at or below",
    "missed_in_a_row": "Missed check-ins in a row",
    "missed_first_day_hours": "No check-in answered within, hours",
    "phq9_worsening_points": "PHQ-9 worsening, points above the baseline",
    "safety_item9_from": "Safety answer, PHQ-9 item 9 at or above",
    "escalate_after_minutes": "Escalate an unacknowledged safety flag after, minutes",
    "bp_alert_systolic": "In-session alert, systolic at or above (mmHg)",
    "bp_alert_diastolic": "In-session alert, diastolic at or above (mmHg)",
    "spo2_alert_below": "In-session alert, oxygen saturation below (%)",
}


def label(key: str) -> str:
    """The setting's name in words; a key nobody named yet reads as words, not snake_case."""
    return LABELS.get(key) or key.replace("_", " ").capitalize()


def value_text(value) -> str:
    if value is None or value == "":
        return "(none)"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def sentence(key: str, old, new) -> str:
    """"Quiet hours start changed from 21:30 to 22:00"."""
    return f"{label(key)} changed from {value_text(old)} to {value_text(new)}"
