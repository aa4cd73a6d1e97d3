"""The triage queue's order and blocks (issue 15, point 1), pure.

Most urgent first; within a priority the newest evidence first (a month-old mood drop never
sits above today's safety note); one block per patient, placed where that patient's most
pressing flag would sit, holding all of their flags in the same order. Closed flags (the
resolved and withdrawn filters) are listed by when they closed, newest first.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from app.flags.reasons import Reason

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Item:
    """One flag of the queue with the sentence that says why it fired."""

    flag: object  # a Flag: priority, patient_id, id, escalated_at, resolved_at
    reason: Reason


@dataclass(frozen=True)
class Block:
    patient: object
    items: tuple[Item, ...]


def _pressing(item: Item) -> tuple:
    """Sort key: priority, escalated before not, newest evidence, newest flag."""
    flag = item.flag
    newest = item.reason.evidence_at or flag.created_at or _EPOCH
    return (flag.priority, flag.escalated_at is None, -newest.timestamp(), -flag.id)


def _closed(item: Item) -> tuple:
    closed = item.flag.resolved_at or _EPOCH
    return (-closed.timestamp(), -item.flag.id)


def most_pressing_first(items: list[Item]) -> list[Item]:
    """Unresolved flags in the order clinicians take them: urgent first, an escalated flag at
    the top of its priority, then the newest evidence first. The triage queue and the
    patient page both order by this one key."""
    return sorted(items, key=_pressing)


def blocks(items: list[Item], *, closed: bool = False) -> list[Block]:
    """The queue in order, one block per patient."""
    ordered = sorted(items, key=_closed) if closed else most_pressing_first(items)
    by_patient: dict[int, list[Item]] = {}
    for item in ordered:
        by_patient.setdefault(item.flag.patient_id, []).append(item)
    return [Block(found[0].flag.patient, tuple(found)) for found in by_patient.values()]
