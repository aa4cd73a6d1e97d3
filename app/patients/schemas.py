from marshmallow import Schema, ValidationError, fields, validate

from app.forms import TIMEZONE_ERROR, Text, TimeZone, known_timezones


def valid_timezone(value: str) -> None:
    """For the command line (create-clinic): the same test as the ``TimeZone`` field."""
    if value not in known_timezones():
        raise ValidationError(TIMEZONE_ERROR)


class Enrollment(Schema):
    display_name = Text(required=True, max_length=120)
    email = fields.Email(required=True, validate=validate.Length(max=254))
    timezone = TimeZone(required=True, validate=validate.Length(1, 64))
