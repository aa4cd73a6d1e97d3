"""JSON errors for the API: one shape, ``{"error": {"code", "message", "fields"}}``."""

from flask import Request, jsonify, request
from flask_babel import gettext
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from app.i18n import N_


def is_api_request(req: Request | None = None) -> bool:
    req = req or request
    return req.path.startswith("/api/")


def error_response(code: int, message: str, fields: dict | None = None, headers=None,
                   reason: str | None = None):
    body = {"error": {"code": code, "message": message}}
    if fields:
        body["error"]["fields"] = fields
    if reason:
        body["error"]["reason"] = reason
    response = jsonify(body)
    response.status_code = code
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def validation_error(error: ValidationError):
    messages = error.messages if isinstance(error.messages, dict) else {"_schema": error.messages}
    return error_response(422, gettext(N_("Some fields are not valid; nothing was saved.")),
                          translated_fields(messages))


def translated_fields(messages):
    """List positions (ints) as strings: marshmallow can put ``0`` and ``"_schema"`` side by
    side in one dict, which JSON with sorted keys cannot encode (found by the fuzzer)."""
    if isinstance(messages, dict):
        return {str(key): translated_fields(value) for key, value in messages.items()}
    if isinstance(messages, list):
        return [translated_fields(value) for value in messages]
    # A message in the patient's words and language (the outbox shows it beside the entry).
    return gettext(messages) if isinstance(messages, str) else messages


def http_error(error: HTTPException):
    headers = {}
    if error.code == 405 and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    return error_response(error.code or 500, error.description or error.name, headers=headers)
