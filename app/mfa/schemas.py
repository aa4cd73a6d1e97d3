from marshmallow import Schema, fields, validate


class Code(Schema):
    """A 6-digit authenticator code or a recovery code (spaces allowed, checked by the
    service)."""

    code = fields.String(required=True, validate=validate.Length(1, 32))
