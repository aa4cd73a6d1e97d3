"""No marshmallow default message anywhere a person can see one (issue 15, point 10): every
schema class in app/, every field, however nested, speaks in the words of app/schema_words.py
or its own."""

import importlib
import inspect
import pkgutil
import uuid
from datetime import UTC, datetime

import pytest
from marshmallow import Schema, ValidationError, fields

import app
from app.checkins.schemas import CheckinIn
from app.schema_words import ORIGINALS

# Modules that build the app when imported (they need a secret key); they define no schema.
PROCESS_ENTRY_POINTS = {"app.wsgi", "app.gunicorn_conf", "app.launch", "app.bootstrap"}
CONTEXT = {"timezone": "UTC"}  # keyword arguments some schemas are made with
NAMED_IN_THE_ISSUE = {"Field may not be null.", "Missing data for required field.",
                      "Not a valid integer."}


def _all_schema_classes() -> list[type[Schema]]:
    for module in pkgutil.walk_packages(app.__path__, "app."):
        if ".migrations" not in module.name and module.name not in PROCESS_ENTRY_POINTS:
            importlib.import_module(module.name)
    found, todo = [], list(Schema.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("app."):
            found.append(cls)
    return found


def _fields(field: fields.Field):
    yield field
    for inner in (getattr(field, "inner", None), getattr(field, "key_field", None),
                  getattr(field, "value_field", None)):
        if isinstance(inner, fields.Field):
            yield from _fields(inner)
    for inner in getattr(field, "tuple_fields", ()) or ():
        yield from _fields(inner)


def _made(cls: type[Schema]) -> Schema:
    """The schema as its view makes it: with the keyword arguments it needs."""
    needed = {name for name, parameter in inspect.signature(cls.__init__).parameters.items()
              if parameter.kind is parameter.KEYWORD_ONLY and parameter.default is parameter.empty}
    return cls(**{name: CONTEXT[name] for name in needed})


def _default_messages(cls: type[Schema]) -> list[str]:
    schema = _made(cls)
    left = [f"{cls.__name__}: {m}" for m in schema.error_messages.values() if m in ORIGINALS]
    for name, top in schema.fields.items():
        for field in _fields(top):
            left += [f"{cls.__module__}.{cls.__name__}.{name}: {message}"
                     for message in field.error_messages.values() if message in ORIGINALS]
    return left


def test_the_walk_finds_the_schemas():
    names = {cls.__name__ for cls in _all_schema_classes()}
    assert {"CheckinIn", "CheckinApiIn", "SymptomIn", "Phq9In", "ChangePassword"} <= names
    assert NAMED_IN_THE_ISSUE <= ORIGINALS


def test_no_schema_keeps_a_marshmallow_default_message():
    left = [message for cls in _all_schema_classes() for message in _default_messages(cls)]
    assert left == []


@pytest.mark.parametrize("body", [
    {"mood": None}, {}, {"mood": "seven"}, {"mood": 7, "symptoms": [{"code": "headache"}]},
    {"mood": 7, "symptoms": [{"code": "headache", "severity": None}]}, {"mood": 7, "x": 1},
])
def test_a_bad_checkin_is_refused_in_words(body):
    payload = {"client_id": str(uuid.uuid4()), "taken_at": datetime.now(UTC).isoformat(),
               **body}
    with pytest.raises(ValidationError) as caught:
        CheckinIn().load(payload)
    said = str(caught.value.messages)
    assert not [m for m in ORIGINALS if m in said], said
