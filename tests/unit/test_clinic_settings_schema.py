import pytest
from marshmallow import ValidationError

from app.clinics.schemas import ClinicSettings
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
