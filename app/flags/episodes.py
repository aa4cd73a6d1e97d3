"""Symptom episodes: for each infusion and side effect, onset, peak and resolution.

Pure: derived from the check-ins after one infusion. "Resolved" is the first check-in back at
0 later than the side effect was first reported; without one it is unresolved. The cohort's
SQL (``app.trends.cohort._episodes``) follows the same definition, and a property test
(tests/properties/test_episode_definition.py) holds the two together.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Episode:
    symptom: str
    onset_hours: float
    peak_severity: int
    peak_hours: float
    resolved_hours: float | None  # None: not reported back at 0 yet

    @property
    def resolved(self) -> bool:
        return self.resolved_hours is not None


def _hours(delta: timedelta) -> float:
    return round(delta.total_seconds() / 3600, 1)


def episodes(infusion_end: datetime, ratings: list[tuple[datetime, dict[str, int]]]) -> list[
        Episode]:
    """``ratings``: (taken_at, {symptom: severity}) of the check-ins after this infusion, in
    any order: check-ins taken at the same moment (two devices) give the same answer whatever
    their order, as in the cohort's SQL (``app.trends.cohort._episodes``)."""
    codes = sorted({code for _, symptoms in ratings for code, s in symptoms.items() if s > 0})
    return [_episode(code, infusion_end, [(taken_at, symptoms[code])
                                          for taken_at, symptoms in ratings
                                          if symptoms.get(code) is not None])
            for code in codes]


def _episode(code: str, infusion_end: datetime, rated: list[tuple[datetime, int]]) -> Episode:
    """Onset: the first report above 0. Resolved: the first report of 0 strictly after the
    onset. Peak: the highest report from the onset until then, at its first time."""
    onset = min(taken_at for taken_at, severity in rated if severity > 0)
    resolved = min((taken_at for taken_at, severity in rated
                    if severity == 0 and taken_at > onset), default=None)
    during = [(taken_at, severity) for taken_at, severity in rated
              if severity > 0 and (resolved is None or taken_at < resolved)]
    peak = max(severity for _, severity in during)
    peak_at = min(taken_at for taken_at, severity in during if severity == peak)
    return Episode(code, _hours(onset - infusion_end), peak, _hours(peak_at - infusion_end),
                   _hours(resolved - infusion_end) if resolved else None)
