"""``make bench``: ingest, page, job, memory and byte figures at two sizes, against targets.

For each database (SQLite always; PostgreSQL when BENCH_DATABASE_URL is set) and each size
(BENCH_SIZES, default "S,L"): seed (or reuse the day's cached SQLite seed), then

- pages: server time of the triage queue, a patient page, the cohort page and every chart
  endpoint the OpenAPI document lists, measured in-process through the WSGI test client
  (time inside the app, no network), BENCH_PAGE_SAMPLES samples each;
- jobs: the flag job and the prompt-send job, once each as of the seed's "now", in a process
  of their own (python -m bench.jobs_probe), sending real Web Push to a local push service;
- ingest: POST /api/v1/checkins under gunicorn on loopback by BENCH_CLIENTS keep-alive clients
  as many signed-in patients, then the bare baseline app under the same settings on the same
  database; then the web workers' peak memory after clinicians' pages were served too. With
  wrk also the signed-in floor: GET /api/v1/session by the same patients (sign-in checked,
  nothing stored or judged), the most any signed-in request could reach.

Then push delivery (bench/push_delivery.py): one send run over 1,000 due pushes of which 10% go
to a push service that never answers, and the time from a kill -9 of a sending process to the
last of its claimed messages delivered by the other.

Prints a table, then, as the last line, one JSON object with every figure.
"""

import itertools
import json
import os
import random
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask

from app.auth.models import User
from app.auth.services import session_limits, start_session
from app.checkins.catalog import SYMPTOMS
from app.extensions import db
from app.notifications.models import PushSubscription
from bench import cohort_plans, http_load, wrk_load
from bench.databases import BENCH_DIR, bench_app, prepare_postgres, prepare_sqlite
from bench.seed import iter_sizes

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "16"))
INGEST_SECONDS = float(os.environ.get("BENCH_INGEST_SECONDS", "8"))
PAGE_SAMPLES = int(os.environ.get("BENCH_PAGE_SAMPLES", "40"))
SECRET = "bench-secret"  # noqa: S105  (throwaway databases only)


def log(message: str) -> None:
    print(f"[bench {datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


# --- sessions: signed-in devices made directly (no password round, no login rate limit) -----

def session_tokens(app: Flask, user_ids: list[int]) -> dict[int, str]:
    with app.app_context():
        tokens = {}
        now = datetime.now(UTC)
        for user_id in user_ids:
            user = db.session.get(User, user_id)
            lifetime, idle = session_limits(user.role, app.config)
            _row, tokens[user_id] = start_session(user, now=now, lifetime=lifetime,
                                                  idle_timeout=idle, device="bench")
        db.session.commit()
        db.session.remove()
    return tokens


def cookie_for(app: Flask, token: str) -> str:
    value = app.session_interface.get_signing_serializer(app).dumps(
        {"sid": token, "_permanent": True})
    return f"{app.config['SESSION_COOKIE_NAME']}={value}"


def http_session(app: Flask, port: int, token: str) -> tuple[str, str, str | None]:
    """(Cookie header, CSRF token, declared account) for a signed-in device, the way the PWA
    gets them."""
    cookie = cookie_for(app, token)
    status, headers, body = http_load.request(port, "GET", "/api/v1/session",
                                              headers={"Cookie": cookie})
    if status != 200 or not json.loads(body)["signed_in"]:
        raise RuntimeError(f"bench session not accepted ({status})")
    for header in headers.get_all("Set-Cookie") or []:
        if header.startswith(app.config["SESSION_COOKIE_NAME"] + "="):
            cookie = header.split(";", 1)[0]
    session = json.loads(body)
    return cookie, session["csrf_token"], session["account"]


# --- pages -------------------------------------------------------------------------------------

def time_get(client, path: str, samples: int) -> dict:
    client.get(path)  # warm: templates compiled, connections open
    times = []
    status = None
    for _ in range(samples):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        status = response.status_code
        response.close()
    if status != 200:
        return {"status": status}
    return {"p50_ms": round(http_load.percentile(times, 50), 2),
            "p95_ms": round(http_load.percentile(times, 95), 2), "samples": samples}


def chart_paths(spec: dict, patient_id: int) -> dict[str, str | None]:
    """name -> concrete path (None when a path parameter's values cannot be known)."""
    found: dict[str, str | None] = {}
    for path, operations in sorted(spec.get("paths", {}).items()):
        is_cohort = path.startswith("/api/v1/cohort")
        is_chart = re.fullmatch(r"/api/v1/patients/\{[^}]+\}/charts/.*", path)
        if not (is_cohort or is_chart) or "get" not in operations:
            continue
        concrete = [path]
        for parameter in operations["get"].get("parameters", []):
            if parameter.get("in") != "path":
                continue
            name = parameter["name"]
            if "patient" in name or (is_chart and path.index("{" + name) < path.index("/charts")):
                values = [str(patient_id)]
            else:
                values = [str(v) for v in parameter.get("schema", {}).get("enum", [])]
            if not values:
                concrete = []
                break
            concrete = [c.replace("{" + name + "}", v) for c in concrete for v in values]
        if not concrete:
            found[path] = None
        for item in concrete:
            found[item.replace(f"/patients/{patient_id}/", "/patients/{id}/")] = item
    return found


def measure_pages(url: str, seeded, samples: int) -> dict:
    app = bench_app(url)
    clinician = seeded.clinician_ids[0]
    token = session_tokens(app, [clinician])[clinician]
    client = app.test_client()
    with client.session_transaction() as session:
        session["sid"] = token
    pid = seeded.sample_patient_id
    pages = {"triage": "/clinic/", "patient": f"/clinic/patients/{pid}"}
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    figures: dict = {}
    for name, path in pages.items():
        figures[name] = time_get(client, path, samples)
    figures["cohort"] = (time_get(client, "/clinic/cohort", samples)
                         if "/clinic/cohort" in rules else None)
    spec = client.get("/api/v1/openapi.json").get_json()
    charts = {}
    for name, path in chart_paths(spec, pid).items():
        charts[name] = time_get(client, path, samples) if path else None
    figures["charts"] = charts
    with app.app_context():
        db.engine.dispose()
    return figures


# --- jobs --------------------------------------------------------------------------------------

def measure_jobs(url: str, seeded) -> dict:
    """The flag and send jobs in their own process; every active patient has a phone
    subscribed to a real Web Push service on 127.0.0.1, so each send is encrypted, signed,
    posted and decrypted."""
    import subprocess

    from tests import push_service

    service = push_service.start()
    try:
        app = bench_app(url)
        with app.app_context():
            for user_id in seeded.active_user_ids:
                info = service.new_device().subscription(service.base_url)
                db.session.add(PushSubscription(
                    user_id=user_id, endpoint=info["endpoint"], p256dh=info["keys"]["p256dh"],
                    auth=info["keys"]["auth"], created_at=seeded.anchor))
            db.session.commit()
            db.engine.dispose()
        output = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "bench.jobs_probe", url, seeded.anchor.isoformat()],
            capture_output=True, text=True, check=True, cwd=Path(__file__).parent.parent)
        figures = json.loads(output.stdout.strip().splitlines()[-1])
        figures["pushes_received"] = len(service.received)
    finally:
        service.server.shutdown()
    return figures


# --- ingest ------------------------------------------------------------------------------------

def checkin_body(rng: random.Random) -> dict:
    return {"client_id": str(uuid.uuid4()), "taken_at": datetime.now(UTC).isoformat(),
            "mood": rng.randint(3, 9), "note": "",
            "symptoms": [{"code": s.code, "severity": rng.choice((0, 0, 0, 1, 2))}
                         for s in SYMPTOMS if s.code != "other"]}


def measure_ingest(url: str, seeded, *, with_memory: bool) -> dict:
    app = bench_app(url)
    patients = [(p, u) for p, u in zip(seeded.active_patient_ids, seeded.active_user_ids,
                                       strict=True) if p != seeded.sample_patient_id]
    clinician = seeded.clinician_ids[0]
    tokens = session_tokens(app, [u for _, u in patients] + [clinician])
    env = {"DATABASE_URL": url, "SECRET_KEY": SECRET, "AFTERCARE_INSTANCE_PATH": str(BENCH_DIR),
           "RATELIMIT_STORAGE_URI": "memory://", "LOG_LEVEL": "WARNING",
           "BENCH_BASELINE_DATABASE_URL": url}
    figures: dict = {}
    server = http_load.start_gunicorn("app.wsgi:app", env)
    try:
        devices = [http_session(app, server.port, tokens[u]) for _, u in patients]
        rngs = [random.Random(i) for i in range(CLIENTS)]  # noqa: S311  (test data)
        # Every request goes to the next patient of all of them, whichever thread sends it.
        # A thread bound to a few fixed patients (as before) sent all of theirs: once one of
        # them passed the check-in limit (60 a minute per user), its 429s came back at once,
        # that thread sped up and its patients drew more 429s still.
        turn = itertools.count()

        def aftercare(client: int, n: int):
            cookie, csrf, account = devices[next(turn) % len(devices)]
            return ("POST", "/api/v1/checkins", {**checkin_body(rngs[client]), "account": account},
                    {"Cookie": cookie, "X-CSRFToken": csrf})

        result = http_load.load(server.port, aftercare, clients=CLIENTS, seconds=INGEST_SECONDS)
        figures["aftercare"] = _load_figures(result)
        figures["aftercare_wrk"] = wrk_load.load(
            server.port, "/api/v1/checkins",
            [wrk_load.device({"Cookie": cookie, "X-CSRFToken": csrf}, {"account": account})
             for cookie, csrf, account in devices], connections=CLIENTS, seconds=INGEST_SECONDS)
        figures["signed_in_floor_wrk"] = wrk_load.load(
            server.port, "/api/v1/session",
            [wrk_load.device({"Cookie": cookie}, {}) for cookie, _, _ in devices],
            connections=CLIENTS, seconds=INGEST_SECONDS, method="GET")
        if with_memory:
            staff_cookie = http_session(app, server.port, tokens[clinician])[0]
            pages = ["/clinic/", f"/clinic/patients/{seeded.sample_patient_id}", "/clinic/cohort"]
            for _ in range(5):
                for worker in range(http_load.WORKERS * 2):
                    http_load.request(server.port, "GET", pages[worker % len(pages)],
                                      headers={"Cookie": staff_cookie})
            figures["worker_peak_rss_kib"] = max(
                (http_load.peak_rss_kib(pid) for pid in server.worker_pids()), default=0)
    finally:
        server.stop()
    baseline = http_load.start_gunicorn("bench.baseline_app:app", env)
    try:
        bare_turn = itertools.count()

        def bare(client: int, n: int):
            patient_id = patients[next(bare_turn) % len(patients)][0]
            return ("POST", "/checkins", {**checkin_body(rngs[client]), "patient_id": patient_id},
                    {})

        figures["baseline"] = _load_figures(
            http_load.load(baseline.port, bare, clients=CLIENTS, seconds=INGEST_SECONDS))
        figures["baseline_wrk"] = wrk_load.load(
            baseline.port, "/checkins",
            [wrk_load.device({}, {"patient_id": patient_id}) for patient_id, _ in patients],
            connections=CLIENTS, seconds=INGEST_SECONDS)
    finally:
        baseline.stop()
    with app.app_context():
        db.engine.dispose()
    figures.update(ingest_ratio(figures))
    return figures


GENERATORS = {"python": ("aftercare", "baseline"), "wrk": ("aftercare_wrk", "baseline_wrk")}
INGEST_SIDES = ("aftercare", "baseline", "aftercare_wrk", "baseline_wrk", "signed_in_floor_wrk")


def ingest_ratio(figures: dict) -> dict:
    """Aftercare / baseline throughput per generator, and ``ratio`` from the generator that
    got the higher baseline (the one that limits the server least)."""
    out: dict = {}
    best = None
    for name, (ours, bare) in GENERATORS.items():
        if not figures.get(ours) or not figures.get(bare):
            out[f"ratio_{name}"] = None
            continue
        base = figures[bare]["throughput"]
        out[f"ratio_{name}"] = round(figures[ours]["throughput"] / base, 3) if base else None
        if base and (best is None or base > figures[GENERATORS[best][1]]["throughput"]):
            best = name
    out["ratio_generator"] = best
    out["ratio"] = out[f"ratio_{best}"] if best else None
    # What a request that only checks who is signed in gets, against the same baseline: a
    # check-in (which also stores, answers its prompt and runs the submission rules) cannot
    # pass it.
    floor, base = figures.get("signed_in_floor_wrk"), figures.get("baseline_wrk")
    out["floor_ratio"] = (round(floor["throughput"] / base["throughput"], 3)
                          if floor and base and base["throughput"] else None)
    return out


def _load_figures(result: http_load.LoadResult) -> dict:
    return {"throughput": round(result.throughput, 1), "requests": result.requests,
            "errors": result.errors, "refused": {str(k): v for k, v in result.refused.items()},
            "p50_ms": round(result.percentile(50), 2),
            "p99_ms": round(result.percentile(99), 2)}


# --- one database, every size ------------------------------------------------------------------

def run_database(engine: str, sizes: list[str], *, only_ingest: int = 0) -> dict:
    """Every figure of each size; with ``only_ingest`` (a number of runs), the ingest alone,
    that many times on the same database (no pages, plans, jobs or memory):
    ``python -m bench.run --only ingest [--repeat N]``."""
    results: dict = {}
    plan_size = "L" if "L" in sizes else sizes[-1]  # the plans at L, or at the largest size run
    for size in sizes:
        log(f"{engine} {size}: preparing the database")
        if engine == "sqlite":
            prepared = prepare_sqlite(size)
        else:
            prepared = prepare_postgres(os.environ["BENCH_DATABASE_URL"], size)
        seeded = prepared.seeded
        log(f"{engine} {size}: seeded {seeded.counts.get('checkin', 0):,} check-ins, "
            f"{seeded.counts.get('patient', 0):,} patients"
            + (f" in {prepared.seed_seconds:.0f} s" if prepared.seed_seconds else " (cached)"))
        figures: dict = {"seed_seconds": round(prepared.seed_seconds, 1)
                         if prepared.seed_seconds else None,
                         "patients": seeded.counts.get("patient", 0),
                         "checkins": seeded.counts.get("checkin", 0),
                         "active_patients": len(seeded.active_patient_ids)}
        if only_ingest:
            runs = []
            for run in range(1, only_ingest + 1):
                log(f"{engine} {size}: ingest, run {run} of {only_ingest}")
                runs.append(measure_ingest(prepared.url, seeded, with_memory=False))
            figures["ingest_runs"] = runs
            # the run with the median ratio stands for the size (its spread is printed)
            figures["ingest"] = sorted(runs, key=lambda r: r["ratio"] or 0)[len(runs) // 2]
            results[size] = figures
            continue
        log(f"{engine} {size}: pages")
        figures["pages"] = measure_pages(prepared.url, seeded, PAGE_SAMPLES)
        if size == plan_size:
            log(f"{engine} {size}: cohort query plans")
            figures["cohort_plans"] = cohort_plans.measure(prepared.url, seeded.anchor)
        log(f"{engine} {size}: jobs")
        figures["jobs"] = measure_jobs(prepared.url, seeded)
        log(f"{engine} {size}: ingest")
        figures["ingest"] = measure_ingest(prepared.url, seeded,
                                           with_memory=size == sizes[-1])
        results[size] = figures
    return results


# --- report ------------------------------------------------------------------------------------

def flatten(engine: str, results: dict) -> dict:
    """Figures keyed like ``sqlite.L.triage_p95_ms``, plus ratios and target checks."""
    flat: dict = {}
    for size, figures in results.items():
        prefix = f"{engine}.{size}."
        for key in ("patients", "checkins", "active_patients", "seed_seconds"):
            flat[prefix + key] = figures[key]
        pages = figures["pages"]
        named = {"triage": pages["triage"], "patient": pages["patient"],
                 "cohort": pages["cohort"],
                 **{f"chart:{k}": v for k, v in pages["charts"].items()}}
        for name, timing in named.items():
            for stat in ("p50_ms", "p95_ms"):
                flat[f"{prefix}page.{name}.{stat}"] = (timing or {}).get(stat)
        for job in ("evaluate_flags", "evaluate_flags_again", "send_notifications"):
            flat[f"{prefix}job.{job}.seconds"] = round(figures["jobs"][job]["seconds"], 3)
            flat[f"{prefix}job.{job}.summary"] = figures["jobs"][job]["summary"]
        flat[f"{prefix}jobs_peak_rss_mib"] = round(figures["jobs"]["peak_rss_kib"] / 1024, 1)
        flat[f"{prefix}pushes_received"] = figures["jobs"]["pushes_received"]
        ingest = figures["ingest"]
        for side in INGEST_SIDES:
            for stat, value in (ingest.get(side) or {}).items():
                flat[f"{prefix}ingest.{side}.{stat}"] = value
        flat[f"{prefix}ingest_ratio"] = ingest["ratio"]
        for name, plan in figures.get("cohort_plans", {}).items():
            flat[f"{prefix}cohort_plan.{name}"] = plan["verdict"]
        for name in GENERATORS:
            flat[f"{prefix}ingest_ratio_{name}"] = ingest.get(f"ratio_{name}")
        flat[f"{prefix}ingest_ratio_generator"] = ingest.get("ratio_generator")
        flat[f"{prefix}ingest_floor_ratio"] = ingest.get("floor_ratio")
        if "worker_peak_rss_kib" in ingest:
            flat[f"{prefix}web_worker_peak_rss_mib"] = round(ingest["worker_peak_rss_kib"] / 1024,
                                                             1)
    if "S" in results and "L" in results:
        keys = [k[len(f"{engine}.L."):] for k in flat if k.startswith(f"{engine}.L.")
                and (k.endswith(".p95_ms") or (k.startswith(f"{engine}.L.job.")
                                               and k.endswith(".seconds")))]
        for key in keys:
            small, large = flat.get(f"{engine}.S.{key}"), flat.get(f"{engine}.L.{key}")
            flat[f"{engine}.ratio_L_S.{key}"] = (round(large / small, 2)
                                                 if small and large is not None else None)
    return flat


def checks(flat: dict, page_bytes: dict) -> list[tuple[str, object, str, bool | None]]:
    """(what, figure, target, met) for every target the issue sets."""
    rows = []
    for key, value in flat.items():
        if "." not in key:
            continue
        engine, rest = key.split(".", 1)
        if rest.endswith("ingest_ratio"):
            rows.append((key, value, ">= 0.5", None if value is None else value >= 0.5))
        if rest == "L.page.triage.p95_ms":
            rows.append((key, value, "<= 100 ms", None if value is None else value <= 100))
        if rest == "L.page.cohort.p95_ms" and engine == "postgresql":
            rows.append((key, value, "<= 300 ms", None if value is None else value <= 300))
        if rest.startswith("ratio_L_S."):
            rows.append((key, value, "<= 1.5", None if value is None else value <= 1.5))
        if ".cohort_plan." in key:
            rows.append((key, value, "OK", value == "OK"))
        if key == "checkin_cost.ratio_500_5":
            rows.append((key, value, "<= 1.2", None if value is None else value <= 1.2))
    for name, size in page_bytes.items():
        rows.append((name, size, "<= 60 KB", size <= 60 * 1024))
    return rows


def fmt(value) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def print_table(engine: str, results: dict) -> None:
    sizes = list(results)
    print(f"\n== {engine} ==")
    header = f"{'figure':<46}" + "".join(f"{s:>14}" for s in sizes)
    has_ratio = "S" in results and "L" in results
    print(header + (f"{'L/S':>8}" if has_ratio else ""))

    def line(label: str, getter) -> None:
        values = [getter(results[s]) for s in sizes]
        ratio = ""
        if has_ratio:
            small, large = getter(results["S"]), getter(results["L"])
            ratio = (f"{large / small:>8.2f}" if isinstance(small, (int, float)) and small
                     and isinstance(large, (int, float)) else f"{'':>8}")
        print(f"{label:<46}" + "".join(f"{fmt(v):>14}" for v in values) + ratio)

    line("patients", lambda r: r["patients"])
    line("check-ins", lambda r: r["checkins"])
    line("active patients (last 14 days)", lambda r: r["active_patients"])
    line("seed seconds (blank: cached)", lambda r: r["seed_seconds"])
    charts = sorted({name for r in results.values() for name in r["pages"]["charts"]})
    for page in ["triage", "patient", "cohort", *[f"chart {c}" for c in charts]]:
        for stat in ("p50_ms", "p95_ms"):
            def get(r, page=page, stat=stat):
                timing = (r["pages"]["charts"].get(page[6:]) if page.startswith("chart ")
                          else r["pages"][page])
                return (timing or {}).get(stat)
            line(f"page {page} {stat.replace('_ms', '')} ms", get)
    for job in ("evaluate_flags", "evaluate_flags_again", "send_notifications"):
        line(f"job {job} s", lambda r, job=job: round(r["jobs"][job]["seconds"], 3))
    line("jobs process peak RSS MiB", lambda r: round(r["jobs"]["peak_rss_kib"] / 1024, 1))
    for side in INGEST_SIDES:
        def stat(r, name, side=side):
            return (r["ingest"].get(side) or {}).get(name)
        line(f"ingest {side} req/s", lambda r, stat=stat: stat(r, "throughput"))
        line(f"ingest {side} p50 ms", lambda r, stat=stat: stat(r, "p50_ms"))
        line(f"ingest {side} p99 ms", lambda r, stat=stat: stat(r, "p99_ms"))
        line(f"ingest {side} not 2xx (not counted)", lambda r, stat=stat: stat(r, "errors"))
    if not any(r["ingest"].get("baseline_wrk") for r in results.values()):
        print(f"  {wrk_load.INSTALL_HINT}" if not wrk_load.available()
              else "  (no wrk figures in these results)")
    for size, figures in results.items():
        for side in INGEST_SIDES:
            for status, count in (figures["ingest"].get(side) or {}).get("refused", {}).items():
                print(f"  {size} ingest {side}: {count} answers with status {status}"
                      + (" (no answer: timeout or dropped connection)" if status == "0" else ""))
    for name in GENERATORS:
        line(f"ingest_ratio with {name}", lambda r, name=name: r["ingest"].get(f"ratio_{name}"))
    line("ingest_ratio (generator: higher baseline)", lambda r: r["ingest"]["ratio"])
    line("  generator used", lambda r: r["ingest"].get("ratio_generator"))
    line("signed-in floor / baseline (wrk)", lambda r: r["ingest"].get("floor_ratio"))
    line("web worker peak RSS MiB",
         lambda r: round(r["ingest"]["worker_peak_rss_kib"] / 1024, 1)
         if "worker_peak_rss_kib" in r["ingest"] else None)


def refused_requests(all_results: dict) -> list[str]:
    """One line per ingest run that had an answer other than 2xx: the run must fail."""
    return [f"{engine}.{size}.ingest.{side}: {figures['ingest'][side]['refused']}"
            for engine, results in all_results.items() for size, figures in results.items()
            for side in INGEST_SIDES if (figures["ingest"].get(side) or {}).get("refused")]


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               "unknown CPU")
    memory = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal:")), 0)
    return f"{os.cpu_count()} cores ({cpu}), {memory / 1024 / 1024:.0f} GiB RAM, Python " \
           f"{sys.version.split()[0]}"


def print_ingest_runs(engine: str, results: dict) -> None:
    """``--only ingest``: each run's throughputs and ratios, and the spread of the ratio."""
    print(f"\n== {engine}: ingest only ==")
    print(f"{'size run':<10}" + "".join(f"{side + ' req/s':>21}" for side in INGEST_SIDES)
          + "".join(f"{'ratio ' + name:>14}" for name in GENERATORS) + f"{'ratio':>8}"
          + f"{'floor':>8}")
    for size, figures in results.items():
        runs = figures["ingest_runs"]
        for number, run in enumerate(runs, 1):
            print(f"{size + ' ' + str(number):<10}"
                  + "".join(f"{fmt((run.get(side) or {}).get('throughput')):>21}"
                            for side in INGEST_SIDES)
                  + "".join(f"{fmt(run.get('ratio_' + name)):>14}" for name in GENERATORS)
                  + f"{fmt(run['ratio']):>8}" + f"{fmt(run.get('floor_ratio')):>8}")
        ratios = sorted(r["ratio"] for r in runs if r["ratio"] is not None)
        if ratios:
            print(f"{size}: ingest_ratio median {fmt(ratios[len(ratios) // 2])}, "
                  f"min {fmt(ratios[0])}, max {fmt(ratios[-1])} over {len(ratios)} runs")


def ingest_only(engines: list[str], sizes: list[str], repeat: int) -> int:
    started = time.perf_counter()
    all_results = {engine: run_database(engine, sizes, only_ingest=repeat) for engine in engines}
    flat: dict = {"machine": machine(), "sizes": sizes, "clients": CLIENTS, "only": "ingest"}
    for engine, results in all_results.items():
        print_ingest_runs(engine, results)
        for size, figures in results.items():
            for number, run in enumerate(figures["ingest_runs"], 1):
                for side in INGEST_SIDES:
                    flat[f"{engine}.{size}.run{number}.{side}.throughput"] = (
                        run.get(side) or {}).get("throughput")
                flat[f"{engine}.{size}.run{number}.ingest_ratio"] = run["ratio"]
                flat[f"{engine}.{size}.run{number}.floor_ratio"] = run.get("floor_ratio")
            flat[f"{engine}.{size}.ingest_ratio"] = figures["ingest"]["ratio"]
    flat["bench_seconds"] = round(time.perf_counter() - started, 1)
    refused = refused_requests({engine: {size: {"ingest": run} for size, figures in
                                         results.items()
                                         for run in figures["ingest_runs"]}
                                for engine, results in all_results.items()})
    flat["refused"] = refused
    for line in refused:
        print(f"BENCH FAILED: requests were refused, the ingest figures do not hold: {line}")
    print(json.dumps(flat))
    return 1 if refused else 0


def arguments(argv: list[str]):
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split(
        "\n", 1)[0])
    parser.add_argument("--only", choices=["ingest"],
                        help="run only this part (the ingest runs of each database and size)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="with --only ingest: runs on the same database (default 1)")
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], action="append",
                        help="only this database (repeatable; default: SQLite, and PostgreSQL "
                             "when BENCH_DATABASE_URL is set)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = arguments(sys.argv[1:] if argv is None else argv)
    sizes = list(iter_sizes(os.environ.get("BENCH_SIZES", "S,L")))
    started = time.perf_counter()
    engines = args.engine or (
        ["sqlite"] + (["postgresql"] if os.environ.get("BENCH_DATABASE_URL") else []))
    if "postgresql" in engines and not os.environ.get("BENCH_DATABASE_URL"):
        raise SystemExit("--engine postgresql needs BENCH_DATABASE_URL")
    if not wrk_load.available():
        log(wrk_load.INSTALL_HINT)
    if args.only == "ingest":
        return ingest_only(engines, sizes, max(1, args.repeat))
    all_results = {engine: run_database(engine, sizes) for engine in engines}
    log("page weight")
    from bench import page_weight

    weights = page_weight.measure()
    log("one check-in in process, 5 and 500 check-ins in the series")
    from bench import checkin_cost

    cost = checkin_cost.measure()
    log("push delivery: 1,000 pushes with 10% to a silent push service; a kill -9 mid-send")
    from bench import push_delivery

    delivery = push_delivery.measure()
    log("the send job over 1,000 due messages: push, texts and email")
    from bench import channel_delivery

    channels = channel_delivery.measure()["send_1000_three_channels"]
    flat: dict = {"machine": machine(), "sizes": sizes, "clients": CLIENTS,
                  "gunicorn": f"gthread, {http_load.WORKERS} workers x {http_load.THREADS} "
                              "threads"}
    for engine, results in all_results.items():
        print_table(engine, results)
        for size, figures in results.items():
            if "cohort_plans" in figures:
                cohort_plans.print_plans(engine, size, figures["cohort_plans"])
        flat.update(flatten(engine, results))
    flat.update(weights)
    hostile, takeover = delivery["send_1000_hostile_10pct"], delivery["takeover_after_kill"]
    print("\n== push delivery (SQLite) ==")
    print(f"{'send run, 1,000 due, 10% never answered, s':<46}{fmt(hostile['seconds']):>14}"
          f"  {hostile['summary']}")
    print(f"{'kill -9 to last claimed message resent, s':<46}{fmt(takeover['seconds']):>14}"
          f"  ({takeover['claimed']} in flight)")
    flat["push.send_1000_hostile_10pct.seconds"] = hostile["seconds"]
    flat["push.send_1000_hostile_10pct.summary"] = hostile["summary"]
    flat["push.takeover_after_kill.seconds"] = takeover["seconds"]
    print(f"{'send run, 1,000 due over push, text and email, s':<46}"
          f"{fmt(channels['seconds']):>14}  {channels['summary']} received {channels['received']}")
    flat["channels.send_1000_three_channels.seconds"] = channels["seconds"]
    flat["channels.send_1000_three_channels.summary"] = channels["summary"]
    flat["channels.send_1000_three_channels.received"] = channels["received"]
    print("\n== one check-in in process (SQLite, test client) ==")
    for history in checkin_cost.HISTORIES:
        label = f"check-in ms, {history} in the series (median)"
        print(f"{label:<46}{fmt(cost[str(history)]):>14}")
        flat[f"checkin_cost.{history}.ms"] = cost[str(history)]
    print(f"{'ratio 500 / 5':<46}{fmt(cost['ratio']):>14}")
    flat["checkin_cost.ratio_500_5"] = cost["ratio"]
    print("\n== targets ==")
    rows = checks(flat, weights)
    for what, value, target, met in rows:
        verdict = "n/a" if met is None else ("pass" if met else "MISS")
        print(f"{what:<64}{fmt(value):>12}  {target:<10} {verdict}")
    flat["targets_met"] = all(met for *_, met in rows if met is not None)
    flat["targets_missed"] = [what for what, _, _, met in rows if met is False]
    flat["bench_seconds"] = round(time.perf_counter() - started, 1)
    print(f"\nmachine: {flat['machine']}; {flat['bench_seconds']:.0f} s in all")
    refused = refused_requests(all_results)
    flat["refused"] = refused
    for line in refused:
        print(f"BENCH FAILED: requests were refused, the ingest figures do not hold: {line}")
        print(f"BENCH FAILED: requests were refused: {line}", file=sys.stderr)
    print(json.dumps(flat))
    return 1 if refused else 0


if __name__ == "__main__":
    sys.exit(main())
