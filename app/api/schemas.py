from marshmallow import Schema, fields


class Error(Schema):
    """The one shape every JSON error takes."""

    code = fields.Integer(required=True)
    message = fields.String(required=True)
    fields_ = fields.Dict(data_key="fields", keys=fields.String(), values=fields.Raw())
    reason = fields.String(metadata={"description": (
        "Machine-readable, when the app must act: 'session_revoked' (this device was signed "
        "out from elsewhere: forget saved check-ins and caches), 'account_mismatch' (an entry "
        "saved under another account: never sent under this one)")})


class ErrorResponse(Schema):
    error = fields.Nested(Error, required=True)


class SessionInfo(Schema):
    csrf_token = fields.String(required=True)
    role = fields.String(allow_none=True)
    signed_in = fields.Boolean(required=True)
    account = fields.String(allow_none=True, metadata={"description": (
        "For a signed-in patient, the value this device stores with each check-in it saves "
        "offline and declares as `account` when sending it; else null")})
    signed_out = fields.String(allow_none=True, metadata={"description": (
        "'session_revoked' when this device's session was ended from elsewhere (or the "
        "account deactivated): the app forgets its saved check-ins and caches; else null")})


class Health(Schema):
    status = fields.String(required=True)
    database = fields.String(required=True)
