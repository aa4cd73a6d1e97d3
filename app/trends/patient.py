"""One patient's treatment series as charts: each a dict the JSON endpoint returns as is and
the page renders as a data table (``table``), so both always show the same numbers.

A handful of queries per patient (bounded by their own records), none per row.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import case, func, select

from app.checkins import catalog
from app.checkins.models import CheckIn
from app.extensions import db
from app.flags.services import patient_episodes
from app.i18n import N_
from app.infusions.models import Infusion, TreatmentSeries
from app.phq9 import instrument
from app.phq9.services import series_progress
from app.prompts.models import Prompt, PromptStatus
from app.trends import session_charts
from app.trends.words import local_when, number_cell, series_word, short

NAMES = ("mood", "side-effects", "blood-pressure", "dissociation", "phq9", "adherence")


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _local(value: datetime | None, zone: ZoneInfo) -> str:
    return local_when(value, zone)


def infusion_label(kind: str, number: int) -> str:
    return f"{'M' if kind == 'maintenance' else ''}{number}"


def _infusions(patient_id: int) -> list:
    return list(db.session.execute(
        select(Infusion.id, Infusion.number, Infusion.actual_end, TreatmentSeries.kind,
               Infusion.series_id)
        .join(TreatmentSeries, TreatmentSeries.id == Infusion.series_id)
        .where(Infusion.patient_id == patient_id)
        .order_by(TreatmentSeries.started_at, TreatmentSeries.id, Infusion.number)))


def mood_chart(patient_id: int, zone: ZoneInfo) -> dict:
    """Every mood score over time, with a marker at the end of each infusion."""
    infusions = _infusions(patient_id)
    labels = {i.id: infusion_label(i.kind.value, i.number) for i in infusions}
    ends = {i.id: i.actual_end for i in infusions}
    rows = db.session.execute(
        select(CheckIn.taken_at, CheckIn.mood, CheckIn.infusion_id)
        .where(CheckIn.patient_id == patient_id).order_by(CheckIn.taken_at, CheckIn.id)).all()

    def hours(row):
        end = ends.get(row.infusion_id)
        return round((row.taken_at - end).total_seconds() / 3600, 1) if end else None

    return {
        "title": _("Mood over time (0 worst, 10 best)"), "type": "line",
        "x": {"kind": "time", "title": _("Date")},
        "y": {"title": _("Mood"), "min": 0, "max": 10, "integer": True},
        "datasets": [
            {"label": _("Mood"), "data": [{"x": _iso(r.taken_at), "y": r.mood} for r in rows]},
            {"label": _("Infusion"), "type": "scatter", "marker": True,
             "data": [{"x": _iso(i.actual_end), "y": 10,
                       "name": _("Infusion %(number)s", number=labels[i.id])}
                      for i in infusions if i.actual_end]},
        ],
        "table": {
            "caption": _("Mood at each check-in"),
            "columns": [_("Taken"), _("After infusion"), _("Hours since infusion"), _("Mood")],
            "rows": [[_local(r.taken_at, zone), labels.get(r.infusion_id, "—"),
                      number_cell(hours(r)) if hours(r) is not None else "—", r.mood]
                     for r in rows],
        },
    }


def symptom_grid(patient_id: int) -> dict:
    """Side effects by infusion: peak severity and the hours after the infusion by which it
    was back at none (the episodes of ``app.flags.episodes``)."""
    infusions = [i for i in _infusions(patient_id) if i.actual_end]
    found = patient_episodes(patient_id)
    columns = [i for i in infusions if i.id in found] or infusions
    codes = sorted({e.symptom for i in columns for e in found.get(i.id, ())},
                   key=lambda c: [s.code for s in catalog.SYMPTOMS].index(c)
                   if c in catalog.SYMPTOM_CODES else 99)
    cells = {(i.id, e.symptom): e for i in columns for e in found.get(i.id, ())}

    def text(episode) -> str:
        if episode is None:
            return "—"
        severity = _(catalog.SEVERITIES[episode.peak_severity])
        if episode.resolved:
            return _("%(severity)s, gone by %(hours)s h", severity=severity,
                     hours=short(episode.resolved_hours))
        return _("%(severity)s, unresolved", severity=severity)

    return {
        "title": _("Hours until each side effect was gone, by infusion"), "type": "bar",
        "x": {"kind": "category", "title": _("Infusion")}, "y": {"title": _("Hours"), "min": 0},
        "labels": [infusion_label(i.kind.value, i.number) for i in columns],
        "datasets": [
            {"label": _(catalog.label(code)),
             "data": [cells[(i.id, code)].resolved_hours
                      if (i.id, code) in cells and cells[(i.id, code)].resolved else None
                      for i in columns]}
            for code in codes],
        "table": {
            "caption": _("Side effects by infusion: peak severity and when it was gone "
                         "(hours after the infusion ended)"),
            "columns": [_("Side effect")] + [
                _("Infusion %(number)s", number=infusion_label(i.kind.value, i.number))
                for i in columns],
            "rows": [[_(catalog.label(code))] + [text(cells.get((i.id, code))) for i in columns]
                     for code in codes],
        },
    }


def phq9_chart(patient_id: int, zone: ZoneInfo) -> dict:
    """PHQ-9 totals across every series, with response and remission marked."""
    series = db.session.execute(select(TreatmentSeries.id, TreatmentSeries.kind).where(
        TreatmentSeries.patient_id == patient_id).order_by(TreatmentSeries.started_at,
                                                           TreatmentSeries.id)).all()
    points = [(s.kind.value, p) for s in series for p in series_progress(s.id)]

    def marks(p) -> str:
        words = [_("baseline")] if p.is_baseline else []
        words += [_("response")] if p.responded else []
        words += [_("remission")] if p.remitted else []
        return ", ".join(words) or "—"

    return {
        "title": _("PHQ-9 total (0-27; remission below 5)"), "type": "line",
        "x": {"kind": "time", "title": _("Date")},
        "y": {"title": _("PHQ-9 total"), "min": 0, "max": instrument.MAX_TOTAL,
              "integer": True},
        "datasets": _phq9_datasets(points),
        "table": {
            "caption": _("PHQ-9 over the series"),
            "columns": [_("Taken"), _("Series"), _("Total"), _("Change from baseline"),
                        _("Marked")],
            "rows": [[_local(p.response.taken_at, zone), series_word(kind), p.response.total,
                      "—" if p.is_baseline else f"{p.response.total - p.baseline_total:+d}",
                      marks(p)] for kind, p in points],
        },
    }


def _phq9_datasets(points: list) -> list[dict]:
    """The totals, the response and remission lines, and where each was reached."""
    return [
        {"label": _("PHQ-9 total"),
         "data": [{"x": _iso(p.response.taken_at), "y": p.response.total}
                  for _kind, p in points]},
        {"label": _("Response line (half the series baseline)"), "threshold": True,
         "colour": "#1d6b3a", "data": _response_line(points)},
        {"label": _("Remission line (below %(total)s)", total=instrument.REMISSION_BELOW),
         "threshold": True, "colour": "#7c3aed",
         "data": _span([p.response.taken_at for _kind, p in points],
                       instrument.REMISSION_BELOW)},
        {"label": _("Response reached"), "type": "scatter", "marker": True,
         "colour": "#1d6b3a",
         "data": [{"x": _iso(p.response.taken_at), "y": p.response.total}
                  for _kind, p in points if p.responded]},
        {"label": _("Remission reached"), "type": "scatter", "marker": True,
         "colour": "#7c3aed",
         "data": [{"x": _iso(p.response.taken_at), "y": p.response.total}
                  for _kind, p in points if p.remitted]},
    ]


def _span(times: list[datetime], y: float) -> list[dict]:
    """A level line from the first to the last of ``times``; none when they are one moment
    (a line nobody could see would still be listed in the legend)."""
    if len(set(times)) < 2:
        return []
    return [{"x": _iso(min(times)), "y": y}, {"x": _iso(max(times)), "y": y}]


def _response_line(points: list) -> list[dict]:
    """Half of each series' baseline, across that series' PHQ-9s; a gap between series."""
    line: list[dict] = []
    by_series: dict[int, list] = {}
    for _kind, p in points:
        by_series.setdefault(p.response.series_id, []).append(p)
    for progress in by_series.values():
        level = progress[0].baseline_total * (1 - instrument.RESPONSE_DROP)
        segment = _span([p.response.taken_at for p in progress], level)
        if segment and line:
            line.append({"x": segment[0]["x"], "y": None})
        line += segment
    return line


def adherence_chart(patient_id: int) -> dict:
    """Check-in prompts per infusion: answered, missed, still open, and not sent (their window
    closed before they could reach the patient; shown apart, never as missed). One GROUP BY."""
    counts = _prompt_counts(patient_id)
    infusions = [i for i in _infusions(patient_id) if i.id in counts]
    labels = [infusion_label(i.kind.value, i.number) for i in infusions]
    return {
        "title": _("Check-ins answered per infusion"), "type": "bar", "stacked": True,
        "x": {"kind": "category", "title": _("Infusion")},
        "y": {"title": _("Check-ins"), "min": 0, "integer": True},
        "labels": labels,
        "datasets": [{"label": _(label), "data": [int(getattr(counts[i.id], key))
                                                  for i in infusions]}
                     for label, key in ((N_("Answered"), "answered"), (N_("Missed"), "missed"),
                                        (N_("Not yet due or open"), "pending"),
                                        (N_("Not sent"), "not_sent"))],
        "table": {
            "caption": _("Check-in adherence per infusion"),
            "columns": [_("Infusion"), _("Prompted"), _("Answered"), _("Missed"), _("Open"),
                        _("Not sent"), _("Answered of closed")],
            "rows": [_adherence_row(i, counts[i.id]) for i in infusions],
        },
    }


def _prompt_counts(patient_id: int) -> dict:
    """infusion id -> its prompts counted by status (answered, missed, pending, not_sent)."""
    def count(value):
        return func.sum(case((Prompt.status == value, 1), else_=0))

    return {r.infusion_id: r for r in db.session.execute(
        select(Prompt.infusion_id, count(PromptStatus.ANSWERED).label("answered"),
               count(PromptStatus.MISSED).label("missed"),
               count(PromptStatus.PENDING).label("pending"),
               count(PromptStatus.NOT_SENT).label("not_sent"))
        .where(Prompt.patient_id == patient_id, Prompt.infusion_id.is_not(None))
        .group_by(Prompt.infusion_id))}


def _adherence_row(infusion, c) -> list:
    answered, missed, pending = int(c.answered), int(c.missed), int(c.pending)
    closed = answered + missed
    rate = f"{round(100 * answered / closed)}%" if closed else "—"
    return [infusion_label(infusion.kind.value, infusion.number), answered + missed + pending,
            answered, missed, pending, int(c.not_sent), rate]


SESSION_CHARTS = {"blood-pressure": session_charts.patient_blood_pressure,
                  "dissociation": session_charts.patient_dissociation}


def chart(name: str, patient_id: int, zone: ZoneInfo) -> dict:
    if name == "mood":
        return mood_chart(patient_id, zone)
    if name == "side-effects":
        return symptom_grid(patient_id)
    if name == "phq9":
        return phq9_chart(patient_id, zone)
    if name in SESSION_CHARTS:
        return SESSION_CHARTS[name](patient_id)
    return adherence_chart(patient_id)


def page_charts(patient_id: int, zone: ZoneInfo) -> list[dict]:
    """Every chart with the URL of its JSON endpoint, for the clinician's patient page."""
    return [{"name": name, "url": f"/api/v1/patients/{patient_id}/charts/{name}",
             **chart(name, patient_id, zone)} for name in NAMES]
