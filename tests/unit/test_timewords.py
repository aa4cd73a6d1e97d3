"""Due times and moments in words, in the viewer's zone (issue 15, point 10)."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from app.timewords import due_by, said_when

NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)  # 10:00 in New York, Tuesday


@pytest.mark.parametrize(("moment", "words"), [
    (datetime(2026, 3, 10, 15, 0, tzinfo=UTC), "by 11:00 today"),
    (datetime(2026, 3, 11, 15, 0, tzinfo=UTC), "by 11:00 tomorrow"),
    (datetime(2026, 3, 11, 3, 30, tzinfo=UTC), "by 23:30 today"),  # still the 10th there
    (datetime(2026, 3, 13, 15, 0, tzinfo=UTC), "by 11:00 on Fri 13 Mar"),
])
def test_due_by_in_the_patients_zone(moment, words):
    assert due_by(moment, NOW, NEW_YORK) == words


def test_said_when():
    assert said_when(datetime(2026, 3, 10, 13, 40, tzinfo=UTC), NOW, NEW_YORK) == "Today at 09:40"
    assert said_when(datetime(2026, 3, 9, 13, 40, tzinfo=UTC), NOW, NEW_YORK) == \
        "Yesterday at 09:40"
