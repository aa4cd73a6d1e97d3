"""Prompts whose answer window has closed become missed, or not sent if they never reached the
patient (their unsent pushes are cancelled).

Each prompt is a unit of its own, so one that cannot be updated never keeps the rest open.
"""

from collections import Counter
from datetime import datetime
from functools import partial

from app.prompts.services import lapsed_prompt_ids, mark_missed
from jobs.units import Units


def run(now: datetime, units: Units | None = None) -> dict:
    units = units or Units("mark_missed")
    counts: Counter = Counter({"missed": 0, "not_sent": 0})
    for prompt_id in lapsed_prompt_ids(now):
        ok, outcome = units.run("prompt", prompt_id, partial(mark_missed, now, [prompt_id]))
        if ok:
            counts.update(outcome)
    return units.summary(**counts)
