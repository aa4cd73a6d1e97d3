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

from app.i18n import N_

MISSING = N_("This is missing. Please fill it in.")
WORDS: dict[type, dict[str, str]] = {
    fields.Field: {"required": MISSING, "null": MISSING,
                   "validator_failed": N_("This answer is not one the form accepts.")},
    fields.String: {"invalid": N_("Please type this as text."),
                    "invalid_utf8": N_("Please type this as plain text.")},
    fields.Number: {"invalid": N_("Please give a number."),
                    "too_large": N_("This number is too large.")},
    fields.Integer: {"invalid": N_("Please give a whole number, such as 7.")},
    fields.Float: {"special": N_("Please give an ordinary number.")},
    fields.Decimal: {"special": N_("Please give an ordinary number.")},
    fields.Boolean: {"invalid": N_("Please answer yes or no.")},
    fields.UUID: {"invalid_uuid": N_("This form is out of date. Reload the page and try again.")},
    fields.Email: {"invalid": N_("Please give an email address, such as name@example.com.")},
    fields.Url: {"invalid": N_("Please give a web address.")},
    fields.List: {"invalid": N_("Please give a list of answers.")},
    fields.Tuple: {"invalid": N_("Please give a list of answers.")},
    fields.Mapping: {"invalid": N_("This is not in the form the page expects.")},
    fields.Nested: {"type": N_("This is not in the form the page expects.")},
    fields.Enum: {"unknown": N_("Please choose one of the options.")},
    fields.TimeDelta: {"invalid": N_("Please give a length of time."),
                       "format": N_("Please give a length of time.")},
    fields.Date: {"invalid": N_("Please give a date, such as 2026-03-10."),
                  "invalid_awareness": N_("Please give a date, such as 2026-03-10."),
                  "format": N_("Please give a date, such as 2026-03-10.")},
    fields.DateTime: {"invalid": N_("Please give a date and time."),
                      "invalid_awareness": N_("Please give the time with its time zone."),
                      "format": N_("Please give a date and time.")},
    fields.Time: {"invalid": N_("Please give a time, such as 09:30."),
                  "invalid_awareness": N_("Please give the time with its time zone."),
                  "format": N_("Please give a time, such as 09:30.")},
    fields.IP: {"invalid_ip": N_("Please give an IP address.")},
    fields.IPInterface: {"invalid_ip_interface": N_("Please give an IP address.")},
    fields.IPv4: {"invalid_ip": N_("Please give an IP address.")},
    fields.IPv4Interface: {"invalid_ip_interface": N_("Please give an IP address.")},
    fields.IPv6: {"invalid_ip": N_("Please give an IP address.")},
    fields.IPv6Interface: {"invalid_ip_interface": N_("Please give an IP address.")},
}
SCHEMA_WORDS = {"type": N_("This is not in the form the page expects."),
                "unknown": N_("The form sent something this page does not ask for.")}

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
