"""Every minute: urgent flags nobody acknowledged in time go to every clinician by push."""

from datetime import datetime

from app.flags.services import escalate


def run(now: datetime) -> dict:
    return {"escalated": escalate(now)}
