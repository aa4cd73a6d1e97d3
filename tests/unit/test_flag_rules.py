"""Every flag rule at its boundaries, as pure functions over facts."""

from datetime import UTC, datetime, timedelta

import pytest

from app.flags import rules
from app.flags.rules import CheckinFact, Facts, InfusionFact, Phq9Fact, PromptFact, Thresholds

END = datetime(2026, 3, 3, 16, 0, tzinfo=UTC)
LIMITS = Thresholds()
INFUSION = InfusionFact(id=1, number=1, ended_at=END)


def checkin(id_, after: timedelta, mood=6, infusion_id=1, home_safely=None, **symptoms):
    return CheckinFact(id_, END + after, mood, infusion_id, dict(symptoms),
                       home_safely=home_safely)


def facts(*checkins, phq9s=(), prompts=(), infusions=(INFUSION,)):
    return Facts(infusions=tuple(infusions), checkins=tuple(checkins), phq9s=tuple(phq9s),
                 prompts=tuple(prompts))


def keys(findings):
    return [(f.rule, f.symptom, f.infusion_id) for f in findings]


H = timedelta(hours=1)
M = timedelta(minutes=1)


@pytest.mark.parametrize(("item9", "fires"), [(0, False), (1, True), (3, True)])
def test_safety_fires_from_item_9_at_1(item9, fires):
    found = rules.safety(facts(phq9s=[Phq9Fact(7, END, total=12, item9=item9)]), LIMITS)
    assert keys(found) == ([("safety", None, None)] if fires else [])
    assert rules.RULE_PRIORITY["safety"] == rules.Priority.URGENT


@pytest.mark.parametrize(("severity", "fires"), [(0, False), (2, False), (3, True), (4, True)])
def test_severe_symptom_at_3_or_4(severity, fires):
    found = rules.severe_symptom(facts(checkin(1, 2 * H, headache=severity)), LIMITS)
    assert keys(found) == ([("severe_symptom", "headache", 1)] if fires else [])


@pytest.mark.parametrize(("after", "severity", "fires"), [
    (23 * H + 59 * M, 1, False),
    (24 * H, 1, True),
    (24 * H, 0, False),
    (48 * H, 2, True),
])
def test_persistent_symptom_from_24_hours(after, severity, fires):
    found = rules.persistent_symptom(facts(checkin(1, after, nausea=severity)), LIMITS)
    assert keys(found) == ([("persistent_symptom", "nausea", 1)] if fires else [])


def test_persistent_needs_an_ended_infusion():
    unfinished = InfusionFact(id=1, number=1, ended_at=None)
    found = rules.persistent_symptom(facts(checkin(1, 30 * H, nausea=2),
                                           infusions=[unfinished]), LIMITS)
    assert found == []


@pytest.mark.parametrize(("now_after", "last", "fires"), [
    (30 * H - M, {"headache": 1}, False),   # not yet 24 h + 6 h
    (30 * H, {"headache": 1}, True),
    (30 * H, {"headache": 0}, False),        # last reported back at 0
    (40 * H, {"headache": 2, "nausea": 1}, True),
])
def test_unresolved_symptom(now_after, last, fires):
    found = rules.unresolved_symptom(facts(checkin(1, 6 * H, **last)), LIMITS, END + now_after)
    expected = [("unresolved_symptom", code, 1) for code, s in sorted(last.items()) if s > 0]
    assert keys(found) == (expected if fires else [])


def test_unresolved_symptom_not_when_a_later_checkin_came():
    history = facts(checkin(1, 6 * H, headache=2), checkin(2, 20 * H))
    assert rules.unresolved_symptom(history, LIMITS, END + 40 * H) == []


@pytest.mark.parametrize(("mood", "fires"), [
    (5, False),  # baseline 7: 2 below
    (4, True),   # exactly 3 below
    (3, True),
])
def test_mood_drop_from_baseline(mood, fires):
    history = facts(checkin(1, 2 * H, mood=7), checkin(2, 24 * H, mood=mood))
    found = rules.mood_drop(history, LIMITS)
    assert keys(found) == ([("mood_drop", None, 1)] if fires else [])
    if fires:
        assert found[0].checkins == {2}


@pytest.mark.parametrize(("mood", "fires"), [(3, False), (2, True), (0, True)])
def test_mood_drop_at_2_or_less_whatever_the_baseline(mood, fires):
    found = rules.mood_drop(facts(checkin(1, 2 * H, mood=mood)), LIMITS)
    assert keys(found) == ([("mood_drop", None, 1)] if fires else [])


def prompt(id_, hours, missed):
    return PromptFact(id_, 1, END + hours * H, missed)


@pytest.mark.parametrize(("missed", "fires"), [
    ([False, False, False], False),
    ([True, False, True], False),
    ([False, True, True], True),
    ([True, True, False], True),
])
def test_missed_checkins_two_in_a_row(missed, fires):
    prompts = [prompt(i + 1, hours, m) for i, (hours, m) in enumerate(zip([2, 6, 24], missed,
                                                                          strict=True))]
    # a check-in in the first day so only the in-a-row part is tested
    found = rules.missed_checkins(facts(checkin(1, 3 * H), prompts=prompts), LIMITS,
                                  END + 30 * H)
    assert keys(found) == ([("missed_checkins", None, 1)] if fires else [])


FIRST_DAY_MISSED = [prompt(1, 2, True), prompt(2, 6, True)]


@pytest.mark.parametrize(("first_checkin_after", "prompts", "now_after", "fires"), [
    (None, FIRST_DAY_MISSED, 24 * H - M, False),  # the first day is not over yet
    (None, FIRST_DAY_MISSED, 24 * H, True),
    (None, [], 30 * H, False),                    # nothing was asked: nothing was missed
    (None, [prompt(1, 2, True), prompt(2, 6, False)], 30 * H, False),  # one was answered
    (23 * H + 59 * M, FIRST_DAY_MISSED, 30 * H, False),
    (24 * H, FIRST_DAY_MISSED, 30 * H, True),     # only after the first day: none in it
])
def test_missed_checkins_none_in_the_first_day(first_checkin_after, prompts, now_after, fires):
    history = [] if first_checkin_after is None else [checkin(1, first_checkin_after)]
    first_day_only = Thresholds(missed_in_a_row=99)  # keep the in-a-row part out of this
    found = rules.missed_checkins(facts(*history, prompts=prompts), first_day_only,
                                  END + now_after)
    assert keys(found) == ([("missed_checkins", None, 1)] if fires else [])
    if fires:
        assert found[0].prompts == {1, 2}


@pytest.mark.parametrize(("later_total", "fires"), [(14, False), (15, True), (20, True)])
def test_phq9_worsening_from_series_baseline(later_total, fires):
    phq9s = [Phq9Fact(1, END, total=10, item9=0), Phq9Fact(2, END + 7 * 24 * H,
                                                           total=later_total, item9=0)]
    found = rules.phq9_worsening(facts(phq9s=phq9s), LIMITS)
    assert keys(found) == ([("phq9_worsening", None, None)] if fires else [])


def test_thresholds_are_settings():
    strict = Thresholds(severe_from=2, mood_drop_points=2)
    history = facts(checkin(1, 2 * H, mood=7, headache=2), checkin(2, 6 * H, mood=5))
    assert keys(rules.severe_symptom(history, strict)) == [("severe_symptom", "headache", 1)]
    assert keys(rules.mood_drop(history, strict)) == [("mood_drop", None, 1)]


def test_evidence_of_one_key_is_merged():
    history = facts(checkin(1, 2 * H, headache=3), checkin(2, 6 * H, headache=4))
    [finding] = rules.severe_symptom(history, LIMITS)
    assert finding.checkins == {1, 2}


def test_submission_rules_are_a_subset_and_sorted_by_priority():
    history = facts(checkin(1, 26 * H, mood=1, nausea=3),
                    phq9s=[Phq9Fact(1, END, total=20, item9=1)])
    at_submission = keys(rules.at_submission(history, LIMITS))
    everything = keys(rules.evaluate(history, LIMITS, END + 40 * H))
    assert at_submission == [("safety", None, None), ("mood_drop", None, 1),
                             ("severe_symptom", "nausea", 1)]
    assert set(at_submission) < set(everything)
    assert ("persistent_symptom", "nausea", 1) in everything


@pytest.mark.parametrize(("last_report_after", "now_after", "fires"), [
    (26 * H, 30 * H, False),          # infusion 30 h ago, but the report is only 4 h old
    (26 * H, 32 * H - M, False),
    (26 * H, 32 * H, True),           # 6 h of silence since the report
    (6 * H, 30 * H - M, False),       # long silence, but not yet 24 h + 6 h after the end
    (6 * H, 30 * H, True),
])
def test_unresolved_needs_six_hours_of_silence_after_the_report(last_report_after, now_after,
                                                                fires):
    history = facts(checkin(1, last_report_after, headache=1))
    found = rules.unresolved_symptom(history, LIMITS, END + now_after)
    assert keys(found) == ([("unresolved_symptom", "headache", 1)] if fires else [])


def test_unresolved_silence_is_a_setting():
    history = facts(checkin(1, 26 * H, headache=1))
    patient_clinic = Thresholds(unresolved_silence=2 * H)
    assert keys(rules.unresolved_symptom(history, patient_clinic, END + 30 * H)) == [
        ("unresolved_symptom", "headache", 1)]


@pytest.mark.parametrize(("threshold", "item9", "expected"), [
    (1, 0, False), (1, 1, True), (2, 1, False), (2, 2, True), (3, 2, False), (3, 3, True)])
def test_one_definition_of_a_safety_answer_follows_the_clinic(threshold, item9, expected):
    limits = Thresholds(safety_item9_from=threshold)
    assert rules.is_safety_answer(item9, limits) is expected
    found = rules.safety(facts(phq9s=[Phq9Fact(7, END, total=12, item9=item9)]), limits)
    assert bool(found) is expected


def test_every_threshold_comes_from_the_clinic_settings():
    from dataclasses import fields

    from app.clinics.settings import DEFAULTS

    assert Thresholds.from_settings(DEFAULTS) == Thresholds()
    numeric = {k: v for k, v in DEFAULTS.items() if isinstance(v, int)}
    changed_fields = set()
    for name, value in numeric.items():
        moved = Thresholds.from_settings({**DEFAULTS, name: value + 1})
        changed_fields |= {f.name for f in fields(Thresholds)
                           if getattr(moved, f.name) != getattr(Thresholds(), f.name)}
    assert changed_fields == {f.name for f in fields(Thresholds)}


def test_the_mood_baseline_is_the_first_mood_of_the_current_series():
    previous_series_infusion = 9  # not in facts.infusions: the last infusion of the series before
    readiness = CheckinFact(1, END - 20 * H, 5, previous_series_infusion, readiness=True)
    late_from_before = CheckinFact(2, END - 30 * H, 8, previous_series_infusion)
    after = checkin(3, 6 * H, mood=3)
    history = facts(late_from_before, readiness, after)
    assert rules.mood_baseline(history) == 5  # the readiness check-in, not the older 8
    assert rules.mood_drop(history, LIMITS) == []  # 3 is 2 below 5, above the floor of 2
    assert rules.mood_baseline(facts(late_from_before, after)) == 3
    before_any_infusion = CheckinFact(4, END - 50 * H, 7, None)
    assert rules.mood_baseline(facts(before_any_infusion, after)) == 7


@pytest.mark.parametrize(("home_safely", "fires"), [(None, False), (True, False), (False, True)])
def test_not_home_safely_is_a_high_flag_on_a_no(home_safely, fires):
    history = facts(checkin(1, 2 * H, home_safely=home_safely))
    found = rules.not_home_safely(history, LIMITS)
    assert keys(found) == ([("not_home_safely", None, 1)] if fires else [])
    assert rules.RULE_PRIORITY["not_home_safely"] == rules.Priority.HIGH
    assert keys(rules.at_submission(history, LIMITS)) == keys(found)
    assert keys(rules.evaluate(history, LIMITS, END + 3 * H)) == keys(found)
    if fires:
        assert found[0].checkins == {1}


def test_not_home_safely_one_flag_per_infusion():
    second = InfusionFact(id=2, number=2, ended_at=END + 72 * H)
    history = facts(checkin(1, 2 * H, home_safely=False),
                    checkin(2, 74 * H, infusion_id=2, home_safely=False),
                    infusions=(INFUSION, second))
    assert keys(rules.not_home_safely(history, LIMITS)) == [("not_home_safely", None, 1),
                                                            ("not_home_safely", None, 2)]


@pytest.mark.parametrize(("mood", "symptoms", "home_safely", "expected"), [
    pytest.param(6, {}, None, False, id="normal"),
    pytest.param(3, {"headache": 2, "nausea": 2}, True, False, id="moderate-home-safely"),
    pytest.param(2, {}, None, True, id="mood-at-floor"),
    pytest.param(0, {}, None, True, id="mood-0"),
    pytest.param(6, {"headache": 3}, None, True, id="severe"),
    pytest.param(6, {"headache": 3, "nausea": 4}, None, True, id="severe-and-very-severe"),
    pytest.param(6, {"other": 4}, None, True, id="very-severe-other"),
    pytest.param(8, {}, False, True, id="not-home-safely"),
])
def test_worrying_checkin(mood, symptoms, home_safely, expected):
    fact = checkin(1, 2 * H, mood=mood, home_safely=home_safely, **symptoms)
    assert rules.worrying(fact, LIMITS) is expected


def test_worrying_follows_the_clinics_thresholds():
    fact = checkin(1, 2 * H, mood=3, headache=2)
    assert not rules.worrying(fact, LIMITS)
    assert rules.worrying(fact, Thresholds(mood_floor=3))
    assert rules.worrying(fact, Thresholds(severe_from=2))
