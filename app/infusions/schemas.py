"""Infusion form input. Times are typed in the clinic's local time and stored in UTC."""

from datetime import UTC, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from app.infusions import doses

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
    weight_kg = fields.Decimal(load_default=None, allow_none=True, places=1,
                               validate=validate.Range(*doses.WEIGHT_KG,
                                                       error="Enter the patient's weight in kg, "
                                                             "between 25 and 300."))
    confirm_dose = fields.Boolean(load_default=False)
    route = fields.String(load_default="IV", validate=validate.OneOf(ROUTES))
    notes = fields.String(load_default="", validate=validate.Length(max=2000))

    def __init__(self, *, timezone: str, confirmed_dose: tuple | None = None, **kwargs):
        """``confirmed_dose``: (mg/kg, mg, weight) of an unusual dose already confirmed on the
        infusion being edited; unchanged, it needs no second confirmation."""
        super().__init__(**kwargs)
        self.zone = ZoneInfo(timezone)
        self.confirmed_dose = confirmed_dose

    @validates_schema
    def dose_plausible(self, data, **kwargs):
        """Weight with any dose; mg agreeing with mg/kg x weight; an unusual dose confirmed."""
        per_kg, mg, weight = (data.get(n) for n in ("dose_mg_per_kg", "dose_mg", "weight_kg"))
        if (per_kg is not None or mg is not None) and weight is None:
            raise ValidationError("Enter the patient's weight in kg: it is needed with a dose.",
                                  "weight_kg")
        if per_kg is not None and mg is not None and not doses.mg_agrees(per_kg, mg, weight):
            expected = doses.expected_mg(per_kg, weight)
            raise ValidationError(
                f"{doses.plain(mg)} mg does not match {doses.plain(per_kg)} mg/kg for "
                f"{doses.plain(weight)} kg, which is {doses.plain(expected)} mg. "
                "Check the dose and the weight.", "dose_mg")
        effective = doses.effective_mg_per_kg(per_kg, mg, weight)
        if (doses.outside_usual_range(effective) and not data.get("confirm_dose")
                and (per_kg, mg, weight) != self.confirmed_dose):
            low, high = (doses.plain(v) for v in doses.USUAL_MG_PER_KG)
            raise ValidationError(
                f"{doses.plain(doses.rounded_per_kg(effective))} mg/kg is outside the usual range "
                f"of {low} to {high} mg/kg. Check the dose and the weight; if the dose is "
                "right, tick the box to confirm it.", "confirm_dose")

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
