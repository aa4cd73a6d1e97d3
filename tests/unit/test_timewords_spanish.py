"""Times in Spanish words (issue 19): "antes de las 11:00 de hoy", "Hoy a las 09:40"."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from app import timewords

NOW = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)  # Tue 10 Mar, 10:00 in New York
ZONE = ZoneInfo("America/New_York")


def test_due_by_in_spanish():
    assert timewords.due_by(NOW + timedelta(hours=1), NOW, ZONE, "es") == \
        "antes de las 11:00 de hoy"
    assert timewords.due_by(NOW + timedelta(days=1), NOW, ZONE, "es") == \
        "antes de las 10:00 de mañana"
    assert timewords.due_by(NOW + timedelta(days=3), NOW, ZONE, "es") == \
        "antes de las 10:00 del vie 13 mar"


def test_said_when_in_spanish():
    assert timewords.said_when(NOW - timedelta(minutes=20), NOW, ZONE, language="es") == \
        "Hoy a las 09:40"
    assert timewords.said_when(NOW - timedelta(days=1), NOW, ZONE, capital=False,
                               language="es") == "ayer a las 10:00"


def test_english_is_unchanged():
    assert timewords.due_by(NOW + timedelta(hours=1), NOW, ZONE) == "by 11:00 today"
    assert timewords.said_when(NOW - timedelta(minutes=20), NOW, ZONE) == "Today at 09:40"
