"""The side-effect catalog and the severity scale. Codes are stable; labels may change."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Symptom:
    code: str
    label: str
    hint: str = ""
    still: str = ""  # asked first when the last check-in reported it ("Still have ...?")


SYMPTOMS: tuple[Symptom, ...] = (
    Symptom("headache", "Headache", still="Still have the headache?"),
    Symptom("nausea", "Nausea", still="Still feeling sick (nausea)?"),
    Symptom("lightheadedness", "Lightheadedness", "dizziness",
            still="Still lightheaded or dizzy?"),
    Symptom("grogginess", "Grogginess", "drowsiness, fatigue",
            still="Still groggy or tired?"),
    Symptom("dissociation", "Feeling detached or unreal",
            still="Still feeling detached or unreal?"),
    Symptom("vision", "Blurred or distorted vision", still="Is your vision still blurred?"),
    Symptom("anxiety", "Anxiety", still="Still feeling anxious?"),
    Symptom("other", "Something else", still="Still have the other side effect?"),
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
