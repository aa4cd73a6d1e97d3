"""The cohort aggregates (``cohort.py``) shaped as charts with their data tables."""

from app.checkins import catalog
from app.trends import cohort

NAMES = ("mood", "side-effects", "phq9", "adherence")


def mood(filters: cohort.Filters, ladder: list[int]) -> dict:
    rows = cohort.mood_by_hours(filters, ladder)
    hours = sorted({r["hours"] for r in rows} | set(ladder))
    numbers = sorted({r["number"] for r in rows})
    cell = {(r["number"], r["hours"]): r for r in rows}
    return {
        "title": "Average mood by hours since infusion", "type": "line",
        "x": {"kind": "category",
              "title": "Hours after the infusion ended (nearest check-in step)"},
        "y": {"title": "Average mood", "min": 0, "max": 10},
        "labels": [f"{h} h" for h in hours],
        "datasets": [{"label": f"Infusion {n}",
                      "data": [cell[(n, h)]["mean_mood"] if (n, h) in cell else None
                               for h in hours]} for n in numbers],
        "rows": rows,
        "table": {
            "caption": "Average mood (check-ins, patients) by infusion number and hours since "
                       "the infusion",
            "columns": ["Infusion"] + [f"{h} h" for h in hours],
            "rows": [[n] + [f"{cell[(n, h)]['mean_mood']:.1f} ({cell[(n, h)]['checkins']}, "
                            f"{cell[(n, h)]['patients']})" if (n, h) in cell else "—"
                            for h in hours] for n in numbers],
        },
    }


def side_effects(filters: cohort.Filters) -> dict:
    result = cohort.side_effects(filters)
    rows = result["rows"]
    numbers = sorted({r["number"] for r in rows}
                     | {r["number"] for r in result["infusions_with_checkins"]})
    codes = sorted({r["code"] for r in rows})
    cell = {(r["number"], r["code"]): r for r in rows}
    reported = {r["number"]: r["infusions"] for r in result["infusions_with_checkins"]}

    def text(r) -> str:
        if r is None:
            return "—"
        median = f"{r['median_hours']:g} h" if r["median_hours"] is not None else "n/a"
        open_ = r["episodes"] - r["resolved"]
        return (f"{round(100 * r['incidence'])}% ({r['episodes']}); median {median}"
                + (f"; {open_} unresolved" if open_ else ""))

    return {
        "title": "Side-effect incidence by infusion number (% of infusions with check-ins)",
        "type": "bar", "x": {"kind": "category", "title": "Infusion"},
        "y": {"title": "% of infusions", "min": 0, "max": 100},
        "labels": [f"{n}" for n in numbers],
        "datasets": [{"label": catalog.label(code),
                      "data": [round(100 * cell[(n, code)]["incidence"], 1)
                               if (n, code) in cell and cell[(n, code)]["incidence"] is not None
                               else 0 for n in numbers]} for code in codes],
        "rows": rows, "infusions_with_checkins": result["infusions_with_checkins"],
        "table": {
            "caption": "Side effects by infusion number: incidence (episodes), median hours "
                       "until gone",
            "columns": ["Side effect"] + [f"Infusion {n} ({reported.get(n, 0)} with check-ins)"
                                          for n in numbers],
            "rows": [[catalog.label(code)] + [text(cell.get((n, code))) for n in numbers]
                     for code in codes],
        },
    }


def phq9(filters: cohort.Filters) -> dict:
    r = cohort.phq9_outcomes(filters)
    followed = r["followed"]
    others = followed - r["responders"]
    return {
        "title": "PHQ-9 response and remission (series with two or more PHQ-9s)",
        "type": "bar", "x": {"kind": "category", "title": "Outcome"},
        "y": {"title": "Series", "min": 0},
        "labels": ["Responders", "Remitters", "Not responding"],
        "datasets": [{"label": "Series", "data": [r["responders"], r["remitters"], others]}],
        "summary": r,
        "table": {
            "caption": "PHQ-9 outcomes: baseline is the first PHQ-9 of a series, outcome the "
                       "latest",
            "columns": ["Measure", "Value"],
            "rows": [["Series with a PHQ-9", r["series"]],
                     ["Series with a follow-up PHQ-9", followed],
                     ["Responders (down 50% or more)", r["responders"]],
                     ["Remitters (latest below 5)", r["remitters"]],
                     ["Mean baseline total", r["mean_baseline"] if r["mean_baseline"]
                      is not None else "—"],
                     ["Mean latest total", r["mean_latest"] if r["mean_latest"]
                      is not None else "—"]],
        },
    }


def adherence(filters: cohort.Filters) -> dict:
    rows = cohort.adherence(filters)
    return {
        "title": "Check-ins answered by infusion number (% of prompts whose window closed)",
        "type": "bar", "x": {"kind": "category", "title": "Infusion"},
        "y": {"title": "% answered", "min": 0, "max": 100},
        "labels": [str(r["number"]) for r in rows],
        "datasets": [{"label": "Answered",
                      "data": [round(100 * r["rate"], 1) if r["rate"] is not None else None
                               for r in rows]}],
        "rows": rows,
        "table": {
            "caption": "Check-in adherence by infusion number",
            "columns": ["Infusion", "Prompted (closed)", "Answered", "Answered %"],
            "rows": [[r["number"], r["prompted"], r["answered"],
                      f"{round(100 * r['rate'])}%" if r["rate"] is not None else "—"]
                     for r in rows],
        },
    }


def chart(name: str, filters: cohort.Filters, ladder: list[int]) -> dict:
    if name == "mood":
        return mood(filters, ladder)
    if name == "side-effects":
        return side_effects(filters)
    if name == "phq9":
        return phq9(filters)
    return adherence(filters)
