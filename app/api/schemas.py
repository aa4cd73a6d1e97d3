from marshmallow import Schema, fields


class Error(Schema):
    """The one shape every JSON error takes."""

    code = fields.Integer(required=True)
    message = fields.String(required=True)
    fields_ = fields.Dict(data_key="fields", keys=fields.String(), values=fields.Raw())


class ErrorResponse(Schema):
    error = fields.Nested(Error, required=True)


class SessionInfo(Schema):
    csrf_token = fields.String(required=True)
    role = fields.String(allow_none=True)
    signed_in = fields.Boolean(required=True)


class Health(Schema):
    status = fields.String(required=True)
    database = fields.String(required=True)
