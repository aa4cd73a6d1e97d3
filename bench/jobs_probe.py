"""One jobs process, run once: times the flag job and the prompt-send job as of ``now``.

``python -m bench.jobs_probe <database url> <now ISO-8601>`` prints one JSON line with the
seconds each job took, their summaries and the process's peak resident memory. It is a
process of its own so its memory is that of a jobs process, not of the benchmark.
"""

import json
import os
import statistics
import sys
import time
from datetime import datetime

from app.notifications.webpush import ensure_vapid_key
from bench.databases import BENCH_DIR, bench_app
from bench.http_load import peak_rss_kib
from jobs.runner import run_job
from jobs.schedule import JOBS

# (figure, job, runs): the flag job's first run catches up on the seeded history (opens its
# flags); its later runs are the steady state of a job that runs every ten minutes. The send
# job claims up to 50 pushes a run. Figures with several runs are their median.
MEASURED = (("evaluate_flags", "evaluate_flags", 1), ("evaluate_flags_again", "evaluate_flags", 3),
            ("send_notifications", "send_notifications", 3))


def main(url: str, now_text: str) -> dict:
    key = BENCH_DIR / "vapid_private.pem"  # a throwaway key for the benchmark
    ensure_vapid_key(key)
    # The push service runs on http://127.0.0.1: allowed here as in the test suite (the
    # endpoint check runs again at send time).
    app = bench_app(url, VAPID_PRIVATE_KEY_PATH=str(key), PUSH_ENDPOINT_HOSTS=("127.0.0.1",),
                    PUSH_ALLOW_HTTP=True)
    now = datetime.fromisoformat(now_text)
    jobs = {job.name: job for job in JOBS}
    figures: dict = {}
    for name, job, runs in MEASURED:
        times, summaries = [], []
        for _ in range(runs):
            started = time.perf_counter()
            summaries.append(run_job(app, jobs[job], now))
            times.append(time.perf_counter() - started)
        figures[name] = {"seconds": statistics.median(times), "runs": runs,
                         "summary": summaries[0]}
    figures["peak_rss_kib"] = peak_rss_kib(os.getpid())
    return figures


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2])))
