"""Ladder and quiet-hour arithmetic, including DST changes and far-away patients."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.prompts.schedule import (
    QuietHours,
    ladder,
    outside_quiet_hours,
    readiness,
    window_ends,
)

NEW_YORK = ZoneInfo("America/New_York")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
SYDNEY = ZoneInfo("Australia/Sydney")
DEFAULT_QUIET = QuietHours(time(21, 30), time(8, 0))


def local(zone, *args) -> datetime:
    return datetime(*args, tzinfo=zone)


@pytest.mark.parametrize(("moment", "expected"), [
    # outside quiet hours: unchanged
    (local(NEW_YORK, 2026, 3, 3, 12, 0), local(NEW_YORK, 2026, 3, 3, 12, 0)),
    (local(NEW_YORK, 2026, 3, 3, 21, 29), local(NEW_YORK, 2026, 3, 3, 21, 29)),
    (local(NEW_YORK, 2026, 3, 3, 8, 0), local(NEW_YORK, 2026, 3, 3, 8, 0)),
    # quiet: start is inside, end is outside
    (local(NEW_YORK, 2026, 3, 3, 21, 30), local(NEW_YORK, 2026, 3, 4, 8, 0)),
    (local(NEW_YORK, 2026, 3, 3, 23, 59), local(NEW_YORK, 2026, 3, 4, 8, 0)),
    (local(NEW_YORK, 2026, 3, 4, 0, 0), local(NEW_YORK, 2026, 3, 4, 8, 0)),
    (local(NEW_YORK, 2026, 3, 4, 7, 59), local(NEW_YORK, 2026, 3, 4, 8, 0)),
])
def test_quiet_hours_move_a_prompt_to_their_end(moment, expected):
    assert outside_quiet_hours(moment, NEW_YORK, DEFAULT_QUIET) == expected


def test_quiet_end_on_the_morning_clocks_spring_forward():
    # 8 March 2026, US clocks go 02:00 -> 03:00. 23:00 EST the night before ends at 08:00 EDT.
    moved = outside_quiet_hours(local(NEW_YORK, 2026, 3, 7, 23, 0), NEW_YORK, DEFAULT_QUIET)
    assert moved == datetime(2026, 3, 8, 12, 0, tzinfo=UTC)  # 08:00 EDT = UTC-4
    assert moved.astimezone(NEW_YORK).hour == 8


def test_quiet_end_on_the_morning_clocks_fall_back():
    # 1 November 2026, US clocks go 02:00 -> 01:00. 08:00 that morning is EST = UTC-5.
    moved = outside_quiet_hours(local(NEW_YORK, 2026, 10, 31, 22, 0), NEW_YORK, DEFAULT_QUIET)
    assert moved == datetime(2026, 11, 1, 13, 0, tzinfo=UTC)


def test_a_quiet_end_inside_the_spring_gap_lands_after_it():
    quiet = QuietHours(time(23, 0), time(2, 30))  # 02:30 does not exist on 8 March 2026
    moved = outside_quiet_hours(local(NEW_YORK, 2026, 3, 8, 1, 0), NEW_YORK, quiet)
    assert moved.astimezone(NEW_YORK).replace(tzinfo=None) == datetime(2026, 3, 8, 3, 30)


def test_daytime_quiet_hours_that_do_not_span_midnight():
    quiet = QuietHours(time(13, 0), time(15, 0))
    assert outside_quiet_hours(local(NEW_YORK, 2026, 3, 3, 14, 0), NEW_YORK, quiet) == \
        local(NEW_YORK, 2026, 3, 3, 15, 0)
    assert outside_quiet_hours(local(NEW_YORK, 2026, 3, 3, 12, 0), NEW_YORK, quiet) == \
        local(NEW_YORK, 2026, 3, 3, 12, 0)


def test_ladder_uses_the_patients_zone_not_the_clinics():
    # The infusion ends 13:00 in New York = 10:00 in Los Angeles = 05:00 next day in Sydney.
    end = local(NEW_YORK, 2026, 3, 3, 13, 0)
    la = dict(ladder(end, [2, 6, 24], LOS_ANGELES, DEFAULT_QUIET))
    assert la == {"2h": end + timedelta(hours=2), "6h": end + timedelta(hours=6),
                  "24h": end + timedelta(hours=24)}
    sydney = dict(ladder(end, [2, 6, 24], SYDNEY, DEFAULT_QUIET))
    # +2 h is 07:00 Sydney (quiet) -> 08:00; +6 h is 11:00 Sydney (fine).
    assert sydney["2h"].astimezone(SYDNEY).replace(tzinfo=None) == datetime(2026, 3, 4, 8, 0)
    assert sydney["6h"] == end + timedelta(hours=6)


def test_ladder_default_after_an_afternoon_infusion():
    end = local(NEW_YORK, 2026, 3, 3, 16, 0)
    due = dict(ladder(end, [2, 6, 24, 48, 72], NEW_YORK, DEFAULT_QUIET))
    assert due["2h"] == local(NEW_YORK, 2026, 3, 3, 18, 0)
    assert due["6h"] == local(NEW_YORK, 2026, 3, 4, 8, 0)  # 22:00 is quiet
    assert due["72h"] == local(NEW_YORK, 2026, 3, 6, 16, 0)
    assert list(due) == ["2h", "6h", "24h", "48h", "72h"]


def test_readiness_is_the_evening_before_the_next_infusion():
    planned = local(NEW_YORK, 2026, 3, 9, 10, 0)  # Monday after the spring change
    due = readiness(planned, NEW_YORK, DEFAULT_QUIET, time(18, 0))
    assert due == local(NEW_YORK, 2026, 3, 8, 18, 0)
    assert due == datetime(2026, 3, 8, 22, 0, tzinfo=UTC)


@pytest.mark.parametrize(("next_offset", "expected_hours"), [
    (timedelta(hours=4), 4),     # the next prompt comes first
    (timedelta(hours=30), 24),   # capped by the maximum window
    (None, 24),                  # the last prompt of the ladder
    (timedelta(0), 24),          # a next prompt at the same moment does not close the window
])
def test_answer_window(next_offset, expected_hours):
    due = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)
    next_due = due + next_offset if next_offset is not None else None
    assert window_ends(due, next_due, timedelta(hours=24)) == due + timedelta(
        hours=expected_hours)


def test_quiet_hours_of_equal_start_and_end_are_never_quiet():
    assert not QuietHours(time(8, 0), time(8, 0)).contains(time(8, 0))


def test_two_steps_moved_to_the_same_morning_become_one():
    # Ends 19:40: +2 h = 21:40 and +6 h = 01:40 are both quiet -> both would be 08:00.
    end = local(NEW_YORK, 2026, 3, 3, 19, 40)
    due = ladder(end, [2, 6, 24], NEW_YORK, DEFAULT_QUIET)
    assert due == [("2h", local(NEW_YORK, 2026, 3, 4, 8, 0)),
                   ("24h", local(NEW_YORK, 2026, 3, 4, 19, 40))]
