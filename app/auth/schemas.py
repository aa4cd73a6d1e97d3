from collections.abc import Mapping

from marshmallow import (
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validate,
    validates_schema,
)

from app.forms import Phone, Text
from app.i18n import N_

PASSWORD_MIN_LENGTH = 10  # also in the words of SetPassword's message (one msgid to translate)


class Login(Schema):
    email = fields.String(required=True, validate=validate.Length(1, 254))
    password = fields.String(required=True, validate=validate.Length(1, 256))


USERNAME_HINT_FIELD = "username"  # noqa: S105  (a form field name)


class NewPasswordForm(Schema):
    """A form that sets a password. Its page carries a hidden ``username`` input
    (autocomplete="username") so a password manager files the new password under the right
    account, and the browser posts it back. It is dropped unread: the account is the setup
    link's or the signed-in person's, never what the form says. Any other unknown field is
    still refused."""

    @pre_load
    def drop_password_manager_hint(self, data, **kwargs):
        if isinstance(data, Mapping):
            return {k: v for k, v in data.items() if k != USERNAME_HINT_FIELD}
        return data


class SetPassword(NewPasswordForm):
    password = fields.String(required=True, validate=validate.Length(
        PASSWORD_MIN_LENGTH, 128,
        error=N_("Use 10 to 128 characters.")))
    confirm = fields.String(required=True)

    @validates_schema
    def same_twice(self, data, **kwargs):
        if data.get("password") != data.get("confirm"):
            raise ValidationError(N_("The two passwords are not the same."), "confirm")


class Staff(Schema):
    name = Text(required=True, max_length=120)
    email = fields.Email(required=True, validate=validate.Length(max=254))
    role = fields.String(load_default="clinician",
                         validate=validate.OneOf(["clinician", "admin"]))


class LinkRequest(Schema):
    """"Send me a sign-in link": a phone number or an email address in one field."""

    address = Text(required=True, max_length=254)

    @post_load
    def phone_or_email(self, data, **kwargs):
        address = data["address"]
        if "@" in address:
            try:
                validate.Email()(address)
            except ValidationError:
                raise ValidationError(ADDRESS_ERROR, "address") from None
            return {"address": address, "phone": None}
        try:
            phone = Phone().deserialize(address)
        except ValidationError:
            raise ValidationError(ADDRESS_ERROR, "address") from None
        return {"address": phone, "phone": phone}


ADDRESS_ERROR = "Enter the mobile number or the email address your clinic has for you."
