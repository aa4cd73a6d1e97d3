"""The one place the web process asks what time it is, so tests can fix the clock."""

from datetime import UTC, datetime

from flask import current_app


def utcnow() -> datetime:
    """The current moment as an aware UTC datetime (the app's CLOCK setting wins when set)."""
    clock = current_app.config.get("CLOCK") if current_app else None
    return clock() if clock else datetime.now(UTC)
