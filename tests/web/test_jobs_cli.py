"""`flask jobs list` and `flask jobs run-once --now ...`."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.notifications.models import Notification, NotificationKind, NotificationStatus
from app.prompts.models import Prompt, PromptStatus
from jobs.schedule import JOBS
from tests import factories

NOW = "2026-03-10T15:00:00Z"
# 17:00 UTC on 9 March is 13:00 in New York (EDT): the 2 h prompt was open 15:00-19:00 local
# (19:00-23:00 UTC) that day; the 6 h prompt stays open until the 24 h one, 17:00 UTC on 10 March.
END = datetime(2026, 3, 9, 17, 0, tzinfo=UTC)


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["jobs", *args])


def _statuses(infusion_id: int) -> dict[str, PromptStatus]:
    db.session.expire_all()
    return {p.slot: p.status for p in db.session.scalars(
        select(Prompt).where(Prompt.infusion_id == infusion_id))}


@pytest.fixture
def infusion(app, clock):
    clock.now = END - timedelta(hours=1)
    patient = factories.patient(factories.clinic(), clock())
    infusion = factories.infusion(patient, end=END)
    # The send job ran at 2 h: the prompt reached the patient (no push device: the app lists
    # it), so when its window closes unanswered it is missed, not "not sent".
    factories.send_due(END + timedelta(hours=2))
    return infusion


def test_list_names_every_job(app):
    result = _run(app, "list")

    assert result.exit_code == 0, result.output
    names = [line.split()[0] for line in result.output.splitlines() if line.strip()]
    assert names == [job.name for job in JOBS]
    assert {"send_notifications", "mark_missed"} <= set(names)


def test_run_once_runs_each_job_and_prints_a_line_for_it(app):
    result = _run(app, "run-once", "--now", NOW)

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split(":")[0] for line in lines] == [job.name for job in JOBS]
    assert "send_notifications: {'claimed': 0}" in lines  # no VAPID key yet: nothing to send with
    assert "mark_missed: {'missed': 0, 'not_sent': 0}" in lines
    assert "FAILED" not in result.output


def test_run_once_marks_a_lapsed_prompt_missed(app, infusion):
    assert set(_statuses(infusion.id).values()) == {PromptStatus.PENDING}

    result = _run(app, "run-once", "--now", NOW)

    assert result.exit_code == 0, result.output
    assert "mark_missed: {'missed': 1, 'not_sent': 0}" in result.output
    assert _statuses(infusion.id) == {
        "2h": PromptStatus.MISSED, "6h": PromptStatus.PENDING, "24h": PromptStatus.PENDING,
        "48h": PromptStatus.PENDING, "72h": PromptStatus.PENDING}
    lapsed = db.session.scalars(select(Prompt).where(Prompt.slot == "2h")).one()
    unsent = db.session.scalars(select(Notification).where(
        Notification.prompt_id == lapsed.id)).all()
    assert {n.kind: n.status for n in unsent} == {
        NotificationKind.PROMPT: NotificationStatus.SENT,
        NotificationKind.REMINDER: NotificationStatus.CANCELLED}


def test_run_once_twice_marks_it_missed_once(app, infusion):
    _run(app, "run-once", "--now", NOW)

    again = _run(app, "run-once", "--now", NOW)

    assert again.exit_code == 0, again.output
    assert "mark_missed: {'missed': 0, 'not_sent': 0}" in again.output
    assert _statuses(infusion.id)["2h"] == PromptStatus.MISSED


def test_run_once_before_the_window_closes_misses_nothing(app, infusion):
    result = _run(app, "run-once", "--now", "2026-03-09T22:59:00+00:00")

    assert result.exit_code == 0, result.output
    assert "mark_missed: {'missed': 0, 'not_sent': 0}" in result.output
    assert set(_statuses(infusion.id).values()) == {PromptStatus.PENDING}


def test_run_once_accepts_other_utc_offsets(app, infusion):
    # 11:00 in New York on 10 March is the same moment as NOW.
    result = _run(app, "run-once", "--now", "2026-03-10T11:00:00-04:00")

    assert result.exit_code == 0, result.output
    assert _statuses(infusion.id)["2h"] == PromptStatus.MISSED


BAD_NOW = {
    "no UTC offset": ("2026-03-10T15:00:00", "UTC offset"),
    "not a date": ("yesterday", "--now"),
    "impossible date": ("2026-02-30T15:00:00Z", "--now"),
    "empty": ("", "--now"),
}


@pytest.mark.parametrize("value, message", BAD_NOW.values(), ids=BAD_NOW.keys())
def test_run_once_with_a_bad_now_fails_clearly_and_runs_nothing(app, infusion, value, message):
    result = _run(app, "run-once", "--now", value)

    assert result.exit_code != 0
    assert message in result.output
    assert "Invalid value" in result.output
    assert "mark_missed:" not in result.output
    assert _statuses(infusion.id)["2h"] == PromptStatus.PENDING
