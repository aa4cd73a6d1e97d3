from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.forms import TIMEZONE_ERROR, Phone, Text, TimeZone, known_timezones, language_field
from app.i18n import N_

CHANNELS = ("auto", "push", "sms", "email")
FALLBACKS = ("auto", "none", "push", "sms", "email")
CHANNEL_ERROR = N_("Choose one of the channels listed.")
NEEDS_PHONE = N_("Texts need a phone number: enter one, or choose another channel.")
NEEDS_EMAIL = N_("Emails need an email address: enter one, or choose another channel.")
PHONE_OR_EMAIL = N_("Give the patient's phone number or email (or both).")


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


class OptionalEmail(fields.Email):
    """An email address, or None when left blank (a patient reached by phone only)."""

    def deserialize(self, value, *args, **kwargs):
        if isinstance(value, str):
            value = value.strip() or None
        return super().deserialize(value, *args, **kwargs)


def refuse_email_channel_without_address(data: dict, email: str | None) -> None:
    """Email as the preferred or fallback channel needs an address to send to."""
    if not email and "email" in (data.get("preferred_channel"), data.get("fallback_channel")):
        raise ValidationError(NEEDS_EMAIL, "preferred_channel"
                              if data.get("preferred_channel") == "email" else "fallback_channel")


class Enrollment(Contact):
    display_name = Text(required=True, max_length=120)
    email = OptionalEmail(load_default=None, allow_none=True, validate=validate.Length(max=254))
    timezone = TimeZone(required=True, validate=validate.Length(1, 64))
    language = language_field(load_default="en")

    @validates_schema
    def phone_or_email(self, data, **kwargs):
        if not data.get("phone") and not data.get("email"):
            raise ValidationError(PHONE_OR_EMAIL, "email")
        refuse_email_channel_without_address(data, data.get("email"))


def contact_errors(data: dict, email: str | None) -> dict:
    """Field errors for a patient's new contact details given the email their account has
    (the contact page does not change it): {} when a phone or the email still reaches them."""
    try:
        if not data.get("phone") and not email:
            raise ValidationError(PHONE_OR_EMAIL, "phone")
        refuse_email_channel_without_address(data, email)
    except ValidationError as error:
        return error.normalized_messages()
    return {}
