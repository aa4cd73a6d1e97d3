"""Doses as people read them, and the dose rules of the infusion form (clinical.md)."""

from decimal import Decimal

import pytest
from marshmallow import ValidationError

from app.infusions import doses
from app.infusions.schemas import Infusion

D = Decimal


@pytest.mark.parametrize(("value", "shown"), [
    pytest.param(D("4E+2"), "400", id="400-as-normalised"),
    pytest.param(D("4E+1"), "40", id="40-as-normalised"),
    pytest.param(D("400.0"), "400", id="400.0"),
    pytest.param(D("40.0"), "40", id="40.0-from-the-database"),
    pytest.param(D("0.500"), "0.5", id="0.500"),
    pytest.param(D("35.5"), "35.5", id="35.5"),
    pytest.param(D("0.001"), "0.001", id="0.001"),
    pytest.param(D("1E-3"), "0.001", id="1E-3"),
    pytest.param(D("0.000"), "0", id="zero"),
    pytest.param(D("-0.0"), "0", id="negative-zero"),
    pytest.param(0.5, "0.5", id="float"),
    pytest.param(70, "70", id="int"),
    pytest.param(None, "", id="none"),
])
def test_plain_writes_decimals_without_exponent_or_trailing_zeros(value, shown):
    assert doses.plain(value) == shown


@pytest.mark.parametrize(("per_kg", "mg", "text"), [
    (D("0.500"), D("35.0"), "0.5 mg/kg, 35 mg"),
    (D("0.5"), D("4E+2"), "0.5 mg/kg, 400 mg"),
    (D("0.75"), None, "0.75 mg/kg"),
    (None, D("4E+1"), "40 mg"),
    (None, None, ""),
])
def test_dose_text(per_kg, mg, text):
    assert doses.dose_text(per_kg, mg) == text


@pytest.mark.parametrize(("value", "number", "json_text"), [
    (D("4E+2"), 400, "400"), (D("35.5"), 35.5, "35.5"), (D("0.500"), 0.5, "0.5"),
    (D("70.0"), 70, "70"),
])
def test_json_number_is_plain(value, number, json_text):
    import json

    assert doses.json_number(value) == number
    assert json.dumps(doses.json_number(value)) == json_text


@pytest.mark.parametrize(("per_kg", "mg", "weight", "agrees"), [
    pytest.param(D("0.5"), D("35"), D("70"), True, id="exact"),
    pytest.param(D("0.5"), D("35.5"), D("70"), True, id="0.5-mg-over-small-dose"),
    pytest.param(D("0.5"), D("34.5"), D("70"), True, id="0.5-mg-under-small-dose"),
    pytest.param(D("0.5"), D("35.6"), D("70"), False, id="0.6-mg-over-small-dose"),
    pytest.param(D("1.5"), D("151.5"), D("100"), True, id="1-percent-of-150"),
    pytest.param(D("1.5"), D("151.6"), D("100"), False, id="past-1-percent-of-150"),
    pytest.param(D("0.5"), D("400"), D("70"), False, id="400-mg-for-35"),
])
def test_mg_agrees_within_half_a_mg_or_1_percent(per_kg, mg, weight, agrees):
    assert doses.mg_agrees(per_kg, mg, weight) is agrees


@pytest.mark.parametrize(("per_kg", "outside"), [
    (None, False), (D("0.099"), True), (D("0.1"), False), (D("0.5"), False),
    (D("1.5"), False), (D("1.501"), True), (D("3"), True),
])
def test_usual_range_is_0_1_to_1_5_mg_per_kg(per_kg, outside):
    assert doses.outside_usual_range(per_kg) is outside


def _load(confirmed_dose=None, **values):
    schema = Infusion(timezone="America/New_York", confirmed_dose=confirmed_dose)
    return schema.load({"planned_start": "2026-03-10T09:00", **values})


def _errors(confirmed_dose=None, **values) -> dict:
    with pytest.raises(ValidationError) as caught:
        _load(confirmed_dose, **values)
    return caught.value.messages


def test_no_dose_needs_no_weight():
    loaded = _load()
    assert (loaded["weight_kg"], loaded["confirm_dose"]) == (None, False)


@pytest.mark.parametrize("dose", [{"dose_mg_per_kg": "0.5"}, {"dose_mg": "35"}])
def test_a_dose_needs_the_weight(dose):
    assert _errors(**dose) == {
        "weight_kg": ["Enter the patient's weight in kg: it is needed with a dose."]}


@pytest.mark.parametrize("weight", ["24.9", "300.1", "0", "-70", "abc", "NaN"])
def test_implausible_weight_is_refused(weight):
    assert _errors(dose_mg_per_kg="0.5", weight_kg=weight)["weight_kg"]


@pytest.mark.parametrize("weight", ["25", "300", "70.4"])
def test_plausible_weight_is_kept(weight):
    assert _load(weight_kg=weight)["weight_kg"] == D(weight)


def test_mg_disagreeing_with_mg_per_kg_times_weight_names_the_mg_field():
    assert _errors(dose_mg_per_kg="0.5", dose_mg="400", weight_kg="70") == {"dose_mg": [
        "400 mg does not match 0.5 mg/kg for 70 kg, which is 35 mg. "
        "Check the dose and the weight."]}


def test_mg_within_the_tolerance_is_accepted():
    loaded = _load(dose_mg_per_kg="0.5", dose_mg="35.5", weight_kg="70")
    assert (loaded["dose_mg_per_kg"], loaded["dose_mg"], loaded["weight_kg"]) == (
        D("0.5"), D("35.5"), D("70"))


@pytest.mark.parametrize(("dose", "shown"), [
    pytest.param({"dose_mg_per_kg": "2", "dose_mg": "140"}, "2", id="above-by-mg-per-kg"),
    pytest.param({"dose_mg_per_kg": "0.05"}, "0.05", id="below-by-mg-per-kg"),
    pytest.param({"dose_mg": "140"}, "2", id="above-by-mg-and-weight"),
])
def test_an_unusual_dose_needs_the_confirmation(dose, shown):
    assert _errors(weight_kg="70", **dose) == {"confirm_dose": [
        f"{shown} mg/kg is outside the usual range of 0.1 to 1.5 mg/kg. Check the dose and "
        "the weight; if the dose is right, tick the box to confirm it."]}


@pytest.mark.parametrize("dose", [{"dose_mg_per_kg": "2"}, {"dose_mg": "140"},
                                  {"dose_mg_per_kg": "0.05"}])
def test_a_confirmed_unusual_dose_is_accepted(dose):
    assert _load(weight_kg="70", confirm_dose="yes", **dose)["confirm_dose"] is True


@pytest.mark.parametrize("dose", [{"dose_mg_per_kg": "0.1"}, {"dose_mg_per_kg": "1.5"},
                                  {"dose_mg": "105"}])
def test_the_usual_range_needs_no_confirmation(dose):
    assert _load(weight_kg="70", **dose)["confirm_dose"] is False


def test_an_unchanged_confirmed_dose_needs_no_second_confirmation():
    before = (D("2.000"), D("140.0"), D("70.0"))  # as read back from the database
    assert _load(before, dose_mg_per_kg="2", dose_mg="140", weight_kg="70")["confirm_dose"] is False
    # A changed weight (or dose) is a new dose: confirm it again.
    assert "confirm_dose" in _errors(before, dose_mg_per_kg="2", dose_mg="141", weight_kg="70.5")
