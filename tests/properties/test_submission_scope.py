"""The submission rules on scoped facts (app/flags/scope.py) find what they find on the full
series: for any history and any new record, the findings ``evaluate_at_submission`` applies
(those the record is evidence of) have the same keys. This is what lets a check-in read the
series' baseline and the new record instead of the whole series."""

import dataclasses

from hypothesis import given
from hypothesis import strategies as st

from app.flags import rules
from app.flags.findings import evidence_of
from app.flags.scope import submission_scope
from tests.properties.test_rule_properties import FAST, histories, thresholds

FOREIGN_INFUSION = 999  # an infusion of the previous series


@st.composite
def series_histories(draw):
    """``histories`` with what only a real series has: readiness check-ins and check-ins that
    still follow the previous series' last infusion (members, but never its baseline)."""
    facts = draw(histories())
    checkins = tuple(dataclasses.replace(
        c, readiness=draw(st.booleans()),
        infusion_id=draw(st.sampled_from([c.infusion_id, FOREIGN_INFUSION])))
        for c in facts.checkins)
    return dataclasses.replace(facts, checkins=checkins)


@st.composite
def new_records(draw, facts: rules.Facts):
    """The evidence of a submission: one of the series' records, or one outside it."""
    choices = [("checkin", c.id) for c in facts.checkins] + [
        ("phq9", p.id) for p in facts.phq9s] + [("checkin", 500), ("phq9", 500)]
    return draw(st.sampled_from(choices))


def _applied(facts: rules.Facts, limits, evidence) -> set[tuple]:
    return {f.key for f in rules.at_submission(facts, limits) if evidence in evidence_of(f)}


@FAST
@given(facts=series_histories(), limits=thresholds, data=st.data())
def test_scoped_facts_give_the_submission_findings_of_the_full_series(facts, limits, data):
    evidence = data.draw(new_records(facts))
    scoped = submission_scope(facts, evidence)
    assert _applied(scoped, limits, evidence) == _applied(facts, limits, evidence)
    assert rules.mood_baseline(scoped) == rules.mood_baseline(facts)


@FAST
@given(facts=series_histories(), data=st.data())
def test_the_scope_holds_at_most_the_baseline_and_the_new_record(facts, data):
    evidence = data.draw(new_records(facts))
    scoped = submission_scope(facts, evidence)
    assert len(scoped.checkins) <= 2 and len(scoped.phq9s) <= 1 and not scoped.prompts
    assert scoped.infusions == facts.infusions
