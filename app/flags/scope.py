"""What the submission rules need of a patient's facts: a pure function, proved by a property
test (tests/properties/test_submission_scope.py) to give the same findings as the full facts.

The rules run at submission (``rules.at_submission``) and only findings the new record is part
of are applied (``findings.evaluate_at_submission``). For those, the safety rule needs the new
PHQ-9; severe_symptom and not_home_safely the new check-in; mood_drop the new check-in and the
series' mood baseline, whose membership needs the series' infusions. Nothing else, whatever the
history, so a check-in costs the same for the 5th or the 500th record of a series.
"""

from dataclasses import replace

from app.flags import rules


def submission_scope(facts: rules.Facts, evidence: tuple[str, int]) -> rules.Facts:
    """The part of ``facts`` (a full series) that ``evidence``'s submission findings read."""
    kind, record_id = evidence
    wanted = {c.id for c in (rules.baseline_checkin(facts),) if c is not None}
    if kind == "checkin":
        wanted.add(record_id)
    return replace(
        facts,
        checkins=tuple(c for c in facts.checkins if c.id in wanted),
        phq9s=tuple(p for p in facts.phq9s if kind == "phq9" and p.id == record_id),
        prompts=(),
    )
