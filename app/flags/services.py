"""The flags package's public entry: what views, jobs and other features call.

Each concern lives in its own module; this one only gathers them:
- ``facts``: the facts the rules read (a patient's current series as plain rows);
- ``findings``: applying rule findings (open, extend with evidence, open again);
- ``lifecycle``: acknowledge, resolve, withdraw;
- ``escalation``: urgent flags nobody acknowledged in time reach every clinician;
- ``queries``: the triage queue and the other reads of flag pages (``evidence`` loads what
  ``reasons`` explains, ``triage`` orders the queue in blocks per patient);
- ``rejudge``: flags after check-ins moved to another infusion.
"""

from app.flags.escalation import (
    MIN_ESCALATION_MINUTES,
    due_escalations,
    escalate,
    escalate_flag,
)
from app.flags.facts import facts_for, thresholds
from app.flags.findings import (
    ACTIVE_FOR,
    active_patient_ids,
    apply,
    dedupe_key,
    evaluate_at_submission,
    evaluate_patient,
    evidence_of,
)
from app.flags.lifecycle import acknowledge, resolve, withdraw
from app.flags.queries import (
    QUEUE_LIMIT,
    clinic_flag,
    counts_by_priority,
    explained,
    open_patient_flags,
    patient_episodes,
    patient_flags,
    queue,
    raised_for,
    triage_queue,
)

__all__ = [
    "ACTIVE_FOR", "MIN_ESCALATION_MINUTES", "QUEUE_LIMIT", "acknowledge", "active_patient_ids",
    "apply", "clinic_flag", "counts_by_priority", "dedupe_key",
    "due_escalations", "escalate", "escalate_flag", "evaluate_at_submission", "evaluate_patient",
    "evidence_of", "explained", "facts_for", "open_patient_flags", "patient_episodes",
    "patient_flags", "queue", "raised_for", "resolve", "thresholds", "triage_queue", "withdraw",
]
