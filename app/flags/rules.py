"""Flag rules (shared/design/clinical.md, "Flag rules") as pure functions over a patient's facts.

No database access here: services build the facts, rules return findings, and services turn
findings into flags. Every threshold comes from the clinic's settings (``Thresholds``).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import IntEnum

from app.clinics.settings import DEFAULTS


class Priority(IntEnum):
    """Lower sorts first in the triage queue."""

    URGENT = 0
    HIGH = 1
    MODERATE = 2
    LOW = 3


RULE_PRIORITY = {
    "safety": Priority.URGENT,
    "severe_symptom": Priority.HIGH,
    "mood_drop": Priority.HIGH,
    "not_home_safely": Priority.HIGH,
    "phq9_worsening": Priority.HIGH,
    "persistent_symptom": Priority.MODERATE,
    "unresolved_symptom": Priority.MODERATE,
    "missed_checkins": Priority.LOW,
}
SUBMISSION_RULES = ("safety", "severe_symptom", "mood_drop", "not_home_safely")


@dataclass(frozen=True)
class InfusionFact:
    id: int
    number: int
    ended_at: datetime | None


@dataclass(frozen=True)
class CheckinFact:
    id: int
    taken_at: datetime
    mood: int
    infusion_id: int | None
    symptoms: dict[str, int] = field(default_factory=dict)
    readiness: bool = False  # answered the readiness prompt before an infusion of the series
    home_safely: bool | None = None  # "Did you get home safely?": None when not asked


@dataclass(frozen=True)
class Phq9Fact:
    id: int
    taken_at: datetime
    total: int
    item9: int


@dataclass(frozen=True)
class PromptFact:
    id: int
    infusion_id: int
    due_at: datetime
    missed: bool
    checkin_prompt: bool = True  # False for questionnaires and other non-check-in prompts


@dataclass(frozen=True)
class Facts:
    """Everything the rules look at for one patient, in the current treatment series."""

    infusions: tuple[InfusionFact, ...] = ()
    checkins: tuple[CheckinFact, ...] = ()
    phq9s: tuple[Phq9Fact, ...] = ()
    prompts: tuple[PromptFact, ...] = ()


def _hours(name: str) -> timedelta:
    return timedelta(hours=DEFAULTS[name])


@dataclass(frozen=True)
class Thresholds:
    """The clinic's flag settings as the rules read them. Defaults: app/clinics/settings.py."""

    severe_from: int = DEFAULTS["severe_from"]
    persistent_after: timedelta = _hours("persistent_after_hours")
    unresolved_after: timedelta = _hours("unresolved_after_hours")
    unresolved_silence: timedelta = _hours("unresolved_silence_hours")
    mood_drop_points: int = DEFAULTS["mood_drop_points"]
    mood_floor: int = DEFAULTS["mood_floor"]
    missed_in_a_row: int = DEFAULTS["missed_in_a_row"]
    first_day: timedelta = _hours("missed_first_day_hours")
    phq9_worsening_points: int = DEFAULTS["phq9_worsening_points"]
    safety_item9_from: int = DEFAULTS["safety_item9_from"]

    @classmethod
    def from_settings(cls, settings: dict) -> "Thresholds":
        """Every field from the clinic's effective settings (``clinics.settings.effective``)."""
        return cls(
            severe_from=settings["severe_from"],
            persistent_after=timedelta(hours=settings["persistent_after_hours"]),
            unresolved_after=timedelta(hours=settings["unresolved_after_hours"]),
            unresolved_silence=timedelta(hours=settings["unresolved_silence_hours"]),
            mood_drop_points=settings["mood_drop_points"],
            mood_floor=settings["mood_floor"],
            missed_in_a_row=settings["missed_in_a_row"],
            first_day=timedelta(hours=settings["missed_first_day_hours"]),
            phq9_worsening_points=settings["phq9_worsening_points"],
            safety_item9_from=settings["safety_item9_from"],
        )


def is_safety_answer(item9: int, limits: Thresholds) -> bool:
    """THE definition of a safety answer (clinical.md): PHQ-9 item 9 at or above the clinic's
    threshold. The crisis page, the urgent flag and the exports all ask this function."""
    return item9 >= limits.safety_item9_from


@dataclass(frozen=True)
class Finding:
    rule: str
    symptom: str | None = None
    infusion_id: int | None = None
    checkins: frozenset[int] = frozenset()
    phq9s: frozenset[int] = frozenset()
    prompts: frozenset[int] = frozenset()

    @property
    def priority(self) -> Priority:
        return RULE_PRIORITY[self.rule]

    @property
    def key(self) -> tuple:
        """At most one open flag per (rule, symptom, infusion) of a patient."""
        return (self.rule, self.symptom, self.infusion_id)


def _merge(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per key, with the evidence of all of them."""
    merged: dict[tuple, Finding] = {}
    for finding in findings:
        seen = merged.get(finding.key)
        merged[finding.key] = finding if seen is None else Finding(
            finding.rule, finding.symptom, finding.infusion_id,
            seen.checkins | finding.checkins, seen.phq9s | finding.phq9s,
            seen.prompts | finding.prompts)
    return sorted(merged.values(), key=lambda f: (f.priority, f.rule, f.symptom or "",
                                                  f.infusion_id or 0))


def _ends(facts: Facts) -> dict[int, datetime]:
    return {i.id: i.ended_at for i in facts.infusions if i.ended_at is not None}


def safety(facts: Facts, limits: Thresholds) -> list[Finding]:
    """PHQ-9 item 9 (thoughts of self-harm) answered at or above the threshold."""
    return _merge(Finding("safety", phq9s=frozenset({p.id})) for p in facts.phq9s
                  if is_safety_answer(p.item9, limits))


def severe_symptom(facts: Facts, limits: Thresholds) -> list[Finding]:
    return _merge(
        Finding("severe_symptom", code, c.infusion_id, checkins=frozenset({c.id}))
        for c in facts.checkins for code, severity in c.symptoms.items()
        if severity >= limits.severe_from)


def not_home_safely(facts: Facts, limits: Thresholds) -> list[Finding]:
    """"Did you get home safely?" answered No: one flag per infusion, high priority."""
    return _merge(Finding("not_home_safely", None, c.infusion_id, checkins=frozenset({c.id}))
                  for c in facts.checkins if c.home_safely is False)


def worrying(checkin: CheckinFact, limits: Thresholds) -> bool:
    """A check-in after which the patient sees the crisis and clinic contacts first and is told
    that the clinic has been alerted (clinical.md, "What the patient sees after a worrying
    entry"): mood at or below the floor, any side effect severe or worse, or not home safely.

    Each condition is one the at-submission rules flag with this check-in as evidence
    (mood_drop's floor, severe_symptom, not_home_safely), with the same thresholds, so the
    alert the patient is told about is raised in the same transaction.
    """
    return (checkin.mood <= limits.mood_floor
            or any(severity >= limits.severe_from for severity in checkin.symptoms.values())
            or checkin.home_safely is False)


def persistent_symptom(facts: Facts, limits: Thresholds) -> list[Finding]:
    """A side effect still present in a check-in a day or more after the infusion ended."""
    ends = _ends(facts)
    return _merge(
        Finding("persistent_symptom", code, c.infusion_id, checkins=frozenset({c.id}))
        for c in facts.checkins if c.infusion_id in ends
        and c.taken_at - ends[c.infusion_id] >= limits.persistent_after
        for code, severity in c.symptoms.items() if severity >= 1)


def unresolved_symptom(facts: Facts, limits: Thresholds, now: datetime) -> list[Finding]:
    """A side effect last reported above 0, no check-in in the ``unresolved_silence`` since that
    report, and the infusion ended ``unresolved_after`` ago or more (24 h + 6 h by default)."""
    ends = _ends(facts)
    if not facts.checkins:
        return []
    latest = max(facts.checkins, key=lambda c: (c.taken_at, c.id))
    if latest.infusion_id not in ends or now - ends[latest.infusion_id] < limits.unresolved_after:
        return []
    if now - latest.taken_at < limits.unresolved_silence:
        return []
    return _merge(Finding("unresolved_symptom", code, latest.infusion_id,
                          checkins=frozenset({latest.id}))
                  for code, severity in latest.symptoms.items() if severity > 0)


def is_baseline_candidate(checkin: CheckinFact, series_infusions: set[int]) -> bool:
    """Can this check-in of the series be its mood baseline (clinical.md)? One after one of
    its infusions, its readiness check-in, or one before any infusion at all."""
    return (checkin.infusion_id is None or checkin.infusion_id in series_infusions
            or checkin.readiness)


def baseline_checkin(facts: Facts) -> CheckinFact | None:
    """The check-in whose mood is the series' baseline: the earliest candidate."""
    own = {i.id for i in facts.infusions}
    candidates = [c for c in facts.checkins if is_baseline_candidate(c, own)]
    return min(candidates, key=lambda c: (c.taken_at, c.id)) if candidates else None


def mood_baseline(facts: Facts) -> int | None:
    """The first mood of the current series (clinical.md): from a check-in after one of its
    infusions, its readiness check-in, or one before any infusion at all. A check-in that
    still follows the previous series' last infusion is judged, but is not the baseline."""
    first = baseline_checkin(facts)
    return None if first is None else first.mood


def mood_drop(facts: Facts, limits: Thresholds) -> list[Finding]:
    """Mood well below the patient's own baseline, or very low whatever the baseline."""
    baseline = mood_baseline(facts)
    return _merge(
        Finding("mood_drop", None, c.infusion_id, checkins=frozenset({c.id}))
        for c in facts.checkins
        if c.mood <= limits.mood_floor
        or (baseline is not None and c.mood <= baseline - limits.mood_drop_points))


def missed_checkins(facts: Facts, limits: Thresholds, now: datetime) -> list[Finding]:
    """Prompts missed in a row, or no check-in at all in the first day after an infusion."""
    findings = []
    ladder = sorted((p for p in facts.prompts if p.checkin_prompt), key=lambda p: p.due_at)
    run: list[PromptFact] = []
    for prompt in ladder:
        run = [*run, prompt] if prompt.missed else []
        if len(run) >= limits.missed_in_a_row:
            findings.append(Finding("missed_checkins", None, prompt.infusion_id,
                                    prompts=frozenset(p.id for p in run)))
    for infusion_id, ended in _ends(facts).items():
        if now - ended < limits.first_day:
            continue
        first_day = [p for p in ladder if p.infusion_id == infusion_id
                     and p.due_at < ended + limits.first_day]
        answered = any(c.infusion_id == infusion_id and ended <= c.taken_at < ended
                       + limits.first_day for c in facts.checkins)
        # Only prompts the patient was actually asked and missed count: an infusion recorded
        # after the fact, or a patient not yet set up, had nothing to miss.
        if first_day and all(p.missed for p in first_day) and not answered:
            findings.append(Finding("missed_checkins", None, infusion_id,
                                    prompts=frozenset(p.id for p in first_day)))
    return _merge(findings)


def phq9_worsening(facts: Facts, limits: Thresholds) -> list[Finding]:
    """PHQ-9 total up by the threshold or more from the series' first PHQ-9."""
    if not facts.phq9s:
        return []
    ordered = sorted(facts.phq9s, key=lambda p: (p.taken_at, p.id))
    baseline = ordered[0]
    return _merge(Finding("phq9_worsening", phq9s=frozenset({baseline.id, p.id}))
                  for p in ordered[1:]
                  if p.total - baseline.total >= limits.phq9_worsening_points)


def at_submission(facts: Facts, limits: Thresholds) -> list[Finding]:
    """The rules that run in the same transaction as a check-in or PHQ-9."""
    return _merge([*safety(facts, limits), *severe_symptom(facts, limits),
                   *mood_drop(facts, limits), *not_home_safely(facts, limits)])


def evaluate(facts: Facts, limits: Thresholds, now: datetime) -> list[Finding]:
    """Every rule: what the flag job runs for each patient."""
    return _merge([
        *safety(facts, limits), *severe_symptom(facts, limits),
        *persistent_symptom(facts, limits), *unresolved_symptom(facts, limits, now),
        *mood_drop(facts, limits), *missed_checkins(facts, limits, now),
        *phq9_worsening(facts, limits), *not_home_safely(facts, limits),
    ])
