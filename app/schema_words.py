"""Error messages in patient words for every marshmallow schema (issue 15, point 10).

marshmallow's own messages ("Field may not be null.", "Missing data for required field.",
"Not a valid integer.") reach people: beside a form question, in the outbox's list of entries
the clinic did not accept. Schemas name their own messages where a question needs its own
words (``error=`` on a validator); everything else gets these. They are put in place on the
field classes before any schema module is imported (``app/__init__.py`` imports this module
first), because marshmallow copies a field's messages when the field is made.
``tests/unit/test_schema_words.py`` walks every schema and fails on a message left default.
"""

from marshmallow import Schema, fields

MISSING = "This is missing. Please fill it in."
WORDS: dict[type, dict[str, str]] = {
    fields.Field: {"required": MISSING, "null": MISSING,
                   "validator_failed": "This answer is not one the form accepts."},
    fields.String: {"invalid": "Please type this as text.",
                    "invalid_utf8": "Please type this as plain text."},
    fields.Number: {"invalid": "Please give a number.", "too_large": "This number is too large."},
    fields.Integer: {"invalid": "Please give a whole number, such as 7."},
    fields.Float: {"special": "Please give an ordinary number."},
    fields.Decimal: {"special": "Please give an ordinary number."},
    fields.Boolean: {"invalid": "Please answer yes or no."},
    fields.UUID: {"invalid_uuid": "This form is out of date. Reload the page and try again."},
    fields.Email: {"invalid": "Please give an email address, such as name@example.com."},
    fields.Url: {"invalid": "Please give a web address."},
    fields.List: {"invalid": "Please give a list of answers."},
    fields.Tuple: {"invalid": "Please give a list of answers."},
    fields.Mapping: {"invalid": "This is not in the form the page expects."},
    fields.Nested: {"type": "This is not in the form the page expects."},
    fields.Enum: {"unknown": "Please choose one of the options."},
    fields.TimeDelta: {"invalid": "Please give a length of time.",
                       "format": "Please give a length of time."},
    fields.Date: {"invalid": "Please give a date, such as 2026-03-10.",
                  "invalid_awareness": "Please give a date, such as 2026-03-10.",
                  "format": "Please give a date, such as 2026-03-10."},
    fields.DateTime: {"invalid": "Please give a date and time.",
                      "invalid_awareness": "Please give the time with its time zone.",
                      "format": "Please give a date and time."},
    fields.Time: {"invalid": "Please give a time, such as 09:30.",
                  "invalid_awareness": "Please give the time with its time zone.",
                  "format": "Please give a time, such as 09:30."},
    fields.IP: {"invalid_ip": "Please give an IP address."},
    fields.IPInterface: {"invalid_ip_interface": "Please give an IP address."},
    fields.IPv4: {"invalid_ip": "Please give an IP address."},
    fields.IPv4Interface: {"invalid_ip_interface": "Please give an IP address."},
    fields.IPv6: {"invalid_ip": "Please give an IP address."},
    fields.IPv6Interface: {"invalid_ip_interface": "Please give an IP address."},
}
SCHEMA_WORDS = {"type": "This is not in the form the page expects.",
                "unknown": "The form sent something this page does not ask for."}

# The library's own messages, kept to prove none is left (the unit test).
ORIGINALS: frozenset[str] = frozenset(
    message for cls in (*WORDS, fields.AwareDateTime, fields.NaiveDateTime, fields.Str)
    for klass in cls.__mro__ for message in vars(klass).get("default_error_messages", {}).values()
) | frozenset(Schema._default_error_messages.values())


def apply() -> None:
    for cls, words in WORDS.items():
        cls.default_error_messages = {**cls.__dict__.get("default_error_messages", {}), **words}
    Schema._default_error_messages = {**Schema._default_error_messages, **SCHEMA_WORDS}


apply()
