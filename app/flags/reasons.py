"""Why a flag fired, as one short sentence with the value that fired it (issue 15, point 1):
"Mood 1 against a baseline of 7", "Headache 3 (severe) at 26 h", "PHQ-9 item 9 = 2",
"Home safely: No". Pure: the flag's evidence comes in as plain facts, the thresholds from the
clinic's settings (``rules.Thresholds``), so templates only print what this module says. The
words are in the language of the request (``gettext``: English outside one, issue 19).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext

from app.checkins.catalog import SEVERITIES, label
from app.flags import rules

NOTE_START = 80  # characters of the patient's note shown beside the reason


@dataclass(frozen=True)
class Evidence:
    """What a flag holds, as the rules see it: its check-ins, PHQ-9s and missed prompts."""

    rule: str
    symptom: str | None = None
    infusion_end: datetime | None = None
    checkins: tuple[rules.CheckinFact, ...] = ()
    phq9s: tuple[rules.Phq9Fact, ...] = ()
    prompts: tuple[rules.PromptFact, ...] = ()
    notes: Mapping[int, str] = field(default_factory=dict)  # check-in id -> its note
    mood_baseline: int | None = None

    @property
    def newest_at(self) -> datetime | None:
        times = [c.taken_at for c in self.checkins] + [p.taken_at for p in self.phq9s] + [
            p.due_at for p in self.prompts]
        return max(times, default=None)


@dataclass(frozen=True)
class Reason:
    text: str
    note: str = ""
    evidence_at: datetime | None = None


def explain(evidence: Evidence, limits: rules.Thresholds) -> Reason:
    """The sentence for this flag, the start of the newest note, and when the newest
    evidence was taken (what "how long ago" counts from)."""
    sentence = _SENTENCES.get(evidence.rule, _unknown)(evidence, limits)
    return Reason(sentence, note_start(evidence), evidence.newest_at)


def note_start(evidence: Evidence) -> str:
    """The newest note among the flag's check-ins, cut at a word near ``NOTE_START``."""
    for checkin in sorted(evidence.checkins, key=lambda c: (c.taken_at, c.id), reverse=True):
        note = " ".join(evidence.notes.get(checkin.id, "").split())
        if note:
            return shorten(note, NOTE_START)
    return ""


def shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,.;:") + "\u2026"


def how_long_ago(then: datetime | None, now: datetime) -> str:
    """"just now", "12 min ago", "5 h ago", "3 days ago"."""
    if then is None:
        return ""
    minutes = int((now - then).total_seconds() // 60)
    if minutes < 1:
        return gettext("just now")
    if minutes < 60:
        return gettext("%(minutes)s min ago", minutes=minutes)
    if minutes < 48 * 60:
        return gettext("%(hours)s h ago", hours=minutes // 60)
    return gettext("%(days)s days ago", days=minutes // (24 * 60))


def hours_after(moment: datetime, infusion_end: datetime | None, *, last: bool = False) -> str:
    """" at 26 h" after the infusion ended ("" when the infusion has no end); with ``last``
    ", the last due at 26 h" (the newest of several missed prompts)."""
    if infusion_end is None or moment < infusion_end:
        return ""
    hours = (moment - infusion_end) / timedelta(hours=1)
    if last:
        return (gettext(", the last due at %(minutes)s min", minutes=round(hours * 60))
                if hours < 1 else gettext(", the last due at %(hours)s h", hours=round(hours)))
    return (" " + gettext("at %(minutes)s min", minutes=round(hours * 60)) if hours < 1
            else " " + gettext("at %(hours)s h", hours=round(hours)))


def _newest(items, key=lambda item: True):
    chosen = [item for item in items if key(item)]
    return max(chosen, key=lambda item: (item.taken_at, item.id), default=None)


def _named(evidence: Evidence) -> str:
    return gettext(label(evidence.symptom)) if evidence.symptom else gettext("A side effect")


def _rating(code: str, severity: int) -> str:
    return f"{gettext(label(code))} {severity} ({gettext(SEVERITIES[severity]).lower()})"


def _symptom(evidence: Evidence, least: int) -> tuple[rules.CheckinFact, int] | None:
    """The newest check-in rating the flag's side effect at ``least`` or more."""
    code = evidence.symptom or ""
    checkin = _newest(evidence.checkins, lambda c: c.symptoms.get(code, 0) >= least)
    return (checkin, checkin.symptoms[code]) if checkin else None


def _severe(evidence: Evidence, limits: rules.Thresholds) -> str:
    found = _symptom(evidence, limits.severe_from)
    if found is None:
        return gettext("%(name)s, severe", name=_named(evidence))
    checkin, severity = found
    return _rating(evidence.symptom, severity) + hours_after(checkin.taken_at,
                                                             evidence.infusion_end)


def _persistent(evidence: Evidence, limits: rules.Thresholds) -> str:
    found = _symptom(evidence, 1)
    day = round(limits.persistent_after / timedelta(hours=1))
    if found is None:
        return gettext("%(name)s still there after %(hours)s h", name=_named(evidence),
                       hours=day)
    checkin, severity = found
    return (_rating(evidence.symptom, severity)
            + hours_after(checkin.taken_at, evidence.infusion_end)
            + gettext(", still there after %(hours)s h", hours=day))


def _unresolved(evidence: Evidence, limits: rules.Thresholds) -> str:
    found = _symptom(evidence, 1)
    silence = round(limits.unresolved_silence / timedelta(hours=1))
    if found is None:
        return gettext("%(name)s not reported gone", name=_named(evidence))
    checkin, severity = found
    return (_rating(evidence.symptom, severity)
            + hours_after(checkin.taken_at, evidence.infusion_end)
            + gettext(", no check-in for %(hours)s h or more since", hours=silence))


def _mood(evidence: Evidence, limits: rules.Thresholds) -> str:
    checkin = min(evidence.checkins, key=lambda c: (c.mood, -c.taken_at.timestamp()),
                  default=None)
    if checkin is None:
        return gettext("Mood drop")
    when = hours_after(checkin.taken_at, evidence.infusion_end)
    if evidence.mood_baseline is not None:
        return gettext("Mood %(mood)s against a baseline of %(baseline)s", mood=checkin.mood,
                       baseline=evidence.mood_baseline) + when
    return gettext("Mood %(mood)s, at or below %(floor)s", mood=checkin.mood,
                   floor=limits.mood_floor) + when


def _home(evidence: Evidence, limits: rules.Thresholds) -> str:
    checkin = _newest(evidence.checkins, lambda c: c.home_safely is False)
    return gettext("Home safely: No") + (hours_after(checkin.taken_at, evidence.infusion_end)
                                if checkin else "")


def _safety(evidence: Evidence, limits: rules.Thresholds) -> str:
    response = max(evidence.phq9s, key=lambda p: (p.item9, p.taken_at), default=None)
    if response is None:
        return gettext("PHQ-9 item 9 answered")
    return gettext("PHQ-9 item 9 = %(item9)s (total %(total)s)", item9=response.item9,
                   total=response.total)


def _worsening(evidence: Evidence, limits: rules.Thresholds) -> str:
    ordered = sorted(evidence.phq9s, key=lambda p: (p.taken_at, p.id))
    if len(ordered) < 2:
        return gettext("PHQ-9 worse than its baseline")
    baseline, latest = ordered[0], ordered[-1]
    change = format(latest.total - baseline.total, "+d")
    return gettext("PHQ-9 %(total)s against a baseline of %(baseline)s (%(change)s)",
                   total=latest.total, baseline=baseline.total, change=change)


def _missed(evidence: Evidence, limits: rules.Thresholds) -> str:
    count = len(evidence.prompts)
    end = evidence.infusion_end
    if end is not None and count and all(p.due_at < end + limits.first_day
                                         for p in evidence.prompts):
        first_day = round(limits.first_day / timedelta(hours=1))
        return gettext("No check-in in the first %(hours)s h (%(count)s prompts missed)",
                       hours=first_day, count=count)
    last = max((p.due_at for p in evidence.prompts), default=None)
    when = hours_after(last, end, last=True) if last else ""
    return gettext("%(count)s check-ins missed in a row", count=count) + when


def _unknown(evidence: Evidence, limits: rules.Thresholds) -> str:
    return evidence.rule.replace("_", " ").capitalize()


_SENTENCES: dict[str, Callable[[Evidence, rules.Thresholds], str]] = {
    "safety": _safety,
    "severe_symptom": _severe,
    "persistent_symptom": _persistent,
    "unresolved_symptom": _unresolved,
    "mood_drop": _mood,
    "not_home_safely": _home,
    "missed_checkins": _missed,
    "phq9_worsening": _worsening,
}
