"""A patient's own progress in plain words: mood after each infusion of their current series,
and how long side effects lasted. No flags, no questionnaire scores."""

from dataclasses import dataclass, field

from flask_babel import gettext, ngettext
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
            name = gettext(catalog.label(episode.symptom)).lower()
            if episode.resolved:
                item.side_effects.append(gettext("%(name)s was gone by about %(hours)s",
                                                 name=name,
                                                 hours=_hours_words(episode.resolved_hours)))
                item.longest_hours = max(item.longest_hours or 0, episode.resolved_hours)
            else:
                item.side_effects.append(gettext("%(name)s: let us know in your next "
                                                 "check-in how it is now", name=name))
        result.append(item)
    return result


def _hours_words(hours: float) -> str:
    whole = max(1, round(hours))
    if whole >= 48:
        return gettext("%(days)s days", days=round(whole / 24))
    return ngettext("%(num)s hour", "%(num)s hours", whole)


def mood_summary(items: list[InfusionProgress]) -> str:
    rated = [i for i in items if i.mean_mood is not None]
    if not rated:
        return gettext("Once you have checked in after an infusion, your mood trend will show "
                       "here.")
    if len(rated) == 1:
        return gettext("After infusion %(number)s your mood averaged %(mood)s out of 10. Keep "
                       "checking in to see how it changes across your series.",
                       number=rated[0].number, mood=format(rated[0].mean_mood, "g"))
    first, last = rated[0], rated[-1]
    change = last.mean_mood - first.mean_mood
    moods = {"last": last.number, "last_mood": f"{last.mean_mood:g}", "first": first.number,
             "first_mood": f"{first.mean_mood:g}"}
    if change >= STEADY:
        return gettext("Your mood after infusion %(last)s averaged %(last_mood)s, up from "
                       "%(first_mood)s after infusion %(first)s. Well done for keeping up your "
                       "check-ins.", **moods)
    if change <= -STEADY:
        return gettext("Your mood after infusion %(last)s averaged %(last_mood)s, compared "
                       "with %(first_mood)s after infusion %(first)s. Mood often goes up and "
                       "down during a series; your care team sees your check-ins, and you can "
                       "always call the clinic.", **moods)
    return gettext("Your mood has been steady, averaging about %(last_mood)s out of 10 after "
                   "each infusion. Thank you for checking in.", **moods)


def side_effect_summary(items: list[InfusionProgress]) -> str:
    timed = [i for i in items if i.longest_hours is not None]
    if not any(i.side_effects for i in items):
        return gettext("You have not reported side effects after your infusions so far.")
    if len(timed) >= 2 and timed[-1].longest_hours < timed[0].longest_hours:
        return gettext("Good news: side effects cleared sooner after infusion %(last)s (by "
                       "about %(last_hours)s) than after infusion %(first)s (about "
                       "%(first_hours)s).", last=timed[-1].number,
                       last_hours=_hours_words(timed[-1].longest_hours),
                       first=timed[0].number, first_hours=_hours_words(timed[0].longest_hours))
    return gettext("Side effects after ketamine usually ease within a few hours. Here is how "
                   "long yours lasted after each infusion.")
