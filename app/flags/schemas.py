from marshmallow import Schema, ValidationError, fields, validate, validates

from app.flags.rules import RULE_PRIORITY, Priority

PRIORITY_NAMES = {p.value: p.name.lower() for p in Priority}
RULE_LABELS = {
    "safety": "Safety answer (PHQ-9 item 9)",
    "severe_symptom": "Severe side effect",
    "persistent_symptom": "Side effect past a day",
    "unresolved_symptom": "Side effect not reported resolved",
    "mood_drop": "Mood drop",
    "not_home_safely": "Did not get home safely",
    "missed_checkins": "Missed check-ins",
    "phq9_worsening": "PHQ-9 worsening",
}


class QueueFilter(Schema):
    """Query string of the triage queue; anything unknown is a 400, never a 500."""

    priority = fields.String(load_default=None, validate=validate.OneOf(
        list(PRIORITY_NAMES.values())))
    rule = fields.String(load_default=None, validate=validate.OneOf(sorted(RULE_PRIORITY)))
    status = fields.String(load_default="unresolved", validate=validate.OneOf(
        ["unresolved", "open", "acknowledged", "resolved", "withdrawn"]))


def _back() -> fields.String:
    """Where to return afterwards: only a clinician page of this site."""
    return fields.String(load_default="", validate=validate.Regexp(
        r"/clinic/[A-Za-z0-9/_?=&-]*\Z", error="Not a page of this site."))


class FlagAction(Schema):
    note = fields.String(load_default="", validate=validate.Length(
        max=500, error="Keep the note under 500 characters."))
    back = _back()


RESOLVE_NOTE_MIN = 3
RESOLVE_NOTE_ERROR = ("Write what was done before resolving an urgent or high flag, in a few "
                      "words: for example \u201cCalled her, safe, plan in place\u201d.")


class ResolveWithNote(FlagAction):
    """Resolving an urgent or high flag: the note of what was done is required."""

    @validates("note")
    def says_what_was_done(self, value: str, **kwargs):
        if len(value.strip()) < RESOLVE_NOTE_MIN:
            raise ValidationError(RESOLVE_NOTE_ERROR)


class BackQuery(Schema):
    """The resolve page's query string: where to return afterwards."""

    back = _back()
