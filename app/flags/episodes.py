"""Symptom episodes: for each infusion and side effect, onset, peak and resolution.

Pure: derived from the check-ins after one infusion, oldest first. "Resolved" is the first
check-in back at 0 after the side effect was reported; without one it is unresolved.
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
    """``ratings``: (taken_at, {symptom: severity}) of the check-ins after this infusion."""
    found = []
    ordered = sorted(ratings, key=lambda r: r[0])
    codes = sorted({code for _, symptoms in ordered for code, s in symptoms.items() if s > 0})
    for code in codes:
        onset = peak = resolved = None
        for taken_at, symptoms in ordered:
            severity = symptoms.get(code)
            if severity is None:
                continue
            if onset is None:
                if severity > 0:
                    onset = peak = (taken_at, severity)
                continue
            if severity == 0:
                resolved = taken_at
                break
            if severity > peak[1]:
                peak = (taken_at, severity)
        found.append(Episode(code, _hours(onset[0] - infusion_end), peak[1],
                             _hours(peak[0] - infusion_end),
                             _hours(resolved - infusion_end) if resolved else None))
    return found
