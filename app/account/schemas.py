from marshmallow import fields, validate

from app.auth.schemas import SetPassword


class ChangePassword(SetPassword):
    """The current password, then a new one under the same rules as the setup page."""

    current = fields.String(required=True, validate=validate.Length(1, 256))
