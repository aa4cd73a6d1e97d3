"""SQL pieces that differ between SQLite and PostgreSQL, behind one SQLAlchemy expression.

``hours_between(later, earlier)`` is a float number of hours on both databases, so every
aggregation query is written once and runs unchanged on either. ``not_an_index(column)`` keeps
SQLite's planner off the column's indexes and leaves PostgreSQL's untouched.
"""

from sqlalchemy import Float, case, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class hours_between(FunctionElement):  # noqa: N801  (reads like the SQL function it is)
    """Hours from ``earlier`` to ``later`` (negative when ``later`` is before)."""

    type = Float()
    inherit_cache = True
    name = "hours_between"


@compiles(hours_between, "sqlite")
def _sqlite(element, compiler, **kw):
    later, earlier = list(element.clauses)
    return (f"((julianday({compiler.process(later, **kw)}) - "
            f"julianday({compiler.process(earlier, **kw)})) * 24.0)")


@compiles(hours_between)
def _postgresql(element, compiler, **kw):
    later, earlier = list(element.clauses)
    return (f"(EXTRACT(EPOCH FROM ({compiler.process(later, **kw)} - "
            f"{compiler.process(earlier, **kw)})) / 3600.0)")


class not_an_index(FunctionElement):  # noqa: N801
    """The column itself, kept out of SQLite's index choice: ``column + 0`` on SQLite (its
    documented way to disqualify a term from an index), the bare column elsewhere.

    The cohort's infusions are found by their end date (``ix_infusion_ended``). SQLite
    prefers an equality on an indexed column (the clinic's patients, then every infusion each
    ever had) to the date range unless the clinic term is disqualified; PostgreSQL needs the
    bare column, whose statistics tell it how many patients a clinic has (behind "+ 0" it
    guessed 50 of 10,000 and chose that same per-patient plan). bench/cohort_plans.py prints
    both databases' plans.
    """

    inherit_cache = True
    name = "not_an_index"

    @property
    def type(self):
        return list(self.clauses)[0].type


@compiles(not_an_index, "sqlite")
def _sqlite_not_an_index(element, compiler, **kw):
    return f"({compiler.process(list(element.clauses)[0], **kw)} + 0)"


@compiles(not_an_index)
def _bare_column(element, compiler, **kw):
    return compiler.process(list(element.clauses)[0], **kw)


def ladder_bucket(hours, ladder: list[int]):
    """The ladder step (in hours) nearest to ``hours``: a CASE on the midpoints between steps.

    With the default ladder 2, 6, 24, 48, 72: under 4 h is "2", 4 to 15 h is "6", and so on;
    everything past the last midpoint belongs to the last step.
    """
    steps = sorted(set(ladder))
    whens = [(hours < (a + b) / 2, literal(a)) for a, b in zip(steps, steps[1:], strict=False)]
    return case(*whens, else_=literal(steps[-1])) if whens else literal(steps[0])
