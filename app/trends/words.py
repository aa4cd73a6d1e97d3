"""Numbers in a chart's table as the viewer's language writes them (issue 19): "5.2" in
English, "5,2" in Spanish. English keeps exactly the text it always had."""

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.numbers import format_decimal
from flask_babel import gettext

from app.i18n import language


def fixed(value: float, places: int = 1) -> str:
    """``value`` with ``places`` decimals: "5.2" / "5,2"."""
    if language() == "en":
        return f"{value:.{places}f}"
    return format_decimal(value, format="0." + "0" * places, locale=language())


def short(value: float) -> str:
    """``value`` without trailing zeros (Python's ``:g``): "12.5", "12" / "12,5"."""
    if language() == "en":
        return f"{value:g}"
    return format_decimal(value, format="0.###", locale=language())


def number_cell(value):
    """A table cell's number: as it is in English (the JSON keeps the number), written out
    with the language's decimal sign otherwise."""
    if language() == "en" or not isinstance(value, float):
        return value
    return short(value)


def local_when(value: datetime | None, zone: ZoneInfo) -> str:
    """"05 Mar 2026 14:30" in the chart tables; "05 mar 2026 14:30" in Spanish."""
    if value is None:
        return ""
    local = value.astimezone(zone)
    if language() == "en":
        return local.strftime("%d %b %Y %H:%M")
    return format_datetime(local, "dd MMM y HH:mm", tzinfo=zone, locale=language())


def series_word(kind: str) -> str:
    """"induction" or "maintenance", as the table always said it; in Spanish the catalog's."""
    if language() == "en":
        return kind
    return gettext(kind.capitalize()).lower()
