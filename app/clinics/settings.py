"""Clinical defaults (shared/design/clinical.md). Each one is a clinic setting, not a constant."""

DEFAULTS: dict = {
    "checkin_ladder_hours": [2, 6, 24, 48, 72],
    "quiet_hours_start": "21:30",
    "quiet_hours_end": "08:00",
    "reminder_delay_hours": 2,
    "answer_window_hours": 24,
    "readiness_time": "18:00",
    # flag thresholds (clinical.md, "Flag rules")
    "severe_from": 3,
    "persistent_after_hours": 24,
    "unresolved_after_hours": 30,
    "unresolved_silence_hours": 6,
    "mood_drop_points": 3,
    "mood_floor": 2,
    "missed_in_a_row": 2,
    "missed_first_day_hours": 24,
    "phq9_worsening_points": 5,
    "safety_item9_from": 1,
    "escalate_after_minutes": 30,
    # security: every staff member signs in with a second factor (app/mfa)
    "require_staff_mfa": False,
    # in-session safety (clinical.md, "In-clinic monitoring"; issue 18)
    "bp_alert_systolic": 180,
    "bp_alert_diastolic": 110,
    "spo2_alert_below": 90,
}


def effective(clinic) -> dict:
    """The clinic's settings: its own values over the defaults."""
    return {**DEFAULTS, **(clinic.settings or {})}
