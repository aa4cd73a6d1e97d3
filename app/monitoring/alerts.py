"""In-session safety (issue 18): a pure rule over one reading and the clinic's thresholds."""


def reading_alert(systolic, diastolic, spo2, settings: dict) -> str:
    """What is wrong with the reading in words, or "" when nothing is. Blood pressure at or
    above the clinic's threshold (either number; default 180/110 mmHg), saturation below its
    threshold (default 90%)."""
    found = []
    high_sys, high_dia = settings["bp_alert_systolic"], settings["bp_alert_diastolic"]
    if (systolic is not None and systolic >= high_sys) or (
            diastolic is not None and diastolic >= high_dia):
        found.append(f"Blood pressure at or above {high_sys}/{high_dia} mmHg")
    if spo2 is not None and spo2 < settings["spo2_alert_below"]:
        found.append(f"Oxygen saturation below {settings['spo2_alert_below']}%")
    return "; ".join(found)
