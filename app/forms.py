"""HTML forms go through the same marshmallow schemas as JSON; these helpers do the plumbing."""

import re
from datetime import date
from functools import cache
from zoneinfo import available_timezones

from flask import request
from flask_babel import gettext
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.i18n import N_

UNEXPECTED_FIELD = N_("The form sent something this page does not ask for. "
                      "Reload the page and try again.")


def load_form(schema: Schema, data: dict | None = None) -> tuple[dict | None, dict]:
    """(loaded data, {}) or (None, field errors) for the posted form (or ``data``)."""
    raw = data if data is not None else {k: v for k, v in request.form.items()
                                         if k != "csrf_token"}
    try:
        return schema.load(raw), {}
    except ValidationError as error:
        messages = error.messages if isinstance(error.messages, dict) else {
            "_schema": error.messages}
        return None, _unexpected_fields_in_words(schema, messages)


def _unexpected_fields_in_words(schema: Schema, messages: dict) -> dict:
    """A field the page does not have has no place to show its error: say so in the summary,
    in words, instead of "Unknown field." beside nothing (leaving only "Please check the form")."""
    unknown = [schema.error_messages["unknown"]]
    unexpected = [name for name, found in messages.items() if found == unknown]
    if not unexpected:
        return messages
    kept = {name: found for name, found in messages.items() if name not in unexpected}
    kept["_schema"] = [*kept.get("_schema", []), UNEXPECTED_FIELD]
    return kept


def first_errors(errors: dict) -> dict[str, str]:
    """Field -> the first message, flattening nested messages for display beside a field."""
    flat: dict[str, str] = {}
    for field, messages in errors.items():
        while isinstance(messages, dict):
            messages = next(iter(messages.values()))
        message = messages[0] if isinstance(messages, list) else str(messages)
        flat[field] = gettext(message)  # the catalog's words for the page's language
    return flat


class Text(fields.String):
    """A string with surrounding spaces removed; with ``required`` it may not be blank."""

    def __init__(self, *, max_length: int, **kwargs):
        super().__init__(validate=validate.Length(max=max_length), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if self.required and not text:
            raise self.make_error("required")
        return text


def without_blanks(args) -> dict:
    """A GET filter form sends its empty fields, meaning "no filter"; schemas take them absent."""
    return {k: v for k, v in dict(args).items() if v not in ("", None)}


# Dates a clinic can mean; beyond them a day's bounds would overflow a datetime.
DATE_RANGE = validate.Range(min=date(2000, 1, 1), max=date(2100, 12, 31))


class DateRangeQuery(Schema):
    """``start`` and ``end`` (YYYY-MM-DD, inclusive) of a filter, in order."""

    start = fields.Date(load_default=None, allow_none=True, validate=DATE_RANGE)
    end = fields.Date(load_default=None, allow_none=True, validate=DATE_RANGE)

    class Meta:
        unknown = "exclude"

    @validates_schema
    def start_before_end(self, data, **kwargs):
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise ValidationError(N_("The start date must be on or before the end date."), "end")


@cache
def known_timezones() -> frozenset[str]:
    return frozenset(available_timezones())


TIMEZONE_ERROR = N_("Choose a time zone such as America/Chicago.")


class TimeZone(fields.String):
    """An IANA time zone the server knows, e.g. "America/Chicago". Every time zone input goes
    through this field: a folder of zones ("America"), a path or a very long name is refused in
    words (``ZoneInfo`` would raise IsADirectoryError, ValueError or OSError: a 500)."""

    default_error_messages = {"zone": TIMEZONE_ERROR}

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if text not in known_timezones():
            raise self.make_error("zone")
        return text


ASCII_DIGITS = re.compile(r"[0-9]{1,9}")  # not str.isdigit(): "²" is a digit int() refuses


def whole_number(text: str) -> int | None:
    """``text`` as a whole number when it is 1 to 9 ASCII digits, else None. Bounded before
    ``int()``: 5,000 digits would raise ValueError (Python's int-string limit), a 500."""
    return int(text) if ASCII_DIGITS.fullmatch(text) else None


PHONE_ERROR = N_("Enter a phone number that can receive texts, such as (202) 555-0143 or "
                 "+44 7911 123456.")


class Phone(fields.String):
    """A phone number, parsed with ``phonenumbers`` (numbers without a country code are read
    as the clinic's region, ``PHONE_DEFAULT_REGION``) and given back as E.164 (+12025550143).
    A blank one is None; one that does not parse is refused in words."""

    default_error_messages = {"phone": PHONE_ERROR}

    def _deserialize(self, value, attr, data, **kwargs):
        import phonenumbers
        from flask import current_app, has_app_context

        text = super()._deserialize(value, attr, data, **kwargs).strip()[:40]
        if not text:
            return None
        region = current_app.config["PHONE_DEFAULT_REGION"] if has_app_context() else "US"
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            raise self.make_error("phone") from None
        if not phonenumbers.is_valid_number(number):
            raise self.make_error("phone")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


LANGUAGE_ERROR = N_("Choose one of the languages listed.")


def language_field(**kwargs) -> fields.String:
    """"en" or "es" (issue 19), from a select of the languages Aftercare speaks."""
    from app.i18n import LANGUAGES

    return fields.String(validate=validate.OneOf(LANGUAGES, error=LANGUAGE_ERROR), **kwargs)

