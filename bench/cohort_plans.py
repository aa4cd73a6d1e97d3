"""The query plan of each cohort query (issue 14, point 2), and whether each reaches the
window's infusions through an index on their end (``Infusion.actual_end``).

The cohort services are called as the cohort page calls them (the default 90-day window of
``trends.filters``, the first clinic, induction series); a ``before_cursor_execute`` listener
captures each statement with its bound parameters, exactly as the driver received them, and
each is explained again on the same connection: ``EXPLAIN QUERY PLAN`` on SQLite, ``EXPLAIN``
on PostgreSQL.

An access to ``infusion`` counts as indexed when it goes through an index whose first column
is ``actual_end`` (a range over the window). A full scan, or a look-up by primary key or by
patient (which reads every infusion of the clinic's history), is NOT INDEXED.
"""

import re
from datetime import datetime

from sqlalchemy import event, inspect

from app.clinics.models import Clinic
from app.clinics.settings import effective
from app.extensions import db
from app.trends import cohort, filters, session_charts
from bench.databases import bench_app


def _services(window: cohort.Filters, ladder: list[int]) -> dict:
    return {"mood_by_hours": lambda: cohort.mood_by_hours(window, ladder),
            "side_effects": lambda: cohort.side_effects(window),
            "phq9_outcomes": lambda: cohort.phq9_outcomes(window),
            "adherence": lambda: cohort.adherence(window),
            # The cohort page's two charts from the in-clinic session record (issue 18).
            "session_blood_pressure": lambda: session_charts._cohort_pressure_rows(window),
            "session_dissociation": lambda: session_charts._cohort_level_rows(window)}


def capture(run) -> list[tuple[str, object]]:
    """(statement, parameters) of every SQL statement ``run()`` sends."""
    seen: list[tuple[str, object]] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    engine = db.engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return seen


def explain(statement: str, parameters) -> list[str]:
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        return [f"{'  ' * _depth(r)}{r[3]}" for r in _with_depth(list(rows))]
    rows = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)
    return [r[0] for r in rows]


def _with_depth(rows):
    depth = {0: -1}
    for row in rows:
        depth[row[0]] = depth.get(row[1], -1) + 1
        yield (*row, depth[row[0]])


def _depth(row) -> int:
    return row[-1]


def window_indexes() -> tuple[set[str], set[str]]:
    """(indexes on infusion led by actual_end, every index on infusion)."""
    indexes = inspect(db.engine).get_indexes("infusion")
    led = {i["name"] for i in indexes if i["column_names"][:1] == ["actual_end"]}
    return led, {i["name"] for i in indexes} | {"infusion_pkey"}


SQLITE_ACCESS = re.compile(r"^\s*(SCAN|SEARCH) infusion\b(?: USING (?:COVERING )?INDEX (\w+)"
                           r"| USING (INTEGER PRIMARY KEY))?")
POSTGRES_ACCESS = re.compile(r"(Seq Scan on infusion\b|(?:Index|Index Only) Scan using (\w+)"
                             r" on infusion\b|Bitmap Index Scan on (\w+))")


def infusion_accesses(plan: list[str], dialect: str, all_indexes: set[str]) -> list[str | None]:
    """For each access to the infusion table: the index it uses, or None (a scan or a
    primary-key look-up)."""
    found: list[str | None] = []
    for line in plan:
        if dialect == "sqlite":
            match = SQLITE_ACCESS.match(line)
            if match:
                found.append(match.group(2))
            continue
        match = POSTGRES_ACCESS.search(line)
        if match is None:
            continue
        name = match.group(2) or match.group(3)
        if match.group(3) and name not in all_indexes:
            continue  # a bitmap index scan of another table
        found.append(None if name == "infusion_pkey" else name)
    return found


def verdict(accesses: list[str | None], led: set[str]) -> str:
    if accesses and all(name in led for name in accesses):
        return "OK"
    return "NOT INDEXED"


def plans(clinic, now: datetime) -> dict:
    """{query name: {"verdict", "infusion_access", "plan": [lines], "sql": statement}} for
    the cohort page's default window of ``clinic`` as of ``now`` (in an app context)."""
    window = filters.build({}, clinic=clinic, now=now)
    ladder = effective(clinic)["checkin_ladder_hours"]
    led, all_indexes = window_indexes()
    dialect = db.engine.dialect.name
    figures: dict = {}
    for name, run in _services(window, ladder).items():
        for n, (statement, parameters) in enumerate(capture(run)):
            plan = explain(statement, parameters)
            accesses = infusion_accesses(plan, dialect, all_indexes)
            figures[name if n == 0 else f"{name}#{n + 1}"] = {
                "verdict": verdict(accesses, led), "infusion_access": accesses, "plan": plan,
                "sql": statement}
    return figures


def measure(url: str, now: datetime) -> dict:
    """The plans on the bench database at ``url``, for its first clinic."""
    app = bench_app(url)
    with app.app_context():
        clinic = db.session.scalars(db.select(Clinic).order_by(Clinic.id)).first()
        figures = plans(clinic, now)
        db.session.rollback()
        db.engine.dispose()
    return figures


def print_plans(engine: str, size: str, plans: dict) -> None:
    print(f"\n== cohort query plans ({engine}, {size}) ==")
    for name, item in plans.items():
        print(f"-- {name}: {item['verdict']} (infusion through: "
              f"{', '.join(str(a) for a in item['infusion_access']) or 'never'})")
        for line in item["plan"]:
            print(f"   {line}")
