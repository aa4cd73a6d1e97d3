"""Cohort filters (query string of the page, the chart endpoints and the CSV export), and the
chart shape the JSON endpoints answer with."""

from marshmallow import Schema, fields, validate

from app.forms import DateRangeQuery
from app.infusions.models import SeriesKind


class CohortQuery(DateRangeQuery):
    """``start``/``end``: dates (YYYY-MM-DD, inclusive) the infusions ended on, in the clinic's
    time zone. ``clinician``: the staff member who recorded the infusions."""

    clinician = fields.Integer(load_default=None, allow_none=True,
                               validate=validate.Range(min=1, max=2**31 - 1))
    series = fields.String(load_default=SeriesKind.INDUCTION.value,
                           validate=validate.OneOf([k.value for k in SeriesKind]))


class Axis(Schema):
    kind = fields.String(metadata={"description": "time, category or linear"})
    title = fields.String()
    min = fields.Float()
    max = fields.Float()
    integer = fields.Boolean(metadata={"description": "ticks at whole numbers only (counts)"})


class Dataset(Schema):
    label = fields.String(required=True)
    type = fields.String(metadata={"description": "overrides the chart type (e.g. scatter)"})
    marker = fields.Boolean(metadata={"description": "drawn as markers, not a line"})
    data = fields.List(fields.Raw(), required=True,
                       metadata={"description": "numbers aligned with labels, or {x, y} points"})


class Table(Schema):
    caption = fields.String()
    columns = fields.List(fields.String())
    rows = fields.List(fields.List(fields.Raw()))


class Chart(Schema):
    title = fields.String(required=True)
    type = fields.String(required=True, metadata={"description": "line or bar"})
    stacked = fields.Boolean()
    x = fields.Nested(Axis)
    y = fields.Nested(Axis)
    labels = fields.List(fields.String())
    datasets = fields.List(fields.Nested(Dataset), required=True)
    table = fields.Nested(Table, metadata={"description": "the same numbers as a table"})
    # Cohort charts also give the aggregates as plain numbers, for other tools.
    rows = fields.List(fields.Dict(), metadata={
        "description": "cohort charts: the aggregate rows, one object per group"})
    infusions_with_checkins = fields.List(fields.Dict(), metadata={
        "description": "side-effects chart: infusions with check-ins, per infusion number"})
    summary = fields.Dict(metadata={"description": "PHQ-9 chart: responders and remitters"})
    suppressed = fields.Boolean(metadata={
        "description": "cohort charts: true when some figures came from fewer than "
                       "min_patients patients and are withheld (null, with \"suppressed\": "
                       "true on their row)"})
    min_patients = fields.Integer(metadata={
        "description": "cohort charts: the fewest distinct patients a figure is shown for"})
    note = fields.String(metadata={"description": "cohort charts: what was withheld, in words"})
