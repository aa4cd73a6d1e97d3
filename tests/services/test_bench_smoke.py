"""The benchmark's seeding and report work at a tiny size (no timings are asserted)."""

import json
from datetime import UTC, datetime

from sqlalchemy import func, select

from app.checkins.models import CheckIn, SymptomRating
from app.extensions import db
from app.flags.models import Flag
from app.flags.services import active_patient_ids
from app.infusions.models import Infusion
from app.monitoring.models import SessionObservation, VitalReading
from app.notifications.models import Notification
from app.prompts.models import Prompt
from bench import run
from bench.seed import CLINICS, SIZES, seed

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


def test_tiny_seed_writes_a_consistent_clinic_network(app):
    seeded = seed("T", NOW.replace(hour=0))
    count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
    assert seeded.counts["patient"] == SIZES["T"]
    assert count(CheckIn) == seeded.counts["checkin"] > 0
    assert count(SymptomRating) == seeded.counts["symptom_rating"] > 0
    assert count(Prompt) == seeded.counts["prompt"]
    assert count(Notification) == seeded.counts["notification"]
    # every infusion that has ended has its session record (the cohort page's session charts)
    assert count(VitalReading) == seeded.counts["vital_reading"] > 0
    assert count(SessionObservation) == seeded.counts["session_observation"] > 0
    ended = select(Infusion.id).where(Infusion.actual_end.is_not(None))
    recorded = select(SessionObservation.infusion_id).distinct()
    assert set(db.session.scalars(ended)) == set(db.session.scalars(recorded))
    assert db.session.scalar(select(func.count()).select_from(VitalReading).where(
        VitalReading.alert != "")) < count(VitalReading) / 20  # an alert now and then
    # the active patients are exactly those the flag job considers
    assert sorted(active_patient_ids(seeded.anchor)) == sorted(seeded.active_patient_ids)
    assert db.session.scalar(select(func.count()).select_from(Flag).where(
        Flag.status == "open")) >= 1
    # ids were chosen by the seed: new rows still get fresh ones (PostgreSQL sequences moved)
    from tests import factories

    clinic = factories.clinic()
    assert clinic.id == len(CLINICS) + 1


def test_report_ends_with_one_json_object(capsys):
    results = {"T": {"patients": 60, "checkins": 10, "active_patients": 20, "seed_seconds": 1.0,
                     "pages": {"triage": {"p50_ms": 1.0, "p95_ms": 2.0}, "patient": None,
                               "cohort": None, "charts": {"/api/v1/cohort/x": None}},
                     "jobs": {"evaluate_flags": {"seconds": 0.5, "summary": {}},
                              "evaluate_flags_again": {"seconds": 0.4, "summary": {}},
                              "send_notifications": {"seconds": 0.2, "summary": {}},
                              "peak_rss_kib": 1024, "pushes_received": 3},
                     "ingest": {"aftercare": {"throughput": 10.0, "p50_ms": 1, "p99_ms": 2,
                                              "errors": 0, "requests": 80},
                                "baseline": {"throughput": 20.0, "p50_ms": 1, "p99_ms": 2,
                                             "errors": 0, "requests": 160},
                                "ratio": 0.5}}}
    run.print_table("sqlite", results)
    flat = run.flatten("sqlite", results)
    print(json.dumps(flat))
    last = capsys.readouterr().out.strip().splitlines()[-1]
    figures = json.loads(last)
    assert figures["sqlite.T.ingest_ratio"] == 0.5
    assert figures["sqlite.T.page.cohort.p95_ms"] is None  # absent pages are "n/a"
    rows = run.checks(figures, {"page_bytes_home": 1000})
    assert ("sqlite.T.ingest_ratio", 0.5, ">= 0.5", True) in rows


def test_chart_endpoints_are_found_in_the_openapi_document():
    spec = {"paths": {
        "/api/v1/cohort/{name}": {"get": {"parameters": [
            {"in": "path", "name": "name", "schema": {"enum": ["mood", "phq9"]}}]}},
        "/api/v1/patients/{patient_id}/charts/mood": {"get": {"parameters": [
            {"in": "path", "name": "patient_id"}]}},
        "/api/v1/cohort/free/{text}": {"get": {"parameters": [{"in": "path", "name": "text"}]}},
        "/api/v1/checkins": {"get": {}},
    }}
    found = run.chart_paths(spec, 7)
    assert found == {"/api/v1/cohort/mood": "/api/v1/cohort/mood",
                     "/api/v1/cohort/phq9": "/api/v1/cohort/phq9",
                     "/api/v1/cohort/free/{text}": None,
                     "/api/v1/patients/{id}/charts/mood": "/api/v1/patients/7/charts/mood"}


def test_only_2xx_answers_count_and_a_refused_request_fails_the_run():
    from bench.http_load import LoadResult

    result = LoadResult(10, {201: 7, 429: 2, 0: 1}, 2.0, [1.0] * 10)
    assert (result.ok, result.errors, result.throughput) == (7, 3, 3.5)
    assert result.refused == {0: 1, 429: 2}
    clean = {"aftercare": {"refused": {}}, "baseline": {}}
    refused = {"aftercare": {"refused": {"429": 2}}, "baseline": {}}
    assert run.refused_requests({"sqlite": {"S": {"ingest": clean}}}) == []
    assert run.refused_requests({"sqlite": {"S": {"ingest": refused}}}) == [
        "sqlite.S.ingest.aftercare: {'429': 2}"]


def test_wrk_summary_counts_only_2xx_and_socket_errors_as_no_answer():
    from bench import wrk_load

    output = ('Running 8s test\nWRK_JSON {"requests":12,"duration_us":2000000,'
              '"statuses":{"201":9,"429":2},"socket_errors":1,"p50_us":1500,"p99_us":9000}\n')
    figures = wrk_load.parse(output, 2.0)
    assert figures == {"throughput": 4.5, "requests": 12, "errors": 3,
                       "refused": {"0": 1, "429": 2}, "p50_ms": 1.5, "p99_ms": 9.0}
    assert run.refused_requests({"sqlite": {"S": {"ingest": {
        "aftercare": {"refused": {}}, "aftercare_wrk": figures}}}}) == [
        "sqlite.S.ingest.aftercare_wrk: {'0': 1, '429': 2}"]


def test_wrk_device_table_carries_each_patients_headers_and_fields():
    from bench import wrk_load

    source = wrk_load.data_file("/api/v1/checkins", [
        wrk_load.device({"Cookie": "s=a\"b", "X-CSRFToken": "t"}, {"account": "7"})])
    assert 'path = "/api/v1/checkins"' in source
    assert '["Cookie"] = "s=a\\"b"' in source and '["X-CSRFToken"] = "t"' in source
    assert 'fields = "\\"account\\":\\"7\\""' in source
    assert 'method = "POST"' in source
    assert source.startswith("return {") and source.rstrip().endswith("}")


def test_ingest_ratio_uses_the_generator_with_the_higher_baseline():
    figures = {"aftercare": {"throughput": 50.0}, "baseline": {"throughput": 500.0},
               "aftercare_wrk": {"throughput": 60.0}, "baseline_wrk": {"throughput": 800.0}}
    assert run.ingest_ratio(figures) == {"ratio_python": 0.1, "ratio_wrk": 0.075,
                                         "ratio_generator": "wrk", "ratio": 0.075,
                                         "floor_ratio": None}
    figures["signed_in_floor_wrk"] = {"throughput": 320.0}
    assert run.ingest_ratio(figures)["floor_ratio"] == 0.4
    figures["aftercare_wrk"] = figures["baseline_wrk"] = None  # wrk missing
    assert run.ingest_ratio(figures) == {"ratio_python": 0.1, "ratio_wrk": None,
                                         "ratio_generator": "python", "ratio": 0.1,
                                         "floor_ratio": None}


def test_the_wrk_script_runs_against_a_server_and_counts_its_refusals():
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    import pytest

    from bench import wrk_load

    if not wrk_load.available():
        pytest.skip(wrk_load.INSTALL_HINT)
    seen = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            seen.append((self.headers["X-CSRFToken"], body["account"], body["client_id"]))
            status = 201 if body["account"] == "a" else 409
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self):  # noqa: N802  (the signed-in floor: headers alone, no body)
            seen_get.append((self.command, self.path, self.headers["Cookie"],
                             self.headers["Content-Length"]))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    seen_get = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        figures = wrk_load.load(server.server_address[1], "/api/v1/checkins", [
            wrk_load.device({"X-CSRFToken": "ta"}, {"account": "a"}),
            wrk_load.device({"X-CSRFToken": "tb"}, {"account": "b"})],
            connections=2, seconds=1)
        floor = wrk_load.load(server.server_address[1], "/api/v1/session", [
            wrk_load.device({"Cookie": "s=a"}, {})], connections=1, seconds=1, method="GET")
    finally:
        server.shutdown()
    assert set(seen_get) == {("GET", "/api/v1/session", "s=a", None)}
    assert floor["errors"] == 0 and floor["throughput"] > 0
    assert {(csrf, account) for csrf, account, _ in seen} == {("ta", "a"), ("tb", "b")}
    assert len({client_id for *_, client_id in seen}) == len(seen)  # a fresh UUID each
    assert figures["refused"]["409"] > 0 and figures["errors"] >= figures["refused"]["409"]


def test_the_three_channel_send_run_works_at_a_tiny_size():
    from bench import channel_delivery

    result = channel_delivery.run_three_channels(total=6)
    assert result["received"] == {"push": 2, "sms": 2, "email": 2}
    assert result["summary"]["sent"] == 6


def test_a_cached_seed_made_before_a_migration_is_brought_to_the_latest(tmp_path, monkeypatch):
    """The day's cached SQLite seed outlives a migration merged that day: each run measures
    the schema of the code it runs (here the cohort's covering index of 0021)."""
    from flask_migrate import downgrade
    from sqlalchemy import create_engine, inspect

    from bench import databases

    monkeypatch.setattr(databases, "BENCH_DIR", tmp_path)
    first = databases.prepare_sqlite("T", now=NOW)
    [cached] = tmp_path.glob("seed-v*-T-*.db")
    app = databases.bench_app(f"sqlite:///{cached}")
    with app.app_context():
        downgrade(directory=databases.MIGRATIONS, revision="0020")
        assert "ix_infusion_ended" not in {i["name"] for i in inspect(db.engine).get_indexes(
            "infusion")}
        db.engine.dispose()

    again = databases.prepare_sqlite("T", now=NOW)
    assert again.seed_seconds is None  # taken from the cache, not seeded again
    assert again.seeded.counts == first.seeded.counts
    engine = create_engine(again.url)
    try:
        assert "ix_infusion_ended" in {i["name"] for i in inspect(engine).get_indexes(
            "infusion")}
    finally:
        engine.dispose()
