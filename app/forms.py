"""HTML forms go through the same marshmallow schemas as JSON; these helpers do the plumbing."""

from flask import request
from marshmallow import Schema, ValidationError, fields, validate


def load_form(schema: Schema, data: dict | None = None) -> tuple[dict | None, dict]:
    """(loaded data, {}) or (None, field errors) for the posted form (or ``data``)."""
    raw = data if data is not None else {k: v for k, v in request.form.items()
                                         if k != "csrf_token"}
    try:
        return schema.load(raw), {}
    except ValidationError as error:
        messages = error.messages if isinstance(error.messages, dict) else {
            "_schema": error.messages}
        return None, messages


def first_errors(errors: dict) -> dict[str, str]:
    """Field -> the first message, flattening nested messages for display beside a field."""
    flat: dict[str, str] = {}
    for field, messages in errors.items():
        while isinstance(messages, dict):
            messages = next(iter(messages.values()))
        flat[field] = messages[0] if isinstance(messages, list) else str(messages)
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
