from marshmallow import Schema, fields

from app.forms import Text


class PasskeyName(Schema):
    name = Text(required=True, max_length=60)


class NewPasskey(PasskeyName):
    """A passkey's chosen name and the authenticator's answer to navigator.credentials.create
    (checked by py_webauthn)."""

    credential = fields.Dict(required=True)


class PasskeyAnswer(Schema):
    """The authenticator's answer to navigator.credentials.get."""

    credential = fields.Dict(required=True)
