"""Filters of the admin's audit log page."""

from datetime import date

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

MAX_ID = 2**31 - 1
# Dates a clinic can mean; beyond them the day's bounds would overflow a datetime.
DATE_RANGE = validate.Range(min=date(2000, 1, 1), max=date(2100, 12, 31))


class AuditQuery(Schema):
    actor = fields.Integer(load_default=None, validate=validate.Range(min=1, max=MAX_ID))
    patient = fields.Integer(load_default=None, validate=validate.Range(min=1, max=MAX_ID))
    action = fields.String(load_default=None, validate=validate.Length(max=64))
    start = fields.Date(load_default=None, validate=DATE_RANGE)
    end = fields.Date(load_default=None, validate=DATE_RANGE)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))

    class Meta:
        unknown = "exclude"

    @validates_schema
    def start_before_end(self, data, **kwargs):
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise ValidationError("The start date must be on or before the end date.", "end")
