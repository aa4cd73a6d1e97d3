"""Prompts whose answer window has closed become missed (their unsent reminders are cancelled).

Each prompt is a unit of its own, so one that cannot be updated never keeps the rest open.
"""

from datetime import datetime
from functools import partial

from app.prompts.services import lapsed_prompt_ids, mark_missed
from jobs.units import Units


def run(now: datetime, units: Units | None = None) -> dict:
    units = units or Units("mark_missed")
    missed = 0
    for prompt_id in lapsed_prompt_ids(now):
        ok, count = units.run("prompt", prompt_id, partial(mark_missed, now, [prompt_id]))
        missed += count if ok else 0
    return units.summary(missed=missed)
