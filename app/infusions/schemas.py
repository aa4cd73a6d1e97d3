"""Infusion form input. Times are typed in the clinic's local time and stored in UTC."""

from datetime import UTC, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
ROUTES = ("IV", "IM", "intranasal")
MAX_DURATION = timedelta(hours=6)
TIME_FIELDS = ("planned_start", "actual_start", "actual_end")
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


class Infusion(Schema):
    planned_start = fields.NaiveDateTime(required=True, format=LOCAL_FORMAT)
    actual_start = fields.NaiveDateTime(load_default=None, allow_none=True, format=LOCAL_FORMAT)
    actual_end = fields.NaiveDateTime(load_default=None, allow_none=True, format=LOCAL_FORMAT)
    dose_mg_per_kg = fields.Decimal(load_default=None, allow_none=True, places=3,
                                    validate=validate.Range(Decimal("0.01"), Decimal("3"),
                                                            error="Between 0.01 and 3 mg/kg."))
    dose_mg = fields.Decimal(load_default=None, allow_none=True, places=1,
                             validate=validate.Range(Decimal("0.1"), Decimal("500"),
                                                     error="Between 0.1 and 500 mg."))
    route = fields.String(load_default="IV", validate=validate.OneOf(ROUTES))
    notes = fields.String(load_default="", validate=validate.Length(max=2000))

    def __init__(self, *, timezone: str, **kwargs):
        super().__init__(**kwargs)
        self.zone = ZoneInfo(timezone)

    @validates_schema
    def times_in_order(self, data, **kwargs):
        """Compared as real instants, so a night across a DST change has its true length."""
        if any(data.get(n) and not EARLIEST_YEAR <= data[n].year <= LATEST_YEAR
               for n in TIME_FIELDS):
            return  # plausible_years says what is wrong
        start, end = (self._aware(data.get(name)) for name in ("actual_start", "actual_end"))
        if end is not None and start is None:
            raise ValidationError("Record the start before the end.", "actual_start")
        if start is not None and end is not None:
            if end <= start:
                raise ValidationError("The end must be after the start.", "actual_end")
            if end - start > MAX_DURATION:
                raise ValidationError("An infusion longer than 6 hours is not plausible.",
                                      "actual_end")

    def _aware(self, value):
        return value.replace(tzinfo=self.zone).astimezone(UTC) if value is not None else None

    @validates_schema
    def plausible_years(self, data, **kwargs):
        """No year 9999 (it cannot even be converted to UTC) nor any far from today."""
        for name in TIME_FIELDS:
            value = data.get(name)
            if value is not None and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
                raise ValidationError(f"Use a date between {EARLIEST_YEAR} and {LATEST_YEAR}.",
                                      name)

    @post_load
    def to_utc(self, data, **kwargs):
        for name in TIME_FIELDS:
            data[name] = self._aware(data.get(name))
        return data


def form_values(form) -> dict:
    """The posted form with empty optional inputs as None (so they count as not given)."""
    return {k: (v if v != "" else None) for k, v in form.items()
            if k != "csrf_token" and not (k in ("notes", "route") and v == "")}
