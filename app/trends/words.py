"""Numbers and dates in a chart's table as the viewer's language writes them (issue 19).
English keeps exactly the text it always had. Spanish numbers follow US Spanish (es_US: a
decimal point, as the clinic's forms and doses are written), dates the Spanish month names."""

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.numbers import format_decimal
from flask_babel import gettext

from app.i18n import language

NUMBER_LOCALES = {"es": "es_US"}  # the clinics are in the US


def _number_locale() -> str:
    return NUMBER_LOCALES.get(language(), language())


def fixed(value: float, places: int = 1) -> str:
    """``value`` with ``places`` decimals: "5.2"."""
    if language() == "en":
        return f"{value:.{places}f}"
    return format_decimal(value, format="0." + "0" * places, locale=_number_locale())


def short(value: float) -> str:
    """``value`` without trailing zeros (Python's ``:g``): "12.5", "12"."""
    if language() == "en":
        return f"{value:g}"
    return format_decimal(value, format="0.###", locale=_number_locale())


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
