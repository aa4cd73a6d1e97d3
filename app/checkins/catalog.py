"""The side-effect catalog and the severity scale. Codes are stable; labels may change."""

from dataclasses import dataclass

from app.i18n import N_


@dataclass(frozen=True)
class Symptom:
    code: str
    label: str
    hint: str = ""
    still: str = ""  # asked first when the last check-in reported it ("Still have ...?")


SYMPTOMS: tuple[Symptom, ...] = (
    Symptom("headache", N_("Headache"), still=N_("Still have the headache?")),
    Symptom("nausea", N_("Nausea"), still=N_("Still feeling sick (nausea)?")),
    Symptom("lightheadedness", N_("Lightheadedness"), N_("dizziness"),
            still=N_("Still lightheaded or dizzy?")),
    Symptom("grogginess", N_("Grogginess"), N_("drowsiness, fatigue"),
            still=N_("Still groggy or tired?")),
    Symptom("dissociation", N_("Feeling detached or unreal"),
            still=N_("Still feeling detached or unreal?")),
    Symptom("vision", N_("Blurred or distorted vision"),
            still=N_("Is your vision still blurred?")),
    Symptom("anxiety", N_("Anxiety"), still=N_("Still feeling anxious?")),
    Symptom("other", N_("Something else"), still=N_("Still have the other side effect?")),
)
# The series kinds as the patient's history names them ("Induction series").
SERIES_KIND_WORDS = (N_("Induction"), N_("Maintenance"))
SYMPTOM_CODES = frozenset(s.code for s in SYMPTOMS)
OTHER = "other"

SEVERITIES: tuple[str, ...] = (N_("None"), N_("Mild"), N_("Moderate"), N_("Severe"),
                               N_("Very severe"))
MOOD_MIN, MOOD_MAX = 0, 10
SEVERITY_MIN, SEVERITY_MAX = 0, len(SEVERITIES) - 1
NOTE_MAX_LENGTH = 2000
OTHER_DETAIL_MAX_LENGTH = 200


def label(code: str) -> str:
    return next((s.label for s in SYMPTOMS if s.code == code), code)
