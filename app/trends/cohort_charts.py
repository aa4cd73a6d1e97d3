"""The cohort aggregates (``cohort.py``) shaped as charts with their data tables.

Small numbers are withheld: an aggregate (a cell, a row, a summary) computed from fewer than
``MIN_PATIENTS`` distinct patients would let a filter narrowed to one day or one clinician show
one person's moods, side effects or PHQ-9. Its numbers become ``null`` in the JSON with
``"suppressed": true`` on the row, ``FEWER`` in the table and a gap in the chart; the chart
says ``"suppressed": true`` when anything was withheld (issue 12, point 6). A fixed rule, the
usual small-cell threshold of health statistics, not a clinic setting.
"""

from flask_babel import gettext as _

from app.checkins import catalog
from app.trends import cohort
from app.trends.words import fixed, number_cell, short

NAMES = ("mood", "side-effects", "blood-pressure", "dissociation", "phq9", "adherence")
MIN_PATIENTS = 5


def fewer() -> str:
    """"fewer than 5 patients", in the viewer's language."""
    return _("fewer than %(count)s patients", count=MIN_PATIENTS)


def note() -> str:
    return _("Figures from fewer than %(count)s patients are withheld (shown as “%(fewer)s”) "
             "so that no one person's answers can be read from the cohort.",
             count=MIN_PATIENTS, fewer=fewer())


def _withheld(row: dict, patients: int, *numbers: str) -> dict:
    """``row`` with ``numbers`` (and the patient count) nulled when fewer than MIN_PATIENTS."""
    if patients >= MIN_PATIENTS:
        return {**row, "suppressed": False}
    return {**row, **{name: None for name in numbers}, "suppressed": True}


def _marked(chart: dict, rows: list[dict]) -> dict:
    suppressed = any(r["suppressed"] for r in rows)
    return {**chart, "suppressed": suppressed, "min_patients": MIN_PATIENTS,
            **({"note": note()} if suppressed else {})}


def mood(filters: cohort.Filters, ladder: list[int]) -> dict:
    rows = [_withheld(r, r["patients"], "mean_mood", "checkins", "patients")
            for r in cohort.mood_by_hours(filters, ladder)]
    hours = sorted({r["hours"] for r in rows} | set(ladder))
    numbers = sorted({r["number"] for r in rows})
    cell = {(r["number"], r["hours"]): r for r in rows}
    def text(r) -> str:
        if r is None:
            return "—"
        if r["suppressed"]:
            return fewer()
        return f"{fixed(r['mean_mood'])} ({r['checkins']}, {r['patients']})"

    return _marked({
        "title": _("Average mood by hours since infusion"), "type": "line",
        "x": {"kind": "category",
              "title": _("Hours after the infusion ended (nearest check-in step)")},
        "y": {"title": _("Average mood"), "min": 0, "max": 10},
        "labels": [f"{h} h" for h in hours],
        "datasets": [{"label": _("Infusion %(number)s", number=n),
                      "data": [cell[(n, h)]["mean_mood"] if (n, h) in cell else None
                               for h in hours]} for n in numbers],
        "rows": rows,
        "table": {
            "caption": _("Average mood (check-ins, patients) by infusion number and hours "
                         "since the infusion"),
            "columns": [_("Infusion")] + [f"{h} h" for h in hours],
            "rows": [[n] + [text(cell.get((n, h))) for h in hours] for n in numbers],
        },
    }, rows)


def side_effects(filters: cohort.Filters) -> dict:
    result = cohort.side_effects(filters)
    rows = _side_effect_rows(result["rows"])
    reported_rows = [_withheld(r, r["patients"], "infusions", "patients")
                     for r in result["infusions_with_checkins"]]
    numbers = sorted({r["number"] for r in rows}
                     | {r["number"] for r in result["infusions_with_checkins"]})
    codes = sorted({r["code"] for r in rows})
    cell = {(r["number"], r["code"]): r for r in rows}
    reported = {r["number"]: r["infusions"] for r in reported_rows}

    def with_checkins(n) -> str:
        count = reported.get(n, 0)
        return _("%(count)s with check-ins", count=count) if count is not None else fewer()

    return _marked({
        "title": _("Side-effect incidence by infusion number (% of infusions with check-ins)"),
        "type": "bar", "x": {"kind": "category", "title": _("Infusion")},
        "y": {"title": _("% of infusions"), "min": 0, "max": 100},
        "labels": [f"{n}" for n in numbers],
        "datasets": [{"label": _(catalog.label(code)),
                      "data": [round(100 * cell[(n, code)]["incidence"], 1)
                               if (n, code) in cell and cell[(n, code)]["incidence"] is not None
                               else None if (n, code) in cell else 0 for n in numbers]}
                     for code in codes],
        "rows": rows, "infusions_with_checkins": reported_rows,
        "table": {
            "caption": _("Side effects by infusion number: incidence (episodes), median hours "
                         "until gone"),
            "columns": [_("Side effect")] + [
                _("Infusion %(number)s (%(reported)s)", number=n, reported=with_checkins(n))
                for n in numbers],
            "rows": [[_(catalog.label(code))]
                     + [_side_effect_text(cell.get((n, code))) for n in numbers]
                     for code in codes],
        },
    }, rows + reported_rows)


def _side_effect_rows(rows: list[dict]) -> list[dict]:
    """Rows from fewer than MIN_PATIENTS patients withheld, and so is a median of durations
    from fewer than MIN_PATIENTS patients."""
    rows = [_withheld(r, r["patients"], "episodes", "resolved", "incidence", "median_hours",
                      "patients", "resolved_patients") for r in rows]
    for r in rows:
        if not r["suppressed"] and r["resolved_patients"] < MIN_PATIENTS:
            r.update(median_hours=None, resolved_patients=None, median_suppressed=True)
    return rows


def _side_effect_text(r: dict | None) -> str:
    """One table cell: incidence (episodes); median hours; how many unresolved."""
    if r is None:
        return "—"
    if r["suppressed"]:
        return fewer()
    if r.get("median_suppressed"):
        median = fewer()
    else:
        median = f"{short(r['median_hours'])} h" if r["median_hours"] is not None else _("n/a")
    open_ = r["episodes"] - r["resolved"]
    text = _("%(percent)s%% (%(episodes)s); median %(median)s",
             percent=round(100 * r["incidence"]), episodes=r["episodes"], median=median)
    return text + ("; " + _("%(count)s unresolved", count=open_) if open_ else "")


def phq9(filters: cohort.Filters) -> dict:
    r = cohort.phq9_outcomes(filters)
    r = _withheld(r, r["patients"], "series", "patients", "followed", "followed_patients",
                  "responders", "remitters", "mean_baseline", "mean_latest")
    if not r["suppressed"] and r["followed_patients"] < MIN_PATIENTS:
        r = {**_withheld(r, r["followed_patients"], "followed", "followed_patients",
                         "responders", "remitters", "mean_baseline", "mean_latest")}
    followed = r["followed"]
    others = followed - r["responders"] if followed is not None else None

    def shown(value):
        if r["suppressed"] and value is None:
            return fewer()
        return number_cell(value) if value is not None else "—"

    return _marked({
        "title": _("PHQ-9 response and remission (series with two or more PHQ-9s)"),
        "type": "bar", "x": {"kind": "category", "title": _("Outcome")},
        "y": {"title": _("Series"), "min": 0, "integer": True},
        "labels": [_("Responders"), _("Remitters"), _("Not responding")],
        "datasets": [{"label": _("Series"),
                      "data": [r["responders"], r["remitters"], others]}],
        "summary": r,
        "table": {
            "caption": _("PHQ-9 outcomes: baseline is the first PHQ-9 of a series, outcome "
                         "the latest"),
            "columns": [_("Measure"), _("Value")],
            "rows": [[_("Series with a PHQ-9"), shown(r["series"])],
                     [_("Series with a follow-up PHQ-9"), shown(followed)],
                     [_("Responders (down 50% or more)"), shown(r["responders"])],
                     [_("Remitters (latest below 5)"), shown(r["remitters"])],
                     [_("Mean baseline total"), shown(r["mean_baseline"])],
                     [_("Mean latest total"), shown(r["mean_latest"])]],
        },
    }, [r])


def adherence(filters: cohort.Filters) -> dict:
    rows = [_withheld(r, r["patients"], "prompted", "answered", "rate", "patients")
            for r in cohort.adherence(filters)]

    def cell(r, name):
        if r["suppressed"]:
            return fewer()
        return f"{round(100 * r['rate'])}%" if name == "rate" else r[name]

    return _marked({
        "title": _("Check-ins answered by infusion number (% of prompts whose window "
                   "closed)"),
        "type": "bar", "x": {"kind": "category", "title": _("Infusion")},
        "y": {"title": _("% answered"), "min": 0, "max": 100},
        "labels": [str(r["number"]) for r in rows],
        "datasets": [{"label": _("Answered"),
                      "data": [round(100 * r["rate"], 1) if r["rate"] is not None else None
                               for r in rows]}],
        "rows": rows,
        "table": {
            "caption": _("Check-in adherence by infusion number"),
            "columns": [_("Infusion"), _("Prompted (closed)"), _("Answered"), _("Answered %")],
            "rows": [[r["number"], cell(r, "prompted"), cell(r, "answered"), cell(r, "rate")]
                     for r in rows],
        },
    }, rows)


def chart(name: str, filters: cohort.Filters, ladder: list[int]) -> dict:
    from app.trends import session_charts  # it builds on this module's small-number rule

    if name == "mood":
        return mood(filters, ladder)
    if name == "side-effects":
        return side_effects(filters)
    if name == "phq9":
        return phq9(filters)
    if name == "blood-pressure":
        return session_charts.cohort_blood_pressure(filters)
    if name == "dissociation":
        return session_charts.cohort_dissociation(filters)
    return adherence(filters)
