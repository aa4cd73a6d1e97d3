"""Why a flag fired, in words with the value (app/flags/reasons.py), and the triage queue's
order in blocks per patient (app/flags/triage.py): pure functions, no database."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from app.clinics.settings import DEFAULTS
from app.flags import rules
from app.flags.reasons import Evidence, Reason, explain, how_long_ago, note_start, shorten
from app.flags.triage import Item, blocks, most_pressing_first

END = datetime(2026, 3, 8, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)
LIMITS = rules.Thresholds()


def _checkin(id_, hours, mood=6, home_safely=None, **symptoms):
    return rules.CheckinFact(id_, END + hours * H, mood, 1, symptoms, home_safely=home_safely)


def _phq9(id_, days, total, item9=0):
    return rules.Phq9Fact(id_, END + days * 24 * H, total, item9)


def _prompt(id_, hours):
    return rules.PromptFact(id_, 1, END + hours * H, True)


SENTENCES = {
    "mood against the baseline": (
        Evidence("mood_drop", infusion_end=END, checkins=(_checkin(1, 6, mood=1),),
                 mood_baseline=7),
        "Mood 1 against a baseline of 7 at 6 h"),
    "the lowest mood of several": (
        Evidence("mood_drop", infusion_end=END,
                 checkins=(_checkin(1, 2, mood=3), _checkin(2, 24, mood=0)), mood_baseline=7),
        "Mood 0 against a baseline of 7 at 24 h"),
    "mood with no baseline yet": (
        Evidence("mood_drop", checkins=(_checkin(1, 0, mood=2),)),
        "Mood 2, at or below 2"),
    "severe headache at 26 h": (
        Evidence("severe_symptom", "headache", END, checkins=(_checkin(1, 26, headache=3),)),
        "Headache 3 (severe) at 26 h"),
    "the newest severe rating": (
        Evidence("severe_symptom", "nausea", END,
                 checkins=(_checkin(1, 2, nausea=4), _checkin(2, 6, nausea=3))),
        "Nausea 3 (severe) at 6 h"),
    "within the first hour, in minutes": (
        Evidence("severe_symptom", "vision", END, checkins=(_checkin(1, 0.5, vision=4),)),
        "Blurred or distorted vision 4 (very severe) at 30 min"),
    "persistent past a day": (
        Evidence("persistent_symptom", "nausea", END, checkins=(_checkin(1, 25, nausea=1),)),
        "Nausea 1 (mild) at 25 h, still there after 24 h"),
    "unresolved": (
        Evidence("unresolved_symptom", "headache", END, checkins=(_checkin(1, 25, headache=2),)),
        "Headache 2 (moderate) at 25 h, no check-in for 6 h or more since"),
    "PHQ-9 item 9": (
        Evidence("safety", phq9s=(_phq9(1, 0, 19, item9=2),)), "PHQ-9 item 9 = 2 (total 19)"),
    "PHQ-9 worsening": (
        Evidence("phq9_worsening", phq9s=(_phq9(2, 7, 19), _phq9(1, 0, 12))),
        "PHQ-9 19 against a baseline of 12 (+7)"),
    "home safely": (
        Evidence("not_home_safely", infusion_end=END,
                 checkins=(_checkin(1, 2, home_safely=False),)),
        "Home safely: No at 2 h"),
    "missed in the first day": (
        Evidence("missed_checkins", infusion_end=END, prompts=(_prompt(1, 2), _prompt(2, 6))),
        "No check-in in the first 24 h (2 prompts missed)"),
    "missed in a row later": (
        Evidence("missed_checkins", infusion_end=END, prompts=(_prompt(1, 48), _prompt(2, 72))),
        "2 check-ins missed in a row, the last due at 72 h"),
}


@pytest.mark.parametrize(("evidence", "sentence"), SENTENCES.values(), ids=SENTENCES.keys())
def test_each_flag_says_why_with_the_value_that_fired_it(evidence, sentence):
    assert explain(evidence, LIMITS).text == sentence


def test_every_rule_has_a_sentence():
    for rule in rules.RULE_PRIORITY:
        text = explain(Evidence(rule), LIMITS).text
        assert text and "_" not in text, rule


def test_the_thresholds_in_the_words_are_the_clinics_own():
    settings = {**DEFAULTS, "persistent_after_hours": 36, "mood_floor": 3,
                "missed_first_day_hours": 12, "unresolved_silence_hours": 8}
    limits = rules.Thresholds.from_settings(settings)

    persistent = Evidence("persistent_symptom", "nausea", END,
                          checkins=(_checkin(1, 40, nausea=1),))
    mood = Evidence("mood_drop", checkins=(_checkin(1, 1, mood=3),))
    missed = Evidence("missed_checkins", infusion_end=END, prompts=(_prompt(1, 2),))
    unresolved = Evidence("unresolved_symptom", "nausea", END,
                          checkins=(_checkin(1, 40, nausea=1),))

    assert explain(persistent, limits).text.endswith("still there after 36 h")
    assert explain(mood, limits).text == "Mood 3, at or below 3"
    assert explain(missed, limits).text.startswith("No check-in in the first 12 h")
    assert explain(unresolved, limits).text.endswith("no check-in for 8 h or more since")


def test_the_reason_carries_the_newest_note_and_evidence_time():
    evidence = Evidence("mood_drop", infusion_end=END,
                        checkins=(_checkin(1, 2, mood=1), _checkin(2, 6, mood=2)),
                        notes={1: "older note", 2: "  thinking about\nending it  "},
                        mood_baseline=7)

    reason = explain(evidence, LIMITS)

    assert reason.note == "thinking about ending it"
    assert reason.evidence_at == END + 6 * H


def test_a_long_note_is_cut_at_a_word():
    note = "I have been feeling " + "very " * 30 + "low"
    cut = note_start(Evidence("mood_drop", checkins=(_checkin(1, 1),), notes={1: note}))

    assert cut.endswith("\u2026") and len(cut) <= 81
    assert not cut[:-1].endswith(" ")
    assert shorten("short", 80) == "short"
    assert shorten("x" * 100, 10) == "x" * 10 + "\u2026"


@pytest.mark.parametrize(("delta", "words"), [
    (timedelta(seconds=20), "just now"), (timedelta(minutes=12), "12 min ago"),
    (timedelta(hours=5, minutes=50), "5 h ago"), (timedelta(hours=47), "47 h ago"),
    (timedelta(days=31), "31 days ago"),
])
def test_how_long_ago(delta, words):
    assert how_long_ago(END - delta, END) == words
    assert how_long_ago(None, END) == ""


# --- the queue's order ------------------------------------------------------------------------

@dataclass
class FakeFlag:
    id: int
    patient_id: int
    priority: int
    created_at: datetime = END
    escalated_at: datetime | None = None
    resolved_at: datetime | None = None
    patient: object = field(default=None)

    def __post_init__(self):
        self.patient = f"patient {self.patient_id}"


def _item(flag_id, patient_id, priority, evidence_days_ago, **kwargs):
    flag = FakeFlag(flag_id, patient_id, priority, **kwargs)
    return Item(flag, Reason("why", evidence_at=END - timedelta(days=evidence_days_ago)))


def _order(found):
    return [[item.flag.id for item in block.items] for block in found]


def test_within_a_priority_the_newest_evidence_comes_first():
    # A 31-day-old mood drop must not sit above today's mood 0.
    old_drop, todays = _item(1, 10, 1, 31), _item(2, 20, 1, 0)

    assert _order(blocks([old_drop, todays])) == [[2], [1]]


def test_most_urgent_first_whatever_the_age():
    assert _order(blocks([_item(1, 10, 3, 0), _item(2, 20, 0, 5), _item(3, 30, 1, 1)])) == [
        [2], [3], [1]]


def test_escalated_urgent_before_other_urgent():
    escalated = _item(1, 10, 0, 2, escalated_at=END)
    assert _order(blocks([_item(2, 20, 0, 0), escalated])) == [[1], [2]]


def test_one_block_per_patient_where_their_most_pressing_flag_sits():
    items = [_item(1, 10, 2, 0), _item(2, 20, 1, 1), _item(3, 10, 0, 3), _item(4, 20, 3, 0)]

    found = blocks(items)

    assert _order(found) == [[3, 1], [2, 4]]
    assert [b.patient for b in found] == ["patient 10", "patient 20"]


def test_closed_flags_newest_closed_first():
    first = _item(1, 10, 0, 1, resolved_at=END - 2 * H)
    second = _item(2, 20, 3, 1, resolved_at=END - H)

    assert _order(blocks([first, second], closed=True)) == [[2], [1]]


def test_the_patient_page_order_is_the_queues_order_within_one_patient():
    """One key (issue 15, point 3): the patient page lists a patient's open flags exactly as
    the queue's block for that patient holds them."""
    items = [_item(1, 10, 1, 31), _item(2, 10, 0, 3), _item(3, 10, 1, 0),
             _item(4, 10, 0, 5, escalated_at=END), _item(5, 10, 3, 0)]

    ordered = [item.flag.id for item in most_pressing_first(items)]

    assert ordered == [4, 2, 3, 1, 5]
    assert _order(blocks(items)) == [ordered]
