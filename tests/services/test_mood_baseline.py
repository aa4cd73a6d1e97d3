"""The mood baseline as clinical.md defines it: the first mood of the current series, a
readiness check-in before its first infusion included; a new series starts a new baseline."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.flags import rules
from app.flags import services as flags
from app.flags.facts import mood_baselines
from app.flags.models import Flag
from app.infusions import services as infusions
from app.prompts.models import Prompt, PromptStatus
from tests import factories

END = datetime(2026, 3, 3, 16, 0, tzinfo=UTC)
H = timedelta(hours=1)


@pytest.fixture
def patient(app, clock):
    clock.now = END - 48 * H
    return factories.patient(factories.clinic(), clock())


def _readiness_checkin(patient, planned_start: datetime, mood: int, clinician):
    """Plan the next infusion, answer its readiness prompt, then record it as given."""
    infusion = infusions.record(patient, {"planned_start": planned_start}, by=clinician,
                                now=planned_start - 72 * H)
    db.session.commit()
    prompt = db.session.scalars(select(Prompt).where(Prompt.infusion_id == infusion.id)).one()
    assert prompt.slot == "readiness"
    factories.checkin(patient, taken_at=prompt.due_at + H, mood=mood)
    assert prompt.status == PromptStatus.ANSWERED
    infusions.edit(infusion, {"actual_start": planned_start,
                              "actual_end": planned_start + 40 * timedelta(minutes=1)},
                   by=clinician, now=planned_start + H)
    db.session.commit()
    return infusion


def _baseline(patient) -> int | None:
    """The rules' baseline; the batched one the triage queue and patient list show agrees."""
    baseline = rules.mood_baseline(flags.facts_for(patient))
    assert mood_baselines([patient.id]).get(patient.id) == baseline
    return baseline


def test_a_readiness_checkin_before_infusion_1_is_the_baseline(app, clock, patient):
    clinician = factories.staff(patient.clinic)
    first = _readiness_checkin(patient, END - 40 * timedelta(minutes=1), 7, clinician)
    factories.checkin(patient, taken_at=first.actual_end + 2 * H, mood=5)

    assert _baseline(patient) == 7


def test_a_new_series_starts_a_new_baseline_without_the_last_series_checkins(
        app, clock, patient):
    clinician = factories.staff(patient.clinic)
    last_induction = factories.infusion(patient, end=END, by=clinician)
    factories.checkin(patient, taken_at=END + 2 * H, mood=8)
    infusions.start_maintenance(patient, by=clinician, now=END + 3 * H)
    db.session.commit()
    # Still after the induction's last infusion: judged, but not the new baseline.
    factories.checkin(patient, taken_at=END + 26 * H, mood=8)
    maintenance = _readiness_checkin(patient, END + 10 * 24 * H, 5, clinician)
    factories.checkin(patient, taken_at=maintenance.actual_end + 2 * H, mood=3)

    assert _baseline(patient) == 5
    # 3 is two points below the new baseline of 5 (and above the floor of 2): no mood drop,
    # although it is five below the induction's 8.
    assert db.session.scalars(select(Flag.rule)).all() == []
    assert last_induction.series_id != maintenance.series_id


def test_a_severe_report_after_the_old_series_last_infusion_still_flags(app, clock, patient):
    clinician = factories.staff(patient.clinic)
    factories.infusion(patient, end=END, by=clinician)
    infusions.start_maintenance(patient, by=clinician, now=END + H)
    db.session.commit()

    factories.checkin(patient, taken_at=END + 3 * H, mood=6, symptoms={"headache": 4})

    assert db.session.scalars(select(Flag.rule)).all() == ["severe_symptom"]
