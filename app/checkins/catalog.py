"""The side-effect catalog and the severity scale. Codes are stable; labels may change."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Symptom:
    code: str
    label: str
    hint: str = ""


SYMPTOMS: tuple[Symptom, ...] = (
    Symptom("headache", "Headache"),
    Symptom("nausea", "Nausea"),
    Symptom("lightheadedness", "Lightheadedness", "dizziness"),
    Symptom("grogginess", "Grogginess", "drowsiness, fatigue"),
    Symptom("dissociation", "Feeling detached or unreal"),
    Symptom("vision", "Blurred or distorted vision"),
    Symptom("anxiety", "Anxiety"),
    Symptom("other", "Something else"),
)
SYMPTOM_CODES = frozenset(s.code for s in SYMPTOMS)
OTHER = "other"

SEVERITIES: tuple[str, ...] = ("None", "Mild", "Moderate", "Severe", "Very severe")
MOOD_MIN, MOOD_MAX = 0, 10
SEVERITY_MIN, SEVERITY_MAX = 0, len(SEVERITIES) - 1
NOTE_MAX_LENGTH = 2000
OTHER_DETAIL_MAX_LENGTH = 200


def label(code: str) -> str:
    return next((s.label for s in SYMPTOMS if s.code == code), code)
