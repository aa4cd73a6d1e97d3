"""Error pages for people and JSON errors for the API; never a stack trace."""

import time
from datetime import UTC, datetime

from flask import Flask, g, render_template
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from marshmallow import ValidationError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from app.api.errors import error_response, http_error, is_api_request, validation_error
from app.extensions import db, limiter, login_manager


def register(app: Flask) -> None:
    app.register_error_handler(ValidationError, validation_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(OperationalError, _database_unavailable)
    # Flask hands unhandled exceptions here (and lets them propagate while testing).
    app.register_error_handler(InternalServerError, _unexpected)


def _page(code: int, title: str, message: str):
    return render_template("errors/error.html", code=code, title=title, message=message), code


def _http_error(error: HTTPException):
    if is_api_request():
        return http_error(error)
    if error.code == 429:
        return _page(429, "Please wait a moment", _try_again_sentence())
    return _page(error.code or 500, error.name, error.description or "")


def _try_again_sentence() -> str:
    """When the limit that was reached lets this person in again, in a sentence."""
    from app.templating import local_time  # it imports the auth package, which needs errors

    limit = limiter.current_limit
    wait = max(1, int(limit.reset_at - time.time())) if limit else 60
    minutes = max(1, round(wait / 60))
    at = local_time(datetime.fromtimestamp(time.time() + wait, UTC), "%H:%M")
    when = "in about a minute" if minutes == 1 else f"in about {minutes} minutes"
    return (f"That was a lot of tries in a short time, so Aftercare is pausing them. Please "
            f"try again {when}, at {at}. Nothing you already sent was lost.")


def _csrf_error(error: CSRFError):
    message = "The form expired or came from elsewhere. Go back, reload the page and try again."
    if is_api_request():
        if not current_user.is_authenticated:
            # No session at all: the token cannot be right, and signing in is what is missing.
            return error_response(401, "Sign in first.")
        return error_response(400, "Missing or invalid CSRF token (send it in X-CSRFToken).")
    return _page(400, "Please try again", message)


def _database_unavailable(error: OperationalError):
    db.session.rollback()
    # Render as a guest: asking who is signed in needs the database that just failed (the
    # page would become a 500; found by tests/faults/test_database_down.py).
    g._login_user = login_manager.anonymous_user()
    headers = {"Retry-After": "30"}
    if is_api_request():
        return error_response(503, "The service is briefly unavailable; try again soon.",
                              headers=headers)
    body, code = _page(503, ServiceUnavailable.name, "Aftercare is briefly unavailable. "
                       "Please try again in a minute.")
    return body, code, headers


def _unexpected(error: InternalServerError):
    db.session.rollback()
    if is_api_request():
        return error_response(500, "Something went wrong on our side.")
    return _page(500, InternalServerError.name, "Something went wrong on our side.")
