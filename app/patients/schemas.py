from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.forms import TIMEZONE_ERROR, Phone, Text, TimeZone, known_timezones, language_field

CHANNELS = ("auto", "push", "sms", "email")
FALLBACKS = ("auto", "none", "push", "sms", "email")
CHANNEL_ERROR = "Choose one of the channels listed."
NEEDS_PHONE = "Texts need a phone number: enter one, or choose another channel."


def valid_timezone(value: str) -> None:
    """For the command line (create-clinic): the same test as the ``TimeZone`` field."""
    if value not in known_timezones():
        raise ValidationError(TIMEZONE_ERROR)


class Contact(Schema):
    """How messages reach a patient. Texts need a phone and the consent the clinic records."""

    phone = Phone(load_default=None, allow_none=True)
    # A checkbox: present ("on") when ticked, absent when not.
    sms_consent = fields.Boolean(load_default=False, truthy={"on", "true", "1", True})
    preferred_channel = fields.String(load_default="auto",
                                      validate=validate.OneOf(CHANNELS, error=CHANNEL_ERROR))
    fallback_channel = fields.String(load_default="auto",
                                     validate=validate.OneOf(FALLBACKS, error=CHANNEL_ERROR))

    @validates_schema
    def texts_need_a_phone(self, data, **kwargs):
        if data.get("phone"):
            return
        if data.get("sms_consent"):
            raise ValidationError(NEEDS_PHONE, "phone")
        if "sms" in (data.get("preferred_channel"), data.get("fallback_channel")):
            raise ValidationError(NEEDS_PHONE, "phone")


class Enrollment(Contact):
    display_name = Text(required=True, max_length=120)
    email = fields.Email(required=True, validate=validate.Length(max=254))
    timezone = TimeZone(required=True, validate=validate.Length(1, 64))
    language = language_field(load_default="en")
