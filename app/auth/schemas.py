from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.forms import Text

PASSWORD_MIN_LENGTH = 10


class Login(Schema):
    email = fields.String(required=True, validate=validate.Length(1, 254))
    password = fields.String(required=True, validate=validate.Length(1, 256))


class SetPassword(Schema):
    password = fields.String(required=True, validate=validate.Length(
        PASSWORD_MIN_LENGTH, 128,
        error=f"Use {PASSWORD_MIN_LENGTH} to 128 characters."))
    confirm = fields.String(required=True)

    @validates_schema
    def same_twice(self, data, **kwargs):
        if data.get("password") != data.get("confirm"):
            raise ValidationError("The two passwords are not the same.", "confirm")


class Staff(Schema):
    name = Text(required=True, max_length=120)
    email = fields.Email(required=True, validate=validate.Length(max=254))
    role = fields.String(load_default="clinician",
                         validate=validate.OneOf(["clinician", "admin"]))
