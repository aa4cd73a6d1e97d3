from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import Schema, ValidationError, fields, validate, validates

from app.forms import Text


def valid_timezone(value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValidationError("Choose a time zone such as America/Chicago.") from error


class Enrollment(Schema):
    display_name = Text(required=True, max_length=120)
    email = fields.Email(required=True, validate=validate.Length(max=254))
    timezone = fields.String(required=True, validate=validate.Length(1, 64))

    @validates("timezone")
    def known_zone(self, value: str, **kwargs):
        valid_timezone(value)
