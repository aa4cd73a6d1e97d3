"""Push subscription input (what PushSubscription.toJSON() gives) and prompt output."""

import binascii

from cryptography.hazmat.primitives.asymmetric import ec
from marshmallow import Schema, ValidationError, fields, validate, validates

from app.encoding import b64url_decode
from app.notifications.endpoints import allowed_endpoint


def _decoded(value: str, length: int, what: str) -> bytes:
    try:
        raw = b64url_decode(value)
    except (binascii.Error, ValueError) as error:
        raise ValidationError(f"{what} is not base64url.") from error
    if len(raw) != length:
        raise ValidationError(f"{what} must be {length} bytes.")
    return raw


class SubscriptionKeys(Schema):
    p256dh = fields.String(required=True, validate=validate.Length(max=128))
    auth = fields.String(required=True, validate=validate.Length(max=64))

    @validates("p256dh")
    def uncompressed_point(self, value: str, **kwargs):
        raw = _decoded(value, 65, "p256dh")
        try:
            if raw[0] != 0x04:
                raise ValueError("compressed")
            ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
        except ValueError as error:
            raise ValidationError("p256dh must be an uncompressed P-256 public key.") from error

    @validates("auth")
    def auth_secret(self, value: str, **kwargs):
        _decoded(value, 16, "auth")


class SubscriptionIn(Schema):
    endpoint = fields.String(required=True, validate=validate.Length(max=2048))
    keys = fields.Nested(SubscriptionKeys, required=True)
    expirationTime = fields.Raw(load_default=None, allow_none=True)  # noqa: N815  (browser's name)

    def __init__(self, *, allowed_hosts=(), allow_http: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.allowed_hosts, self.allow_http = tuple(allowed_hosts), allow_http

    @validates("endpoint")
    def known_push_service(self, value: str, **kwargs):
        """Parsed as the sender parses it (app/notifications/endpoints.py); checked again at
        send."""
        reason = allowed_endpoint(value, self.allowed_hosts, self.allow_http)
        if reason is not None:
            raise ValidationError(reason)


class SubscriptionRef(Schema):
    endpoint = fields.String(required=True, validate=validate.Length(max=2048))


class PublicKey(Schema):
    public_key = fields.String(required=True)


class Subscribed(Schema):
    endpoint = fields.String()
    created = fields.Boolean()
