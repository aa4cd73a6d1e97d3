"""Prompt rows: scheduled from each infusion, answered by check-ins, missed when they lapse
(or not sent, when they lapse before reaching the patient).

``schedule_for_infusion`` is idempotent: it makes the infusion's prompts match its current
times, so recording, editing and re-running it all converge on the same rows.
"""

from datetime import datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select, update

from app.clinics.settings import effective
from app.extensions import db
from app.infusions.models import Infusion
from app.notifications import services as notifications
from app.patients.models import Patient
from app.prompts import schedule
from app.prompts.models import Prompt, PromptStatus

PHQ9_SLOT_PREFIX = "phq9-"
PHQ9_WEEKS = 4  # weekly during the induction series (about three weeks) and one week after
PHQ9_WINDOW = timedelta(days=3)


def quiet_hours(settings: dict) -> schedule.QuietHours:
    return schedule.QuietHours(schedule.parse_hhmm(settings["quiet_hours_start"]),
                               schedule.parse_hhmm(settings["quiet_hours_end"]))


def _next_start(infusion: Infusion) -> datetime | None:
    """When the patient's next infusion started (a ladder stops there)."""
    if infusion.actual_end is None:
        return None
    return db.session.scalar(
        select(Infusion.actual_start)
        .where(Infusion.patient_id == infusion.patient_id, Infusion.id != infusion.id,
               Infusion.actual_start > infusion.actual_end)
        .order_by(Infusion.actual_start).limit(1))


def desired_prompts(infusion: Infusion, patient: Patient, settings: dict,
                    now: datetime) -> dict[str, tuple[datetime, datetime]]:
    """slot -> (due_at, window_ends_at) this infusion should have as of ``now``."""
    zone, quiet = ZoneInfo(patient.timezone), quiet_hours(settings)
    max_window = timedelta(hours=settings["answer_window_hours"])
    wanted: dict[str, tuple[datetime, datetime]] = {}
    if infusion.actual_end is not None:
        steps = schedule.ladder(infusion.actual_end, settings["checkin_ladder_hours"], zone,
                                quiet)
        stop = _next_start(infusion)
        steps = [(slot, due) for slot, due in steps if stop is None or due < stop]
        for index, (slot, due) in enumerate(steps):
            following = steps[index + 1][1] if index + 1 < len(steps) else stop
            wanted[slot] = (due, schedule.window_ends(due, following, max_window))
    elif infusion.actual_start is None:
        due = schedule.readiness(infusion.planned_start, zone, quiet,
                                 schedule.parse_hhmm(settings["readiness_time"]))
        wanted[schedule.READINESS] = (due, schedule.window_ends(
            due, infusion.planned_start, max_window))
    return {slot: times for slot, times in wanted.items() if times[1] > now}


def schedule_for_infusion(infusion: Infusion, *, now: datetime) -> None:
    """Create, move or cancel this infusion's pending prompts to match its times."""
    patient = db.session.get(Patient, infusion.patient_id)
    settings = effective(patient.clinic)
    # A discharged patient is asked nothing more: their pending prompts go, none are made.
    wanted = desired_prompts(infusion, patient, settings, now) if patient.user.active else {}
    existing = {p.slot: p for p in db.session.scalars(
        select(Prompt).where(Prompt.infusion_id == infusion.id))}
    for slot, prompt in existing.items():
        if slot not in wanted and prompt.status == PromptStatus.PENDING:
            cancel(prompt)
    for slot, (due, window_end) in wanted.items():
        prompt = existing.get(slot)
        if prompt is None:
            prompt = Prompt(patient_id=patient.id, infusion_id=infusion.id, slot=slot,
                            due_at=due, window_ends_at=window_end, created_at=now,
                            updated_at=now)
            db.session.add(prompt)
            db.session.flush()
            notifications.queue_prompt(prompt.id, patient.user_id, prompt.due_at)
        elif (prompt.status == PromptStatus.PENDING
              and not notifications.prompt_push_sent(prompt.id)):
            prompt.due_at, prompt.window_ends_at = due, window_end
            notifications.queue_prompt(prompt.id, patient.user_id, prompt.due_at)
    _stop_earlier_ladders(infusion)
    db.session.flush()


def patient_quiet_hours(prompt: Prompt) -> tuple[ZoneInfo, schedule.QuietHours, dict]:
    """The zone, quiet hours and settings that time every message to this prompt's patient."""
    patient = db.session.get(Patient, prompt.patient_id)
    settings = effective(patient.clinic)
    return ZoneInfo(patient.timezone), quiet_hours(settings), settings


def reminder_due(prompt: Prompt, reached_at: datetime) -> datetime | None:
    """When the prompt's one reminder may go: ``reminder_delay_hours`` after the prompt
    reached the patient, out of quiet hours; None when that is not before its window closes."""
    zone, quiet, settings = patient_quiet_hours(prompt)
    due = schedule.outside_quiet_hours(
        reached_at + timedelta(hours=settings["reminder_delay_hours"]), zone, quiet)
    return due if due < prompt.window_ends_at else None


def schedule_reminder(prompt: Prompt, reached_at: datetime) -> None:
    """The prompt reached the patient at ``reached_at``: queue its reminder (at most one)."""
    due = reminder_due(prompt, reached_at)
    if due is None or prompt.status != PromptStatus.PENDING:
        return
    notifications.queue_reminder(prompt.id, prompt_user_id(prompt), due)


def prompt_user_id(prompt: Prompt) -> int:
    return db.session.get(Patient, prompt.patient_id).user_id


def _stop_earlier_ladders(infusion: Infusion) -> None:
    """Prompts of earlier infusions that fall after this one started are no longer wanted."""
    if infusion.actual_start is None:
        return
    stale = db.session.scalars(
        select(Prompt).join(Infusion, Infusion.id == Prompt.infusion_id)
        .where(Prompt.patient_id == infusion.patient_id, Prompt.infusion_id != infusion.id,
               Prompt.status == PromptStatus.PENDING, Prompt.due_at >= infusion.actual_start,
               Infusion.actual_end < infusion.actual_start))
    for prompt in stale:
        cancel(prompt)


def cancel(prompt: Prompt) -> None:
    prompt.status = PromptStatus.CANCELLED
    notifications.cancel_unsent([prompt.id])


def stop_all_prompts(patient_id: int, user_id: int) -> int:
    """A discharged patient: every pending prompt cancelled, every unsent message to them
    cancelled. Answered, missed and sent rows stay as the record. Returns prompts cancelled."""
    pending = list(db.session.scalars(select(Prompt).where(
        Prompt.patient_id == patient_id, Prompt.status == PromptStatus.PENDING)))
    for prompt in pending:
        cancel(prompt)
    notifications.cancel_unsent_to(user_id)
    return len(pending)


def is_questionnaire(slot: str) -> bool:
    return slot.startswith(PHQ9_SLOT_PREFIX)


def answer(patient_id: int, taken_at: datetime, *, checkin_id: int | None = None,
           questionnaire: bool = False) -> list[Prompt]:
    """Mark the prompts a check-in (or a PHQ-9) answers: every one whose window holds
    ``taken_at``. Check-ins answer check-in prompts; PHQ-9s answer PHQ-9 prompts.

    A prompt already marked missed (or not sent) counts as answered when a check-in taken
    inside its window arrives late (it was saved offline on the phone and sent when back
    online).
    """
    prompts = list(db.session.scalars(_answerable(questionnaire),
                                      {"patient_id": patient_id, "taken_at": taken_at}))
    for prompt in prompts:
        prompt.status = PromptStatus.ANSWERED
        prompt.answered_checkin_id = checkin_id
    if prompts:
        notifications.cancel_unsent([prompt.id for prompt in prompts])
    return prompts


@cache
def _answerable(questionnaire: bool):
    """The prompts ``answer`` marks, built once (it runs on every check-in and PHQ-9)."""
    kind = Prompt.slot.startswith(PHQ9_SLOT_PREFIX)
    taken_at = bindparam("taken_at")
    return select(Prompt).where(Prompt.patient_id == bindparam("patient_id"),
                                Prompt.status.in_([PromptStatus.PENDING, PromptStatus.MISSED,
                                                   PromptStatus.NOT_SENT]),
                                kind if questionnaire else ~kind,
                                Prompt.due_at <= taken_at, Prompt.window_ends_at > taken_at)


def lapsed_prompt_ids(now: datetime) -> list[int]:
    """Pending prompts whose window has closed: the mark_missed job's units of work."""
    return list(db.session.scalars(
        select(Prompt.id).where(Prompt.status == PromptStatus.PENDING,
                                Prompt.window_ends_at <= now).order_by(Prompt.id)))


def mark_missed(now: datetime, prompt_ids: list[int] | None = None) -> dict[str, int]:
    """Pending prompts whose window has closed (all of them, or those of ``prompt_ids`` that
    still qualify): missed if the prompt reached the patient, else not sent (jobs down, quiet
    hours, a late infusion record: nothing the patient could miss, so it never counts towards
    missed_checkins). Their unsent pushes are cancelled."""
    candidates = lapsed_prompt_ids(now) if prompt_ids is None else list(prompt_ids)
    lapsed = list(db.session.scalars(select(Prompt.id).where(
        Prompt.id.in_(candidates), Prompt.status == PromptStatus.PENDING,
        Prompt.window_ends_at <= now))) if candidates else []
    if not lapsed:
        return {"missed": 0, "not_sent": 0}
    reached = notifications.prompts_reached(lapsed)
    not_sent = [prompt_id for prompt_id in lapsed if prompt_id not in reached]
    for ids, status in ((reached, PromptStatus.MISSED), (not_sent, PromptStatus.NOT_SENT)):
        if ids:
            db.session.execute(update(Prompt).where(Prompt.id.in_(ids))
                               .values(status=status, updated_at=now))
    notifications.cancel_unsent(lapsed)
    return {"missed": len(reached), "not_sent": len(not_sent)}


def open_prompts(patient_id: int, now: datetime) -> list[Prompt]:
    """Check-ins the patient can answer right now, whether or not a push arrived."""
    return list(db.session.scalars(
        select(Prompt).where(Prompt.patient_id == patient_id,
                             Prompt.status == PromptStatus.PENDING,
                             Prompt.due_at <= now, Prompt.window_ends_at > now)
        .order_by(Prompt.due_at)))


def schedule_phq9(series, patient: Patient, *, now: datetime) -> None:
    """Weekly PHQ-9 prompts for an induction series, at the readiness hour, from its start."""
    if not patient.user.active:  # discharged: asked nothing more
        return
    settings = effective(patient.clinic)
    zone, quiet = ZoneInfo(patient.timezone), quiet_hours(settings)
    at = schedule.parse_hhmm(settings["readiness_time"])
    existing = {p.slot for p in db.session.scalars(
        select(Prompt).where(Prompt.series_id == series.id))}
    first_day = series.started_at.astimezone(zone).date()
    for week in range(PHQ9_WEEKS):
        slot = f"{PHQ9_SLOT_PREFIX}{week + 1}"
        day = first_day + timedelta(days=7 * week)
        due = schedule.outside_quiet_hours(
            datetime.combine(day, at, tzinfo=zone), zone, quiet)
        if slot in existing or due + PHQ9_WINDOW <= now:
            continue
        prompt = Prompt(patient_id=patient.id, series_id=series.id, slot=slot, due_at=due,
                        window_ends_at=due + PHQ9_WINDOW, created_at=now, updated_at=now)
        db.session.add(prompt)
        db.session.flush()
        notifications.queue_prompt(prompt.id, patient.user_id, prompt.due_at)


def end_series_prompts(series_id: int) -> None:
    """A series that ends (maintenance begins) asks no more weekly questionnaires."""
    for prompt in db.session.scalars(select(Prompt).where(
            Prompt.series_id == series_id, Prompt.status == PromptStatus.PENDING)):
        cancel(prompt)
