"""The jobs process on SQLite (`make run`): its first runs, all due at once, never lock each
other out. SQLite has one writer at a time; jobs running side by side failed their units with
"database is locked" on the demo data."""

import threading
import time
from datetime import UTC, datetime

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.jobruns.models import JobRun
from app.notifications.webpush import ensure_vapid_key
from app.seed.demo import seed
from jobs.__main__ import build_scheduler
from jobs.schedule import JOBS


def test_the_first_runs_on_the_demo_data_leave_no_unit_failed(tmp_path):
    app = create_app({"SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'demo.db'}",
                      "VAPID_PRIVATE_KEY_PATH": str(tmp_path / "vapid.pem")})
    with app.app_context():
        db.create_all()
        seed(datetime.now(UTC))
        db.session.commit()
    ensure_vapid_key(tmp_path / "vapid.pem")
    scheduler = build_scheduler(app)
    finished: set[str] = set()
    scheduler.add_listener(lambda event: finished.add(event.job_id),
                           EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    thread = threading.Thread(target=scheduler.start, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while finished != {job.name for job in JOBS} and time.monotonic() < deadline:
        time.sleep(0.2)
    scheduler.shutdown(wait=True)
    thread.join(10)

    with app.app_context():
        runs = db.session.scalars(select(JobRun)).all()
        assert {r.name for r in runs} == {job.name for job in JOBS}
        assert [(r.name, r.last_error) for r in runs if r.last_failure_at is not None] == []
        db.engine.dispose()
