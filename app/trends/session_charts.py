"""The session record as charts (issue 18): blood pressure before, at about 40 minutes and
before discharge, and the dissociation and sedation staff observed, per infusion for one
patient and by infusion number for the cohort. Same shape as the other charts (a dict the JSON
endpoint returns and a table of the same numbers).

Decisions: where a phase has more than one reading, the chart shows its highest systolic one
(the reading that matters for safety); an observed level is the session's peak, 0 none to
3 severe. The cohort's means follow ``cohort_charts``' small-number rule.
"""

from flask_babel import gettext as _
from sqlalchemy import case, func, select

from app.extensions import db
from app.i18n import N_
from app.infusions.models import Infusion, TreatmentSeries
from app.monitoring.models import LEVELS, REQUIRED_PHASES, SessionObservation, VitalReading
from app.trends import cohort, cohort_charts
from app.trends.words import number_cell, short

PHASE_WORDS = {"before": N_("before"), "40min": N_("at 40 min"),
               "discharge": N_("before discharge")}
MEASURE_WORDS = {"systolic": N_("Systolic"), "diastolic": N_("Diastolic")}
LEVEL_AXIS = {"title": N_("Level (0 none, 3 severe)"), "min": 0, "max": 3, "integer": True}


def _level_axis(**more) -> dict:
    return {**LEVEL_AXIS, "title": _(LEVEL_AXIS["title"]), **more}


def _series_label(name: str, phase: str) -> str:
    """"Systolic before", "Diastolic at 40 min"."""
    return _("%(measure)s %(phase)s", measure=_(MEASURE_WORDS[name]),
             phase=_(PHASE_WORDS[phase]))


def _phase_columns() -> list[str]:
    return [_("Infusion")] + [_(PHASE_WORDS[p]).capitalize() for p in REQUIRED_PHASES]


def _label(kind, number: int) -> str:
    return f"{'M' if kind.value == 'maintenance' else ''}{number}"


def _patient_infusions(patient_id: int) -> list:
    return list(db.session.execute(
        select(Infusion.id, Infusion.number, TreatmentSeries.kind)
        .join(TreatmentSeries, TreatmentSeries.id == Infusion.series_id)
        .where(Infusion.patient_id == patient_id)
        .order_by(TreatmentSeries.started_at, TreatmentSeries.id, Infusion.number)))


def _highest_by_phase(infusion_ids: list[int]) -> dict:
    """(infusion id, phase) -> the reading with the highest systolic pressure."""
    found: dict = {}
    for r in db.session.scalars(select(VitalReading).where(
            VitalReading.infusion_id.in_(infusion_ids), VitalReading.systolic.is_not(None),
            VitalReading.phase.in_(REQUIRED_PHASES))):
        key = (r.infusion_id, r.phase)
        if key not in found or r.systolic > found[key].systolic:
            found[key] = r
    return found


def patient_blood_pressure(patient_id: int) -> dict:
    infusions = _patient_infusions(patient_id)
    cells = _highest_by_phase([i.id for i in infusions])
    shown = [i for i in infusions if any((i.id, p) in cells for p in REQUIRED_PHASES)]

    def value(i, phase, name):
        reading = cells.get((i.id, phase))
        return getattr(reading, name) if reading else None

    def text(i, phase):
        r = cells.get((i.id, phase))
        if r is None:
            return _("missing")
        alert = _("alert")
        return f"{r.systolic}/{r.diastolic}" + (f" ({alert})" if r.alert else "")

    return {
        "title": _("Blood pressure by infusion (mmHg)"), "type": "line",
        "x": {"kind": "category", "title": _("Infusion")},
        "y": {"title": "mmHg", "min": 40, "integer": True},
        "labels": [_label(i.kind, i.number) for i in shown],
        "datasets": [{"label": _series_label(name, phase),
                      "data": [value(i, phase, name) for i in shown]}
                     for name in ("systolic", "diastolic") for phase in REQUIRED_PHASES],
        "table": {"caption": _("Blood pressure (systolic/diastolic mmHg) at each infusion"),
                  "columns": _phase_columns(),
                  "rows": [[_label(i.kind, i.number)] + [text(i, p) for p in REQUIRED_PHASES]
                           for i in shown]},
    }


def _peaks(infusion_ids: list[int]) -> dict:
    """infusion id -> (peak dissociation, peak sedation) as 0-3."""
    peaks: dict = {}
    for o in db.session.scalars(select(SessionObservation).where(
            SessionObservation.infusion_id.in_(infusion_ids))):
        d, s = peaks.get(o.infusion_id, (0, 0))
        peaks[o.infusion_id] = (max(d, LEVELS.index(o.dissociation)),
                                max(s, LEVELS.index(o.sedation)))
    return peaks


def patient_dissociation(patient_id: int) -> dict:
    infusions = _patient_infusions(patient_id)
    peaks = _peaks([i.id for i in infusions])
    shown = [i for i in infusions if i.id in peaks]
    return {
        "title": _("Dissociation and sedation observed by infusion (peak)"), "type": "bar",
        "x": {"kind": "category", "title": _("Infusion")}, "y": _level_axis(),
        "labels": [_label(i.kind, i.number) for i in shown],
        "datasets": [{"label": label, "data": [peaks[i.id][k] for i in shown]}
                     for k, label in ((0, _("Dissociation")), (1, _("Sedation")))],
        "table": {"caption": _("Peak dissociation and sedation staff observed at each "
                               "infusion"),
                  "columns": [_("Infusion"), _("Dissociation"), _("Sedation")],
                  "rows": [[_label(i.kind, i.number), _(LEVELS[peaks[i.id][0]]),
                            _(LEVELS[peaks[i.id][1]])] for i in shown]},
    }


def _cohort_pressure_rows(filters: cohort.Filters) -> list[dict]:
    scope = cohort.scoped_infusions(filters)
    query = (select(scope.c.number, VitalReading.phase,
                    func.avg(VitalReading.systolic).label("systolic"),
                    func.avg(VitalReading.diastolic).label("diastolic"),
                    func.count(func.distinct(scope.c.patient_id)).label("patients"))
             .join(scope, scope.c.id == VitalReading.infusion_id)
             .where(VitalReading.systolic.is_not(None), VitalReading.phase.in_(REQUIRED_PHASES))
             .group_by(scope.c.number, VitalReading.phase).order_by(scope.c.number))
    return [cohort_charts._withheld(
        {"number": r.number, "phase": r.phase, "mean_systolic": round(float(r.systolic), 1),
         "mean_diastolic": round(float(r.diastolic), 1), "patients": r.patients},
        r.patients, "mean_systolic", "mean_diastolic", "patients")
        for r in db.session.execute(query)]


def cohort_blood_pressure(filters: cohort.Filters) -> dict:
    rows = _cohort_pressure_rows(filters)
    numbers = sorted({r["number"] for r in rows})
    cell = {(r["number"], r["phase"]): r for r in rows}

    def text(r):
        if r is None:
            return "—"
        if r["suppressed"]:
            return cohort_charts.fewer()
        return f"{short(r['mean_systolic'])}/{short(r['mean_diastolic'])} ({r['patients']})"

    return cohort_charts._marked({
        "title": _("Average blood pressure by infusion number (mmHg)"), "type": "line",
        "x": {"kind": "category", "title": _("Infusion")}, "y": {"title": "mmHg", "min": 40},
        "labels": [str(n) for n in numbers],
        "datasets": [{"label": _series_label(name, phase),
                      "data": [cell[(n, phase)][f"mean_{name}"] if (n, phase) in cell else None
                               for n in numbers]}
                     for name in ("systolic", "diastolic") for phase in REQUIRED_PHASES],
        "rows": rows,
        "table": {"caption": _("Average blood pressure (patients) by infusion number"),
                  "columns": _phase_columns(),
                  "rows": [[n] + [text(cell.get((n, p))) for p in REQUIRED_PHASES]
                           for n in numbers]},
    }, rows)


def _level(column):
    """A stored level ("none" to "severe") as 0-3 in SQL, by its place in ``LEVELS``."""
    return case({word: n for n, word in enumerate(LEVELS)}, value=column, else_=0)


def _cohort_peaks(filters: cohort.Filters) -> list:
    """One statement: per infusion in scope with an observation, its number, patient and
    peak dissociation and sedation (0-3). The scope is found by the window (the end date
    index), then each infusion's observations by their ``infusion_id`` index."""
    scope = cohort.scoped_infusions(filters)
    return list(db.session.execute(
        select(scope.c.number, scope.c.patient_id,
               func.max(_level(SessionObservation.dissociation)).label("dissociation"),
               func.max(_level(SessionObservation.sedation)).label("sedation"))
        .select_from(SessionObservation)
        .join(scope, scope.c.id == SessionObservation.infusion_id)
        # Grouped by the observation's infusion_id, not the scope's id (the same value):
        # grouped by infusion.id, SQLite scans every infusion in rowid order to save a sort.
        .group_by(SessionObservation.infusion_id, scope.c.number, scope.c.patient_id)))


def _cohort_level_rows(filters: cohort.Filters) -> list[dict]:
    by_number: dict = {}
    for r in _cohort_peaks(filters):
        by_number.setdefault(r.number, []).append((r.patient_id, (r.dissociation, r.sedation)))
    rows = []
    for number in sorted(by_number):
        sessions = by_number[number]
        patients = len({p for p, _ in sessions})
        rows.append(cohort_charts._withheld({
            "number": number, "infusions": len(sessions), "patients": patients,
            "mean_dissociation": round(sum(d for _, (d, _s) in sessions) / len(sessions), 2),
            "mean_sedation": round(sum(s for _, (_d, s) in sessions) / len(sessions), 2)},
            patients, "infusions", "patients", "mean_dissociation", "mean_sedation"))
    return rows


def cohort_dissociation(filters: cohort.Filters) -> dict:
    rows = _cohort_level_rows(filters)

    def cell(r, name):
        return cohort_charts.fewer() if r["suppressed"] else number_cell(r[name])

    return cohort_charts._marked({
        "title": _("Average peak dissociation and sedation by infusion number"), "type": "bar",
        "x": {"kind": "category", "title": _("Infusion")}, "y": _level_axis(integer=False),
        "labels": [str(r["number"]) for r in rows],
        "datasets": [{"label": label, "data": [r[f"mean_{name}"] for r in rows]}
                     for name, label in (("dissociation", _("Dissociation")),
                                         ("sedation", _("Sedation")))],
        "rows": rows,
        "table": {"caption": _("Average peak level observed (0 none, 3 severe) by infusion "
                               "number"),
                  "columns": [_("Infusion"), _("Infusions observed"), _("Dissociation"),
                              _("Sedation")],
                  "rows": [[r["number"], cell(r, "infusions"), cell(r, "mean_dissociation"),
                            cell(r, "mean_sedation")] for r in rows]},
    }, rows)
