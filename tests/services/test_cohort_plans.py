"""The bench's cohort query plans (bench/cohort_plans.py, issue 14 point 2): every cohort
query is captured with its parameters and explained, and an access to the infusion table is
called indexed only through an index led by ``actual_end`` (the window)."""

import pytest
from sqlalchemy import text

from app.extensions import db
from bench import cohort_plans
from tests import trends_support
from tests.conftest import FIXED_NOW

QUERIES = {"mood_by_hours", "side_effects", "side_effects#2", "phq9_outcomes", "adherence",
           "session_blood_pressure", "session_dissociation"}


def test_every_cohort_query_is_explained_and_its_infusion_accesses_read(app, clock):
    """On SQLite (the clinic term kept out of the index choice) the window's index is taken
    at any size. PostgreSQL chooses by its statistics: for the few patients of a test clinic
    it rightly goes patient first, so only ``make bench`` at L can say OK there."""
    data = trends_support.build(trends_support.T0 - trends_support.timedelta(days=3))
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET enable_seqscan = off"))  # indexes named, not scans
    plans = cohort_plans.plans(data.clinic, FIXED_NOW)
    assert set(plans) == QUERIES
    for name, item in plans.items():
        assert item["plan"] and item["infusion_access"], name
        assert all(access is not None for access in item["infusion_access"]), name
        if db.engine.dialect.name == "sqlite" and item["verdict"] != "OK":
            pytest.fail(f"{name}: {item['verdict']}\n" + "\n".join(item["plan"]))
        if db.engine.dialect.name == "sqlite":
            # the scope's columns all come from the index: no visit to the infusion rows
            reads = [line for line in item["plan"] if cohort_plans.SQLITE_ACCESS.match(line)]
            assert all("COVERING INDEX ix_infusion_ended" in line for line in reads), name
    led, _ = cohort_plans.window_indexes()
    assert "ix_infusion_ended" in led


def test_sqlite_plan_lines_are_read_as_infusion_accesses():
    plan = ["SEARCH infusion USING COVERING INDEX ix_infusion_ended"
            " (actual_end>? AND actual_end<?)",
            "SEARCH patient USING INTEGER PRIMARY KEY (rowid=?)",
            "  SCAN scoped_infusion",
            "  SEARCH infusion USING INTEGER PRIMARY KEY (rowid=?)",
            "SEARCH infusion USING COVERING INDEX ix_infusion_patient_id (patient_id=?)",
            "SCAN infusion"]
    accesses = cohort_plans.infusion_accesses(plan, "sqlite", set())
    assert accesses == ["ix_infusion_ended", None, "ix_infusion_patient_id", None]
    led = {"ix_infusion_ended"}
    assert cohort_plans.verdict(accesses[:1], led) == "OK"
    assert cohort_plans.verdict(accesses, led) == "NOT INDEXED"
    assert cohort_plans.verdict([], led) == "NOT INDEXED"


def test_postgresql_plan_lines_are_read_as_infusion_accesses():
    indexes = {"ix_infusion_ended", "ix_infusion_patient_id", "infusion_pkey"}
    plan = ["Hash Join  (cost=1.0..2.0 rows=1 width=8)",
            "  ->  Bitmap Heap Scan on infusion  (cost=4.2..11.3 rows=3 width=24)",
            "        ->  Bitmap Index Scan on ix_infusion_ended  (cost=0.0..4.2 rows=3)",
            "              Index Cond: ((actual_end >= $1) AND (actual_end < $2))",
            "  ->  Bitmap Index Scan on ix_checkin_infusion_id  (cost=0.0..4.2 rows=3)",
            "  ->  Index Scan using infusion_pkey on infusion i2  (cost=0.29..8.3 rows=1)",
            "  ->  Index Only Scan using ix_infusion_patient_id on infusion  (cost=0.2..8.3)",
            "  ->  Seq Scan on infusion  (cost=0.00..35.50 rows=2550 width=4)",
            "  ->  Seq Scan on infusion_dose  (cost=0.00..35.50 rows=2550 width=4)"]
    accesses = cohort_plans.infusion_accesses(plan, "postgresql", indexes)
    assert accesses == ["ix_infusion_ended", None, "ix_infusion_patient_id", None]


def test_the_clinic_term_is_kept_off_sqlites_indexes_only():
    from sqlalchemy.dialects import postgresql, sqlite

    from app.patients.models import Patient
    from app.trends.sql import not_an_index

    term = not_an_index(Patient.clinic_id) == 3
    assert str(term.compile(dialect=sqlite.dialect())) == "(patient.clinic_id + 0) = ?"
    assert str(term.compile(dialect=postgresql.dialect())).startswith("patient.clinic_id = ")
