"""Helpers for the triage, PHQ-9 and flag-scoping tests: data builders and page readers."""

import html
import re
import uuid
from datetime import datetime

from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.checkins.models import CheckIn
from app.extensions import db
from app.flags.models import Flag, FlagEvidence
from app.phq9 import services as phq9_services
from app.phq9.models import Phq9Response

_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


# --- database ---------------------------------------------------------------------------------

def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def row_counts() -> dict[str, int]:
    """Rows of every table a flag or PHQ-9 request could write to."""
    return {model.__tablename__: count(model)
            for model in (Flag, FlagEvidence, Phq9Response, AuditEvent, CheckIn)}


def flags(*where) -> list[Flag]:
    db.session.expire_all()
    return list(db.session.scalars(select(Flag).where(*where).order_by(Flag.id)))


def reload(flag: Flag) -> Flag:
    db.session.expire_all()
    return db.session.get(Flag, flag.id)


def flag_state(flag: Flag) -> tuple:
    """Everything an action could change on a flag."""
    flag = reload(flag)
    return (flag.status, flag.acknowledged_at, flag.acknowledged_by_id, flag.acknowledge_note,
            flag.resolved_at, flag.resolved_by_id, flag.resolve_note)


def audit_events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def answers_totalling(total: int, item9: int = 0) -> list[int]:
    """Nine PHQ-9 answers adding up to ``total``, with item 9 as given."""
    rest = total - item9
    assert 0 <= rest <= 24, "items 1-8 add up to 24 at most"
    first_eight = [min(3, max(0, rest - 3 * index)) for index in range(8)]
    answers = [*first_eight, item9]
    assert sum(answers) == total
    return answers


def phq9(patient, *, taken_at: datetime, answers: list[int], now: datetime | None = None):
    """A PHQ-9 stored through the real submit service (which runs the safety rule)."""
    made, _ = phq9_services.submit(
        patient, {"client_id": uuid.uuid4(), "taken_at": taken_at, "answers": answers},
        now=now or taken_at)
    db.session.commit()
    return made


# --- pages ------------------------------------------------------------------------------------

def page_of(response) -> str:
    return response.get_data(as_text=True)


def text_of(fragment: str) -> str:
    """The visible text of an HTML fragment, whitespace collapsed."""
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", fragment))).strip()


def main_of(page: str) -> str:
    match = re.search(r'<main\b[^>]*>(.*)</main>', page, re.S)
    assert match, "no <main> on the page"
    return match.group(1)


def section(page: str, heading_id: str) -> str:
    match = re.search(rf'<section aria-labelledby="{heading_id}">(.*?)</section>', page, re.S)
    assert match, f"no section labelled by {heading_id}"
    return match.group(1)


def rows(fragment: str) -> list[list[str]]:
    """The text of each cell of each body row of the (first) table in ``fragment``."""
    body = re.search(r"<tbody>(.*?)</tbody>", fragment, re.S)
    if body is None:
        return []
    return [[text_of(cell) for cell in re.findall(r"<t[dh]\b[^>]*>(.*?)</t[dh]>", row, re.S)]
            for row in re.findall(r"<tr\b[^>]*>(.*?)</tr>", body.group(1), re.S)]


def queue_rows(page: str) -> list[tuple[str, str, str, str, str]]:
    """(priority, patient, why, infusion, status) of each flag of the triage queue, in order.
    The queue has one ``<tbody>`` per patient, the patient's name once, in its first row."""
    return [(cells[0], patient, cells[1], cells[2], cells[4])
            for patient, cells in _queue_cells(page)]


def queue_blocks(page: str) -> list[tuple[str, int]]:
    """(patient, number of flags) of each patient block of the queue, in order."""
    blocks: list[tuple[str, int]] = []
    for patient, _ in _queue_cells(page):
        if blocks and blocks[-1][0] == patient:
            blocks[-1] = (patient, blocks[-1][1] + 1)
        else:
            blocks.append((patient, 1))
    return blocks


def queue_when(page: str) -> list[str]:
    """The "how long ago" of each flag's newest evidence, in queue order."""
    return [cells[3] for _, cells in _queue_cells(page)]


def _queue_cells(page: str) -> list[tuple[str, list[str]]]:
    table = re.search(r'<table class="queue">(.*?)</table>', page, re.S)
    if table is None:
        return []
    found = []
    for block in re.findall(r"<tbody\b[^>]*>(.*?)</tbody>", table.group(1), re.S):
        patient = text_of(re.search(r"<th\b[^>]*>(.*?)</th>", block, re.S).group(1))
        for row in re.findall(r"<tr\b[^>]*>(.*?)</tr>", block, re.S):
            found.append((patient, [text_of(c) for c in
                                    re.findall(r"<td\b[^>]*>(.*?)</td>", row, re.S)]))
    return found


def queue_counts(page: str) -> dict[str, int]:
    """priority name -> the unresolved count shown at the top of the queue."""
    found = re.findall(r'<li class="count count-(\w+)"><a [^>]*><strong>(\d+)</strong>', page)
    return {name: int(number) for name, number in found}


def form_actions(page: str) -> list[str]:
    return re.findall(r'<form method="post" action="([^"]+)"', page)


def hidden_back(page: str, action: str) -> str:
    """The ``back`` value of the form posting to ``action``."""
    match = re.search(rf'<form method="post" action="{re.escape(action)}"[^>]*>(.*?)</form>',
                      page, re.S)
    assert match, f"no form posting to {action}"
    back = re.search(r'name="back" value="([^"]*)"', match.group(1))
    assert back, f"the form posting to {action} has no back field"
    return html.unescape(back.group(1))
