"""In-session safety (issue 18): a pure rule over one reading and the clinic's thresholds.

The alert is stored in English words (the audit log and the patient's alert kinds read them);
``in_words`` says a stored alert in the page's language (issue 19)."""

import re

from flask_babel import gettext

HIGH_PRESSURE = re.compile(r"Blood pressure at or above (\d+)/(\d+) mmHg\Z")
LOW_OXYGEN = re.compile(r"Oxygen saturation below (\d+)%\Z")


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


def _part(text: str) -> str:
    if match := HIGH_PRESSURE.match(text):
        return gettext("Blood pressure at or above %(systolic)s/%(diastolic)s mmHg",
                       systolic=match[1], diastolic=match[2])
    if match := LOW_OXYGEN.match(text):
        return gettext("Oxygen saturation below %(spo2)s%%", spo2=match[1])
    return text


def in_words(alert: str) -> str:
    """A stored alert ("Blood pressure at or above 180/110 mmHg; Oxygen saturation below
    90%") in the language of the page."""
    return "; ".join(_part(part) for part in alert.split("; ")) if alert else ""
