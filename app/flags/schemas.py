from marshmallow import Schema, ValidationError, fields, validate, validates

from app.flags.rules import RULE_PRIORITY, Priority
from app.i18n import N_

# Codes (query strings, CSS classes); pages show them in words with ``|translate`` (issue 19).
PRIORITY_NAMES = {p.value: p.name.lower() for p in Priority}
PRIORITY_WORDS = (N_("urgent"), N_("high"), N_("moderate"), N_("low"))
STATUSES = ("unresolved", "open", "acknowledged", "resolved", "withdrawn")
STATUS_WORDS = (N_("unresolved"), N_("open"), N_("acknowledged"), N_("resolved"),
                N_("withdrawn"))
RULE_LABELS = {
    "safety": N_("Safety answer (PHQ-9 item 9)"),
    "severe_symptom": N_("Severe side effect"),
    "persistent_symptom": N_("Side effect past a day"),
    "unresolved_symptom": N_("Side effect not reported resolved"),
    "mood_drop": N_("Mood drop"),
    "not_home_safely": N_("Did not get home safely"),
    "missed_checkins": N_("Missed check-ins"),
    "phq9_worsening": N_("PHQ-9 worsening"),
}


class QueueFilter(Schema):
    """Query string of the triage queue; anything unknown is a 400, never a 500."""

    priority = fields.String(load_default=None, validate=validate.OneOf(
        list(PRIORITY_NAMES.values())))
    rule = fields.String(load_default=None, validate=validate.OneOf(sorted(RULE_PRIORITY)))
    status = fields.String(load_default="unresolved", validate=validate.OneOf(list(STATUSES)))


def _back() -> fields.String:
    """Where to return afterwards: only a clinician page of this site."""
    return fields.String(load_default="", validate=validate.Regexp(
        r"/clinic/[A-Za-z0-9/_?=&-]*\Z", error=N_("Not a page of this site.")))


class FlagAction(Schema):
    note = fields.String(load_default="", validate=validate.Length(
        max=500, error=N_("Keep the note under 500 characters.")))
    back = _back()


RESOLVE_NOTE_MIN = 3
RESOLVE_NOTE_ERROR = N_("Write what was done before resolving an urgent or high flag, in a few "
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
