"""The OpenAPI document, the session endpoint the PWA uses for CSRF tokens, /healthz and
/healthz/jobs."""

from flask import Blueprint, current_app, jsonify
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.api import schemas
from app.api.openapi import build_spec, documented
from app.auth.access import device_account, signed_out_here
from app.clock import utcnow
from app.extensions import db
from app.jobruns.services import scheduled_job_health

bp = Blueprint("api", __name__, url_prefix="/api/v1")
health_bp = Blueprint("health", __name__)


@bp.get("/openapi.json")
def openapi():
    return jsonify(build_spec(current_app))


@bp.get("/session")
@documented(summary="A CSRF token for JSON writes, and who is signed in",
            responses={200: (schemas.SessionInfo, "Session")}, tags=["session"])
def session_info():
    signed_in = current_user.is_authenticated
    return jsonify(schemas.SessionInfo().dump({
        "csrf_token": generate_csrf(),
        "signed_in": signed_in,
        "role": current_user.role.value if signed_in else None,
        "account": device_account(),
        "signed_out": signed_out_here(),
    }))


@health_bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify({"status": "unavailable", "database": "unavailable"}), 503
    return jsonify({"status": "ok", "database": "ok"})


@health_bp.get("/healthz/jobs")
def healthz_jobs():
    """503 when a scheduled job has not succeeded within three of its intervals, for a load
    balancer or monitor. Job names and times only: no health data."""
    try:
        health = scheduled_job_health(utcnow())
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify({"status": "unavailable", "database": "unavailable"}), 503
    stale = any(job.stale for job in health)
    return jsonify({"status": "stale" if stale else "ok", "jobs": [
        {"name": job.name, "state": job.state, "every_seconds": job.every_seconds,
         "last_success_at": _iso(job.last_success_at),
         "last_failure_at": _iso(job.last_failure_at), "last_error": job.last_error or None}
        for job in health]}), 503 if stale else 200


def _iso(moment):
    return moment.isoformat() if moment else None
