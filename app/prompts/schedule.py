"""When prompts are due: the check-in ladder, readiness, quiet hours and answer windows.

Pure functions over aware datetimes; no database. Local times are the patient's own zone,
so a prompt at "8:00 after quiet hours" is 8:00 where the patient is, across DST changes.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

READINESS = "readiness"


@dataclass(frozen=True)
class QuietHours:
    start: time  # e.g. 21:30
    end: time    # e.g. 08:00; before start means the quiet spans midnight

    def contains(self, local: time) -> bool:
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end


def parse_hhmm(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def slot_name(hours: int) -> str:
    return f"{hours}h"


def _at_local(day, clock_time: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time on a local day.

    With fold=0 (zoneinfo's default) a time skipped by spring-forward lands an hour later, and a
    time repeated by fall-back means its first occurrence.
    """
    return datetime.combine(day, clock_time, tzinfo=zone).astimezone(UTC)


def outside_quiet_hours(moment: datetime, zone: ZoneInfo, quiet: QuietHours) -> datetime:
    """``moment`` if it is outside quiet hours, else the end of those quiet hours."""
    local = moment.astimezone(zone)
    if not quiet.contains(local.time().replace(tzinfo=None)):
        return moment.astimezone(UTC)
    day = local.date()
    if quiet.start > quiet.end and local.time() >= quiet.start:
        day += timedelta(days=1)  # late evening: quiet ends tomorrow morning
    return _at_local(day, quiet.end, zone)


def ladder(infusion_end: datetime, hours: list[int], zone: ZoneInfo,
           quiet: QuietHours) -> list[tuple[str, datetime]]:
    """(slot, due_at) for each ladder step after the infusion's end, out of quiet hours.

    Two steps moved to the same end of quiet hours become one (the earlier slot): the patient
    is asked once, not twice at 08:00.
    """
    steps: list[tuple[str, datetime]] = []
    for h in sorted(set(hours)):
        due = outside_quiet_hours(infusion_end + timedelta(hours=h), zone, quiet)
        if not steps or due > steps[-1][1]:
            steps.append((slot_name(h), due))
    return steps


def readiness(next_planned_start: datetime, zone: ZoneInfo, quiet: QuietHours,
              at: time) -> datetime:
    """The readiness prompt: ``at`` local time on the day before the next planned infusion."""
    day_before = next_planned_start.astimezone(zone).date() - timedelta(days=1)
    return outside_quiet_hours(_at_local(day_before, at, zone), zone, quiet)


def window_ends(due_at: datetime, next_due_at: datetime | None,
                max_window: timedelta) -> datetime:
    """A prompt is answerable until the next prompt is due, and never longer than max_window."""
    limit = due_at + max_window
    if next_due_at is not None and due_at < next_due_at < limit:
        return next_due_at
    return limit
