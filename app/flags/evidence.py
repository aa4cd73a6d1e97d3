"""The evidence of many flags at once, as the plain facts ``reasons`` explains.

A fixed number of queries whatever the number of flags: the evidence rows, their check-ins
and ratings, PHQ-9s and prompts, and the mood baselines of the patients with a mood drop.
"""

from sqlalchemy import select

from app.checkins.models import CheckIn, SymptomRating
from app.extensions import db
from app.flags import reasons, rules
from app.flags.facts import mood_baselines
from app.flags.models import Flag, FlagEvidence
from app.phq9 import instrument
from app.phq9.models import Phq9Response
from app.prompts.models import Prompt, PromptStatus


def evidence_for(flags: list[Flag]) -> dict[int, reasons.Evidence]:
    """flag id -> its evidence (flags loaded with their infusion)."""
    if not flags:
        return {}
    refs: dict[int, list[tuple[str, int]]] = {flag.id: [] for flag in flags}
    for flag_id, kind, ref_id in db.session.execute(
            select(FlagEvidence.flag_id, FlagEvidence.kind, FlagEvidence.ref_id)
            .where(FlagEvidence.flag_id.in_(list(refs)))):
        refs[flag_id].append((kind, ref_id))
    wanted = {kind: {ref for found in refs.values() for k, ref in found if k == kind}
              for kind in ("checkin", "phq9", "prompt")}
    checkins, notes = _checkins(wanted["checkin"])
    phq9s, prompts = _phq9s(wanted["phq9"]), _prompts(wanted["prompt"])
    baselines = mood_baselines({f.patient_id for f in flags if f.rule == "mood_drop"})
    return {flag.id: reasons.Evidence(
        rule=flag.rule, symptom=flag.symptom,
        infusion_end=flag.infusion.actual_end if flag.infusion else None,
        checkins=tuple(checkins[r] for k, r in refs[flag.id] if k == "checkin" and r in checkins),
        phq9s=tuple(phq9s[r] for k, r in refs[flag.id] if k == "phq9" and r in phq9s),
        prompts=tuple(prompts[r] for k, r in refs[flag.id] if k == "prompt" and r in prompts),
        notes=notes, mood_baseline=baselines.get(flag.patient_id)) for flag in flags}


def _checkins(ids: set[int]) -> tuple[dict[int, rules.CheckinFact], dict[int, str]]:
    if not ids:
        return {}, {}
    symptoms: dict[int, dict[str, int]] = {checkin_id: {} for checkin_id in ids}
    for checkin_id, code, severity in db.session.execute(
            select(SymptomRating.checkin_id, SymptomRating.code, SymptomRating.severity)
            .where(SymptomRating.checkin_id.in_(list(ids)))):
        symptoms[checkin_id][code] = severity
    facts, notes = {}, {}
    for row in db.session.execute(
            select(CheckIn.id, CheckIn.taken_at, CheckIn.mood, CheckIn.infusion_id,
                   CheckIn.home_safely, CheckIn.note).where(CheckIn.id.in_(list(ids)))):
        facts[row.id] = rules.CheckinFact(row.id, row.taken_at, row.mood, row.infusion_id,
                                          symptoms[row.id], home_safely=row.home_safely)
        notes[row.id] = row.note or ""
    return facts, notes


def _phq9s(ids: set[int]) -> dict[int, rules.Phq9Fact]:
    if not ids:
        return {}
    return {p.id: rules.Phq9Fact(p.id, p.taken_at, p.total,
                                 instrument.safety_item_score(p.answers))
            for p in db.session.execute(select(
                Phq9Response.id, Phq9Response.taken_at, Phq9Response.total,
                Phq9Response.answers).where(Phq9Response.id.in_(list(ids))))}


def _prompts(ids: set[int]) -> dict[int, rules.PromptFact]:
    if not ids:
        return {}
    return {p.id: rules.PromptFact(p.id, p.infusion_id, p.due_at,
                                   p.status == PromptStatus.MISSED)
            for p in db.session.execute(select(
                Prompt.id, Prompt.infusion_id, Prompt.due_at, Prompt.status)
                .where(Prompt.id.in_(list(ids))))}
