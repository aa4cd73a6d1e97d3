"""Prompts whose answer window has closed become missed (their unsent reminders are cancelled)."""

from datetime import datetime

from app.prompts.services import mark_missed


def run(now: datetime) -> dict:
    return {"missed": mark_missed(now)}
