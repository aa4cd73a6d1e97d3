"""A patient's own progress in plain words: mood after each infusion of their current series,
and how long side effects lasted. No flags, no questionnaire scores."""

from dataclasses import dataclass, field

from sqlalchemy import func, select

from app.checkins import catalog
from app.checkins.models import CheckIn
from app.extensions import db
from app.flags.services import patient_episodes
from app.infusions.models import Infusion
from app.infusions.queries import current_series
from app.patients.models import Patient

STEADY = 0.5  # a change in average mood smaller than this is "about the same"


@dataclass
class InfusionProgress:
    number: int
    mean_mood: float | None
    checkins: int
    side_effects: list[str] = field(default_factory=list)  # sentences
    longest_hours: float | None = None  # the latest a side effect was gone by


def infusions_progress(patient: Patient) -> list[InfusionProgress]:
    series = current_series(patient)
    infusions = list(db.session.execute(
        select(Infusion.id, Infusion.number).where(Infusion.series_id == series.id,
                                                   Infusion.actual_end.is_not(None))
        .order_by(Infusion.number)))
    moods = {r.infusion_id: r for r in db.session.execute(
        select(CheckIn.infusion_id, func.avg(CheckIn.mood).label("mean"),
               func.count().label("n"))
        .where(CheckIn.patient_id == patient.id,
               CheckIn.infusion_id.in_([i.id for i in infusions]))
        .group_by(CheckIn.infusion_id))}
    found = patient_episodes(patient.id)
    result = []
    for infusion in infusions:
        mood = moods.get(infusion.id)
        item = InfusionProgress(infusion.number,
                                round(float(mood.mean), 1) if mood else None,
                                mood.n if mood else 0)
        for episode in found.get(infusion.id, []):
            name = catalog.label(episode.symptom).lower()
            if episode.resolved:
                item.side_effects.append(f"{name} was gone by about "
                                         f"{_hours_words(episode.resolved_hours)}")
                item.longest_hours = max(item.longest_hours or 0, episode.resolved_hours)
            else:
                item.side_effects.append(f"{name}: let us know in your next check-in "
                                         "how it is now")
        result.append(item)
    return result


def _hours_words(hours: float) -> str:
    whole = max(1, round(hours))
    if whole >= 48:
        return f"{round(whole / 24)} days"
    return f"{whole} hour{'s' if whole != 1 else ''}"


def mood_summary(items: list[InfusionProgress]) -> str:
    rated = [i for i in items if i.mean_mood is not None]
    if not rated:
        return "Once you have checked in after an infusion, your mood trend will show here."
    if len(rated) == 1:
        return (f"After infusion {rated[0].number} your mood averaged {rated[0].mean_mood:g} "
                "out of 10. Keep checking in to see how it changes across your series.")
    first, last = rated[0], rated[-1]
    change = last.mean_mood - first.mean_mood
    if change >= STEADY:
        return (f"Your mood after infusion {last.number} averaged {last.mean_mood:g}, "
                f"up from {first.mean_mood:g} after infusion {first.number}. Well done for "
                "keeping up your check-ins.")
    if change <= -STEADY:
        return (f"Your mood after infusion {last.number} averaged {last.mean_mood:g}, "
                f"compared with {first.mean_mood:g} after infusion {first.number}. Mood often "
                "goes up and down during a series; your care team sees your check-ins, and "
                "you can always call the clinic.")
    return (f"Your mood has been steady, averaging about {last.mean_mood:g} out of 10 after "
            "each infusion. Thank you for checking in.")


def side_effect_summary(items: list[InfusionProgress]) -> str:
    timed = [i for i in items if i.longest_hours is not None]
    if not any(i.side_effects for i in items):
        return "You have not reported side effects after your infusions so far."
    if len(timed) >= 2 and timed[-1].longest_hours < timed[0].longest_hours:
        return (f"Good news: side effects cleared sooner after infusion {timed[-1].number} "
                f"(by about {_hours_words(timed[-1].longest_hours)}) than after infusion "
                f"{timed[0].number} (about {_hours_words(timed[0].longest_hours)}).")
    return ("Side effects after ketamine usually ease within a few hours. Here is how long "
            "yours lasted after each infusion.")
