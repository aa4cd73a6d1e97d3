from marshmallow import Schema, fields, validate

from app.auth.schemas import SetPassword
from app.forms import language_field


class ChangePassword(SetPassword):
    """The current password, then a new one under the same rules as the setup page."""

    current = fields.String(required=True, validate=validate.Length(1, 256))


class ChooseLanguage(Schema):
    """The language of the pages and of every message Aftercare sends this person."""

    language = language_field(required=True)
