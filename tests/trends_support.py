"""A small cohort whose trends are worked out by hand (see the expectations in the tests).

T0 = 2026-03-01 15:00 UTC (10:00 in New York). Clinician A records P1's and P4's infusions,
clinician B records P2's. P3 is in another clinic and must never show up.

  P1 infusion 1 ends T0:     +2h mood 4 headache 2 nausea 1; +6h mood 5 headache 1 nausea 0;
                             +24h mood 6 headache 0
  P2 infusion 1 ends T0+1d:  +2h mood 2 headache 3; +6h mood 4 headache 2; +48h mood 5
                             headache 1 (never resolved)
  P4 infusion 1 ends T0+2d:  +2h mood 7 headache 1; +6h mood 7 headache 0
  P1 infusion 2 ends T0+4d:  +2h mood 6 headache 1; +24h mood 8 headache 0
  P3 (other clinic) infusion 1 ends T0: +2h mood 10 headache 4

PHQ-9 totals: P1 20 then 10 (response), P2 6 then 4 (remission, no response), P4 15 only.
Prompt outcomes (set explicitly; every other prompt cancelled):
  P1 inf 1: 2h 6h 24h answered, 48h missed; P2 inf 1: 2h answered, 6h missed;
  P4 inf 1: 2h answered; P1 inf 2: 2h 24h answered, 6h missed.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from app.auth.models import Role
from app.extensions import db
from app.prompts.models import Prompt, PromptStatus
from tests import factories
from tests.web.flag_support import answers_totalling, phq9

T0 = datetime(2026, 3, 1, 15, 0, tzinfo=UTC)


@dataclass
class Cohort:
    clinic: object
    other_clinic: object
    a: object
    b: object
    p1: object
    p2: object
    p3: object
    p4: object
    infusions: dict


def _checkins(patient, end, entries):
    for hours, mood, symptoms in entries:
        factories.checkin(patient, taken_at=end + timedelta(hours=hours), mood=mood,
                          symptoms=symptoms)


def _prompts(infusion, answered=(), missed=()):
    for slot, status in [(s, PromptStatus.ANSWERED) for s in answered] + [
            (s, PromptStatus.MISSED) for s in missed]:
        changed = db.session.execute(update(Prompt).where(
            Prompt.infusion_id == infusion.id, Prompt.slot == slot).values(status=status))
        assert changed.rowcount == 1, (infusion.number, slot)


def built(snapshot) -> Cohort:
    """The cohort below, enrolled three days before T0, built once per test process and
    database (``tests/snapshots.py``)."""
    return snapshot(_three_days_before)


def _three_days_before() -> Cohort:
    return build(T0 - timedelta(days=3))


def build(enrolled_at: datetime) -> Cohort:
    clinic = factories.clinic()
    other = factories.clinic()
    a = factories.staff(clinic)
    b = factories.staff(clinic, Role.ADMIN)
    p1 = factories.patient(clinic, enrolled_at, by=a)
    p2 = factories.patient(clinic, enrolled_at, by=b)
    p4 = factories.patient(clinic, enrolled_at, by=a)
    p3 = factories.patient(other, enrolled_at)
    p1_baseline = phq9(p1, taken_at=T0 - timedelta(hours=3), answers=answers_totalling(20))
    phq9(p2, taken_at=T0 - timedelta(hours=3), answers=answers_totalling(6))
    phq9(p4, taken_at=T0 - timedelta(hours=3), answers=answers_totalling(15))
    assert p1_baseline.total == 20
    i11 = factories.infusion(p1, end=T0, by=a, dose_mg_per_kg=0.5)
    _checkins(p1, T0, [(2, 4, {"headache": 2, "nausea": 1}),
                       (6, 5, {"headache": 1, "nausea": 0}), (24, 6, {"headache": 0})])
    i21 = factories.infusion(p2, end=T0 + timedelta(days=1), by=b)
    _checkins(p2, T0 + timedelta(days=1), [(2, 2, {"headache": 3}), (6, 4, {"headache": 2}),
                                           (48, 5, {"headache": 1})])
    i41 = factories.infusion(p4, end=T0 + timedelta(days=2), by=a)
    _checkins(p4, T0 + timedelta(days=2), [(2, 7, {"headache": 1}), (6, 7, {"headache": 0})])
    i12 = factories.infusion(p1, end=T0 + timedelta(days=4), by=a)
    _checkins(p1, T0 + timedelta(days=4), [(2, 6, {"headache": 1}), (24, 8, {"headache": 0})])
    i31 = factories.infusion(p3, end=T0)
    _checkins(p3, T0, [(2, 10, {"headache": 4})])
    phq9(p1, taken_at=T0 + timedelta(days=6), answers=answers_totalling(10))
    phq9(p2, taken_at=T0 + timedelta(days=6), answers=answers_totalling(4))
    db.session.execute(update(Prompt).where(Prompt.infusion_id.is_not(None))
                       .values(status=PromptStatus.CANCELLED))
    # Session records (issue 18): p1's blood pressure rises to a high reading at infusion 2.
    factories.session_record(i11, by=a, readings=((130, 84), (150, 95), (128, 80)),
                             dissociation="moderate")
    factories.session_record(i12, by=a, readings=((136, 86), (184, 112), (132, 82)))
    factories.session_record(i21, by=b, readings=((120, 78), (126, 80)), dissociation="none")
    _prompts(i11, answered=("2h", "6h", "24h"), missed=("48h",))
    _prompts(i21, answered=("2h",), missed=("6h",))
    _prompts(i41, answered=("2h",))
    _prompts(i12, answered=("2h", "24h"), missed=("6h",))
    _prompts(i31, answered=("2h",))
    db.session.commit()
    return Cohort(clinic, other, a, b, p1, p2, p3, p4,
                  {"p1-1": i11, "p2-1": i21, "p4-1": i41, "p1-2": i12, "p3-1": i31})
