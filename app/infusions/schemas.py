"""Infusion form input. Times are typed in the clinic's local time and stored in UTC."""

from datetime import UTC, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask_babel import gettext
from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from app.i18n import N_
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
                                                            error=N_("Between 0.01 and 3 mg/kg.")))
    dose_mg = fields.Decimal(load_default=None, allow_none=True, places=1,
                             validate=validate.Range(Decimal("0.1"), Decimal("500"),
                                                     error=N_("Between 0.1 and 500 mg.")))
    weight_kg = fields.Decimal(load_default=None, allow_none=True, places=1,
                               validate=validate.Range(*doses.WEIGHT_KG,
                                                       error=N_("Enter the patient's weight in "
                                                                "kg, between 25 and 300.")))
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
            raise ValidationError(N_("Enter the patient's weight in kg: it is needed with a dose."),
                                  "weight_kg")
        if per_kg is not None and mg is not None and not doses.mg_agrees(per_kg, mg, weight):
            expected = doses.expected_mg(per_kg, weight)
            raise ValidationError(gettext(
                "%(mg)s mg does not match %(per_kg)s mg/kg for %(weight)s kg, which is "
                "%(expected)s mg. Check the dose and the weight.", mg=doses.plain(mg),
                per_kg=doses.plain(per_kg), weight=doses.plain(weight),
                expected=doses.plain(expected)), "dose_mg")
        effective = doses.effective_mg_per_kg(per_kg, mg, weight)
        if (doses.outside_usual_range(effective) and not data.get("confirm_dose")
                and (per_kg, mg, weight) != self.confirmed_dose):
            low, high = (doses.plain(v) for v in doses.USUAL_MG_PER_KG)
            raise ValidationError(gettext(
                "%(dose)s mg/kg is outside the usual range of %(low)s to %(high)s mg/kg. Check "
                "the dose and the weight; if the dose is right, tick the box to confirm it.",
                dose=doses.plain(doses.rounded_per_kg(effective)), low=low, high=high),
                "confirm_dose")

    @validates_schema
    def times_in_order(self, data, **kwargs):
        """Compared as real instants, so a night across a DST change has its true length."""
        if any(data.get(n) and not EARLIEST_YEAR <= data[n].year <= LATEST_YEAR
               for n in TIME_FIELDS):
            return  # plausible_years says what is wrong
        start, end = data.get("actual_start"), data.get("actual_end")
        if end is not None and start is None:
            raise ValidationError(N_("Record the start before the end."), "actual_start")
        if start is not None and end is not None:
            start, end = self._start_and_end(start, end)
            if end <= start:
                raise ValidationError(N_("The end must be after the start."), "actual_end")
            if end - start > MAX_DURATION:
                raise ValidationError(N_("An infusion longer than 6 hours is not plausible."),
                                      "actual_end")

    def _aware(self, value):
        return value.replace(tzinfo=self.zone).astimezone(UTC) if value is not None else None

    def _instants(self, value) -> list:
        """The UTC instants a local time names: two in the hour repeated when clocks go back
        (the first, then the second 01:30), one otherwise."""
        first = value.replace(tzinfo=self.zone, fold=0).astimezone(UTC)
        second = value.replace(tzinfo=self.zone, fold=1).astimezone(UTC)
        return [first] if first == second else [first, second]

    def _start_and_end(self, start, end) -> tuple:
        """The start and end as instants. Where a time falls in the repeated hour of the
        autumn clock change, the reading that gives the shortest infusion that ends after it
        starts is taken: 01:30 to 01:10 on that night is 40 minutes (the end in the second
        01:00-02:00), and a start at 01:30 with an end at 02:10 is the second 01:30. The form
        says so beside the times."""
        readings = [(s, e) for s in self._instants(start) for e in self._instants(end)]
        forward = [(s, e) for s, e in readings if e > s]
        if not forward:
            return readings[0]
        return min(forward, key=lambda pair: pair[1] - pair[0])

    @validates_schema
    def plausible_years(self, data, **kwargs):
        """No year 9999 (it cannot even be converted to UTC) nor any far from today."""
        for name in TIME_FIELDS:
            value = data.get(name)
            if value is not None and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
                raise ValidationError(gettext("Use a date between %(first)s and %(last)s.",
                                              first=EARLIEST_YEAR, last=LATEST_YEAR), name)

    @post_load
    def to_utc(self, data, **kwargs):
        start, end = data.get("actual_start"), data.get("actual_end")
        for name in TIME_FIELDS:
            data[name] = self._aware(data.get(name))
        if start is not None and end is not None:
            data["actual_start"], data["actual_end"] = self._start_and_end(start, end)
        return data


def form_values(form) -> dict:
    """The posted form with empty optional inputs as None (so they count as not given)."""
    return {k: (v if v != "" else None) for k, v in form.items()
            if k != "csrf_token" and not (k in ("notes", "route") and v == "")}
