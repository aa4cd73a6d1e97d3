"""Refuse text no database can store before any view sees it: NUL characters and lone
surrogates.

PostgreSQL text cannot hold U+0000 (psycopg raises DataError, which would be a 500), and
SQLite would store it and cut the text short in many tools. A lone UTF-16 surrogate
(``"\\ud800"`` in JSON: half of a character) cannot be encoded as UTF-8 at all, so neither
database driver can send it (UnicodeEncodeError, a 500). A request carrying either in a query
argument, a form field or a JSON string (keys included) is answered 422 naming the field, and
nothing is read or written. This is the one place every text input passes: found by fuzzing
the API on PostgreSQL, and by a penetration test (issue 12).
"""

import re

from flask import Flask, render_template, request

from app.api.errors import error_response, is_api_request
from app.api.requests import parsed_json

NUL = "\x00"
# In a str decoded from JSON, a surrogate code point can only be a lone one: the decoder joins
# a valid pair into one character.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
MESSAGE = "Remove the invisible NUL character from this text."
SURROGATE_MESSAGE = ("This text has a broken character (half of an emoji or symbol) that "
                     "cannot be stored. Retype it.")


def register(app: Flask) -> None:
    app.before_request(refuse_unstorable_characters)


def refuse_unstorable_characters():
    found = _unstorable_fields()
    if not found:
        return None
    if is_api_request():
        return error_response(422, "Some fields are not valid; nothing was saved.",
                              {name: [found[name]] for name in sorted(found)})
    return render_template("errors/error.html", code=422, title="Please try again",
                           message="Some of the text sent cannot be stored. "
                                   "Go back, retype it and try again."), 422


def problem(text: str) -> str | None:
    """What is wrong with ``text`` in words (None if it can be stored)."""
    found = UNSTORABLE.search(text)
    if found is None:
        return None
    return MESSAGE if found.group() == NUL else SURROGATE_MESSAGE


def _unstorable_fields() -> dict[str, str]:
    """Field name -> what is wrong, for every field holding text that cannot be stored."""
    found: dict[str, str] = {}
    for source in (request.args, request.form):
        for key, values in source.lists():
            message = _first_problem([key, *values])
            if message:
                found[_printable(key)] = message
    if request.is_json:
        payload = parsed_json()
        if isinstance(payload, dict):
            for key, value in payload.items():
                message = _first_problem([key, value])
                if message:
                    found[_printable(key)] = message
        else:
            message = _first_problem([payload])
            if message:
                found["_schema"] = message
    return found


def _first_problem(values: list) -> str | None:
    """What is wrong with the first string (or key) within ``values`` that cannot be stored;
    iterative, as JSON may nest deeply."""
    pending = list(values)
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            message = problem(item)
            if message:
                return message
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return None


def _printable(name: str) -> str:
    """The field's name as it can be written back: each unstorable character as \\uXXXX."""
    return UNSTORABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", name)
