"""Prompts whose answer window has closed become missed, or not sent if they never reached the
patient (their unsent pushes are cancelled)."""

from datetime import datetime

from app.prompts.services import mark_missed


def run(now: datetime) -> dict:
    return mark_missed(now)
