"""Times in the words people use: "by 11:00 today", "today at 09:40" (issue 15, point 10).

Pure functions of the moment, now and the viewer's zone, so they are tested without a clock.
"""

from datetime import datetime
from zoneinfo import ZoneInfo


def _day(moment: datetime, now: datetime) -> str:
    days = (moment.date() - now.date()).days
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days == -1:
        return "yesterday"
    return moment.strftime("%a %-d %b") if abs(days) < 180 else moment.strftime("%-d %b %Y")


def due_by(moment: datetime, now: datetime, zone: ZoneInfo) -> str:
    """"by 11:00 today", "by 11:00 tomorrow", "by 11:00 on Fri 13 Mar"."""
    local, today = moment.astimezone(zone), now.astimezone(zone)
    day = _day(local, today)
    joiner = " " if day in ("today", "tomorrow", "yesterday") else " on "
    return f"by {local:%H:%M}{joiner}{day}"


def said_when(moment: datetime, now: datetime, zone: ZoneInfo, *, capital: bool = True) -> str:
    """"Today at 09:40", "Yesterday at 21:05", "Fri 13 Mar at 09:40"; with ``capital=False``
    for the middle of a sentence: "last used today at 09:12"."""
    local, today = moment.astimezone(zone), now.astimezone(zone)
    day = _day(local, today)
    if capital:
        day = f"{day[0].upper()}{day[1:]}"
    return f"{day} at {local:%H:%M}"
