import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from app.clinics.changes import sentence
from app.clinics.schemas import PHONE_ERROR, ClinicDetails, ClinicSettings
from app.clinics.settings import DEFAULTS

VALID = {**DEFAULTS, "checkin_ladder_hours": "2, 6, 24"}


@pytest.mark.parametrize("value", ["21:30x", "21:30\n", "7:30", "24:00", "21:60"])
def test_times_must_be_exactly_hh_mm(value):
    with pytest.raises(ValidationError) as caught:
        ClinicSettings().load({**VALID, "quiet_hours_start": value})
    assert "quiet_hours_start" in caught.value.messages


def test_valid_settings_load_with_sorted_hours():
    loaded = ClinicSettings().load({**VALID, "checkin_ladder_hours": "24, 2, 6"})
    assert loaded["checkin_ladder_hours"] == [2, 6, 24]


@pytest.mark.parametrize(("name", "value"), [
    ("severe_from", 0), ("severe_from", 5), ("mood_drop_points", 0), ("mood_floor", 11),
    ("phq9_worsening_points", 28), ("escalate_after_minutes", 4),
    ("persistent_after_hours", -1), ("missed_in_a_row", "two"),
])
def test_flag_thresholds_out_of_range_are_refused(name, value):
    with pytest.raises(ValidationError) as caught:
        ClinicSettings().load({**VALID, name: value})
    assert name in caught.value.messages


# --- the clinic's phone number and time zone (issue 15, point 6) ---------------------------



@pytest.mark.parametrize("phone", ["(555) 010-0199", "+1 555 010 0199", "555.010.0199", "988"])
def test_dialable_numbers_load(phone):
    assert ClinicDetails().load({"phone": f" {phone} ", "timezone": "UTC"})["phone"] == phone


@given(st.text(max_size=60))
@settings(max_examples=200, deadline=None, database=None)
def test_any_text_is_a_phone_number_or_a_message_in_words(text):
    try:
        loaded = ClinicDetails().load({"phone": text, "timezone": "UTC"})
    except ValidationError as refused:
        assert set(refused.messages) == {"phone"}
        assert refused.messages["phone"][0].startswith("Enter the clinic's phone number")
    else:
        assert sum(c.isdigit() for c in loaded["phone"]) >= 3
        assert len(loaded["phone"]) <= 31


def test_the_phone_message_gives_an_example():
    assert "for example (555) 010-0199" in PHONE_ERROR


def test_every_setting_has_words_in_the_change_log():
    for key in [*DEFAULTS, "phone", "timezone"]:
        said = sentence(key, DEFAULTS.get(key, "a"), "b")
        assert key not in said or "_" not in key, said
    assert sentence("quiet_hours_start", "21:30", "22:00") == (
        "Quiet hours start changed from 21:30 to 22:00")
    assert sentence("phone", "", "555-0100") == (
        "Crisis phone number changed from (none) to 555-0100")
