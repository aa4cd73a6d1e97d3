"""Property tests for the pure flag rules (app/flags/rules.py) over generated histories:
deterministic and order-independent, silent on a stable history, monotone in severity, never
missing a safety answer, and always honouring the clinic's thresholds."""

import dataclasses
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.checkins import catalog
from app.flags import rules
from app.flags.rules import (
    CheckinFact,
    Facts,
    InfusionFact,
    Phq9Fact,
    PromptFact,
    Thresholds,
)

START = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
FAST = settings(max_examples=100, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])
CODES = sorted(catalog.SYMPTOM_CODES)
hours = st.integers(0, 24 * 21).map(lambda h: START + timedelta(hours=h))

thresholds = st.builds(
    Thresholds,
    severe_from=st.integers(1, 4),
    persistent_after=st.integers(1, 168).map(lambda h: timedelta(hours=h)),
    unresolved_after=st.integers(1, 168).map(lambda h: timedelta(hours=h)),
    mood_drop_points=st.integers(1, 10),
    mood_floor=st.integers(0, 10),
    missed_in_a_row=st.integers(1, 10),
    first_day=st.just(timedelta(hours=24)),
    phq9_worsening_points=st.integers(1, 27),
    safety_item9_from=st.integers(1, 3),
)


@st.composite
def histories(draw, *, quiet: bool = False):
    """A patient's series: infusions, check-ins, PHQ-9s and prompts, with unique ids.

    ``quiet``: a stable history (same mood every time, no side effects, home safely or not
    asked, PHQ-9s all the same with item 9 at 0, no prompt missed).
    """
    infusions = tuple(
        InfusionFact(id=i + 1, number=i + 1,
                     ended_at=draw(st.none() | hours) if not quiet else START
                     + timedelta(days=3 * i))
        for i in range(draw(st.integers(0, 3))))
    infusion_ids = [i.id for i in infusions]
    mood = draw(st.integers(0, 10))
    checkins = tuple(
        CheckinFact(id=n + 1, taken_at=draw(hours),
                    mood=mood if quiet else draw(st.integers(0, 10)),
                    infusion_id=draw(st.sampled_from([None, *infusion_ids])),
                    symptoms={} if quiet else draw(st.dictionaries(
                        st.sampled_from(CODES), st.integers(0, 4), max_size=4)),
                    home_safely=draw(st.sampled_from([None, True] if quiet
                                                     else [None, True, False])))
        for n in range(draw(st.integers(0, 8))))
    total, item9 = draw(st.integers(0, 24)), 0
    phq9s = tuple(
        Phq9Fact(id=n + 1, taken_at=draw(hours),
                 total=total if quiet else draw(st.integers(0, 27)),
                 item9=item9 if quiet else draw(st.integers(0, 3)))
        for n in range(draw(st.integers(0, 4))))
    due_times = draw(st.lists(st.integers(0, 24 * 21 * 60), unique=True,
                              max_size=8 if infusion_ids else 0))
    prompts = tuple(
        PromptFact(id=n + 1, infusion_id=draw(st.sampled_from(infusion_ids)),
                   due_at=START + timedelta(minutes=minutes),
                   missed=False if quiet else draw(st.booleans()),
                   checkin_prompt=draw(st.booleans()))
        for n, minutes in enumerate(due_times))
    return Facts(infusions=infusions, checkins=checkins, phq9s=phq9s, prompts=prompts)


moments = st.integers(0, 24 * 30).map(lambda h: START + timedelta(hours=h))


def _keys(findings) -> set[tuple]:
    return {f.key for f in findings}


def _shuffled(facts: Facts, data) -> Facts:
    return Facts(*(tuple(data.draw(st.permutations(list(part))))
                   for part in (facts.infusions, facts.checkins, facts.phq9s, facts.prompts)))


@FAST
@given(facts=histories(), limits=thresholds, now=moments, data=st.data())
def test_evaluation_is_deterministic_and_ignores_the_order_of_the_facts(facts, limits, now,
                                                                       data):
    found = rules.evaluate(facts, limits, now)
    assert rules.evaluate(facts, limits, now) == found
    assert rules.evaluate(_shuffled(facts, data), limits, now) == found


@FAST
@given(facts=histories(), limits=thresholds, now=moments)
def test_evaluation_is_idempotent_one_finding_per_key_in_queue_order(facts, limits, now):
    found = rules.evaluate(facts, limits, now)
    assert rules._merge(found) == found  # merging what is merged changes nothing
    assert len(_keys(found)) == len(found)
    order = [(f.priority, f.rule, f.symptom or "", f.infusion_id or 0) for f in found]
    assert order == sorted(order)


@FAST
@given(facts=histories(), limits=thresholds, now=moments)
def test_every_finding_cites_evidence_from_the_facts(facts, limits, now):
    checkins = {c.id for c in facts.checkins}
    phq9s = {p.id for p in facts.phq9s}
    prompts = {p.id for p in facts.prompts}
    for finding in rules.evaluate(facts, limits, now):
        assert finding.checkins | finding.phq9s | finding.prompts, finding
        assert finding.checkins <= checkins
        assert finding.phq9s <= phq9s
        assert finding.prompts <= prompts
        assert finding.rule in rules.RULE_PRIORITY


@FAST
@given(facts=histories(), limits=thresholds, now=moments)
def test_what_runs_at_submission_is_what_the_job_finds_for_those_rules(facts, limits, now):
    at_submission = rules.at_submission(facts, limits)
    assert at_submission == [f for f in rules.evaluate(facts, limits, now)
                             if f.rule in rules.SUBMISSION_RULES]


@FAST
@given(facts=histories(quiet=True), now=moments)
def test_a_stable_history_with_no_side_effects_raises_no_flag(facts, now):
    limits = Thresholds()
    mood_is_fine = all(c.mood > limits.mood_floor for c in facts.checkins)
    found = rules.evaluate(facts, limits, now)
    if mood_is_fine:
        assert found == []
    else:  # a mood at or below the floor is a flag whatever the history
        assert {f.rule for f in found} == {"mood_drop"}


@FAST
@given(facts=histories(), limits=thresholds, now=moments, data=st.data())
def test_raising_a_severity_never_removes_a_side_effect_flag(facts, limits, now, data):
    if not facts.checkins:
        return
    target = data.draw(st.sampled_from(facts.checkins))
    code = data.draw(st.sampled_from(CODES))
    raised_to = data.draw(st.integers(target.symptoms.get(code, 0), 4))
    raised = dataclasses.replace(target, symptoms={**target.symptoms, code: raised_to})
    worse = dataclasses.replace(facts, checkins=tuple(
        raised if c.id == target.id else c for c in facts.checkins))

    before, after = rules.evaluate(facts, limits, now), rules.evaluate(worse, limits, now)
    for rule in ("severe_symptom", "persistent_symptom", "unresolved_symptom"):
        assert {k for k in _keys(before) if k[0] == rule} <= {
            k for k in _keys(after) if k[0] == rule}, rule
    assert _keys(rules.severe_symptom(facts, limits)) <= _keys(
        rules.severe_symptom(worse, limits))


@FAST
@given(facts=histories(), limits=thresholds, now=moments, item9=st.integers(0, 3),
       minutes=st.integers(0, 24 * 21 * 60))
def test_a_safety_answer_always_raises_the_urgent_flag_with_its_evidence(facts, limits, now,
                                                                        item9, minutes):
    answer = Phq9Fact(id=999, taken_at=START + timedelta(minutes=minutes), total=item9,
                      item9=item9)
    with_answer = dataclasses.replace(facts, phq9s=(*facts.phq9s, answer))
    for found in (rules.evaluate(with_answer, limits, now),
                  rules.at_submission(with_answer, limits)):
        safety = [f for f in found if f.rule == "safety"]
        if item9 >= limits.safety_item9_from:
            assert len(safety) == 1 and 999 in safety[0].phq9s
            assert found[0].rule == "safety"  # urgent: first in the queue
        else:
            assert all(999 not in f.phq9s for f in safety)


@FAST
@given(facts=histories(), limits=thresholds, now=moments)
def test_severity_and_mood_rules_fire_exactly_at_the_clinics_thresholds(facts, limits, now):
    found = rules.evaluate(facts, limits, now)
    severe = {(code, c.infusion_id) for c in facts.checkins
              for code, severity in c.symptoms.items() if severity >= limits.severe_from}
    assert {(f.symptom, f.infusion_id) for f in found if f.rule == "severe_symptom"} == severe

    baseline = rules.mood_baseline(facts)
    low = {c.id for c in facts.checkins if c.mood <= limits.mood_floor
           or c.mood <= baseline - limits.mood_drop_points}
    cited = set().union(*(f.checkins for f in found if f.rule == "mood_drop"))
    assert cited == low

    safety = {p.id for p in facts.phq9s if p.item9 >= limits.safety_item9_from}
    assert set().union(*(f.phq9s for f in found if f.rule == "safety")) == safety


@FAST
@given(facts=histories(), limits=thresholds, now=moments)
def test_a_stricter_severity_threshold_flags_a_subset(facts, limits, now):
    if limits.severe_from == 4:
        return
    stricter = dataclasses.replace(limits, severe_from=limits.severe_from + 1)
    assert _keys(rules.severe_symptom(facts, stricter)) <= _keys(
        rules.severe_symptom(facts, limits))


@FAST
@given(facts=histories(), limits=thresholds)
def test_a_worrying_checkin_is_always_flagged_at_submission_with_it_as_evidence(facts, limits):
    """The patient is told "your clinic has been alerted" after a worrying check-in: the
    at-submission rules must raise a flag citing it, whatever the history and thresholds."""
    cited = set().union(*(f.checkins for f in rules.at_submission(facts, limits)))
    for checkin in facts.checkins:
        if rules.worrying(checkin, limits):
            assert checkin.id in cited, checkin
