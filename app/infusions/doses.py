"""Doses as people read them, and the plausibility rules of a dose (clinical.md, "The treatment").

One formatter (``plain``) for every place a dose or a weight is shown: pages, form pre-fill,
CSV and FHIR. ``Decimal("4E+2")`` is 400 mg, and is written "400", never in scientific notation.

Fixed rules (documented here, not clinic settings: they are pharmacology and arithmetic, not a
clinic's preference):
- mg must agree with mg/kg x weight within ``max(MG_TOLERANCE, MG_TOLERANCE_SHARE x expected)``,
  i.e. within 0.5 mg or 1 %, whichever is larger. 0.5 mg covers the form's rounding (mg to
  0.1, weight to 0.1 kg, mg/kg to 0.001); 1 % covers a nurse rounding a large dose to the mg.
- The usual range of IV racemic ketamine for depression is 0.1 to 1.5 mg/kg; a dose outside
  it is recorded only with an explicit confirmation. The range is checked whatever the route
  (it is the only range clinical.md gives, and a click is a small price for a second look).
"""

from decimal import ROUND_HALF_UP, Decimal

MG_TOLERANCE = Decimal("0.5")
MG_TOLERANCE_SHARE = Decimal("0.01")
USUAL_MG_PER_KG = (Decimal("0.1"), Decimal("1.5"))
WEIGHT_KG = (Decimal("25"), Decimal("300"))


def plain(value) -> str:
    """A number as a plain decimal without trailing zeros: 400, 0.5, 35.5 ("" for None)."""
    if value is None:
        return ""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    text = format(number.normalize(), "f")
    return "0" if text == "-0" else text


def dose_text(mg_per_kg, mg) -> str:
    """ "0.5 mg/kg, 35 mg"; either part alone when only one is known; "" when none is."""
    parts = [f"{plain(mg_per_kg)} mg/kg" if mg_per_kg is not None else "",
             f"{plain(mg)} mg" if mg is not None else ""]
    return ", ".join(p for p in parts if p)


def json_number(value: Decimal) -> int | float:
    """A Decimal as a JSON number that prints plainly (400, 35.5): FHIR decimals are numbers."""
    return int(value) if value == value.to_integral_value() else float(plain(value))


def expected_mg(mg_per_kg: Decimal, weight_kg: Decimal) -> Decimal:
    """mg/kg x weight, to the 0.1 mg the record keeps."""
    return (mg_per_kg * weight_kg).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def rounded_per_kg(mg_per_kg: Decimal) -> Decimal:
    """A worked-out mg/kg to the 0.001 mg/kg the record keeps."""
    return mg_per_kg.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


def mg_agrees(mg_per_kg: Decimal, mg: Decimal, weight_kg: Decimal) -> bool:
    expected = mg_per_kg * weight_kg
    return abs(mg - expected) <= max(MG_TOLERANCE, MG_TOLERANCE_SHARE * expected)


def effective_mg_per_kg(mg_per_kg: Decimal | None, mg: Decimal | None,
                        weight_kg: Decimal | None) -> Decimal | None:
    """The dose per kg: as recorded, or worked out from mg and weight when only mg is."""
    if mg_per_kg is not None:
        return mg_per_kg
    if mg is not None and weight_kg:
        return mg / weight_kg
    return None


def outside_usual_range(mg_per_kg: Decimal | None) -> bool:
    low, high = USUAL_MG_PER_KG
    return mg_per_kg is not None and not low <= mg_per_kg <= high
