from app.dbtypes import UTCDateTime
from app.extensions import db


class JobRun(db.Model):
    """One row per job: when it last ran, succeeded and failed. No health data, ever: the
    error is an exception class name, never its message (messages can quote row values)."""

    __tablename__ = "job_run"

    name = db.Column(db.String(32), primary_key=True)
    last_started_at = db.Column(UTCDateTime, nullable=True)
    last_success_at = db.Column(UTCDateTime, nullable=True)
    last_failure_at = db.Column(UTCDateTime, nullable=True)
    last_error = db.Column(db.String(80), nullable=False, default="")
    failures = db.Column(db.Integer, nullable=False, default=0)  # in a row, since a success
