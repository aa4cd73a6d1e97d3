"""Times in the words people use: "by 11:00 today", "today at 09:40" (issue 15, point 10), and
in Spanish "antes de las 11:00 de hoy", "hoy a las 09:40" (issue 19).

Pure functions of the moment, now, the viewer's zone and language, so they are tested without
a clock.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date

NEAR = {"en": {0: "today", 1: "tomorrow", -1: "yesterday"},
        "es": {0: "hoy", 1: "mañana", -1: "ayer"}}


def _day(moment: datetime, now: datetime, language: str = "en") -> str:
    days = (moment.date() - now.date()).days
    near = NEAR.get(language, NEAR["en"])
    if days in near:
        return near[days]
    if language == "es":
        pattern = "EEE d MMM" if abs(days) < 180 else "d MMM y"
        return format_date(moment.date(), pattern, locale="es")
    return moment.strftime("%a %-d %b") if abs(days) < 180 else moment.strftime("%-d %b %Y")


def due_by(moment: datetime, now: datetime, zone: ZoneInfo, language: str = "en") -> str:
    """"by 11:00 today", "by 11:00 tomorrow", "by 11:00 on Fri 13 Mar"; in Spanish
    "antes de las 11:00 de hoy", "antes de las 11:00 del vie 13 mar"."""
    local, today = moment.astimezone(zone), now.astimezone(zone)
    day = _day(local, today, language)
    near = day in NEAR.get(language, NEAR["en"]).values()
    if language == "es":
        return f"antes de las {local:%H:%M} {'de' if near else 'del'} {day}"
    joiner = " " if near else " on "
    return f"by {local:%H:%M}{joiner}{day}"


def said_when(moment: datetime, now: datetime, zone: ZoneInfo, *, capital: bool = True,
              language: str = "en") -> str:
    """"Today at 09:40", "Yesterday at 21:05", "Fri 13 Mar at 09:40"; with ``capital=False``
    for the middle of a sentence: "last used today at 09:12". Spanish: "Hoy a las 09:40"."""
    local, today = moment.astimezone(zone), now.astimezone(zone)
    day = _day(local, today, language)
    if capital:
        day = f"{day[0].upper()}{day[1:]}"
    at = "a las" if language == "es" else "at"
    return f"{day} {at} {local:%H:%M}"
