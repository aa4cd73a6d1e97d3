"""Filters of the admin's audit log page."""

from marshmallow import fields, validate

from app.forms import DateRangeQuery

MAX_ID = 2**31 - 1


class AuditQuery(DateRangeQuery):
    actor = fields.Integer(load_default=None, validate=validate.Range(min=1, max=MAX_ID))
    patient = fields.Integer(load_default=None, validate=validate.Range(min=1, max=MAX_ID))
    action = fields.String(load_default=None, validate=validate.Length(max=64))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
