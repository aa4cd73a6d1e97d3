"""Refuse text no database can store before any view sees it: NUL characters.

PostgreSQL text cannot hold U+0000 (psycopg raises DataError, which would be a 500), and
SQLite would store it and cut the text short in many tools. A request carrying one in a query
argument, a form field or a JSON string (keys included) is answered 422 and nothing is read
or written. Found by fuzzing the API on PostgreSQL.
"""

from flask import Flask, render_template, request

from app.api.errors import error_response, is_api_request
from app.api.requests import parsed_json

NUL = "\x00"
MESSAGE = "Remove the invisible NUL character from this text."


def register(app: Flask) -> None:
    app.before_request(refuse_nul_characters)


def refuse_nul_characters():
    names = sorted(_names_with_nul())
    if not names:
        return None
    if is_api_request():
        return error_response(422, "Some fields are not valid; nothing was saved.",
                              {name: [MESSAGE] for name in names})
    return render_template("errors/error.html", code=422, title="Please try again",
                           message="Some of the text sent cannot be stored. "
                                   "Go back, retype it and try again."), 422


def _names_with_nul() -> set[str]:
    names = set()
    for source in (request.args, request.form):
        for key, values in source.lists():
            if NUL in key or any(NUL in value for value in values):
                names.add(_printable(key))
    if request.is_json:
        payload = parsed_json()
        if isinstance(payload, dict):
            names |= {_printable(key) for key, value in payload.items()
                      if NUL in key or _holds_nul(value)}
        elif _holds_nul(payload):
            names.add("_schema")
    return names


def _holds_nul(value) -> bool:
    """Any string (or key) within ``value`` with a NUL; iterative, as JSON may nest deeply."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if NUL in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def _printable(name: str) -> str:
    return name.replace(NUL, "\\u0000")
