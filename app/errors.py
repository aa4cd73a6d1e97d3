"""Error pages for people and JSON errors for the API; never a stack trace."""

import time
from datetime import UTC, datetime

from flask import Flask, g, render_template
from flask_babel import gettext
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from marshmallow import ValidationError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from app.api.errors import error_response, http_error, is_api_request, validation_error
from app.extensions import db, limiter, login_manager
from app.i18n import N_

# werkzeug's own words for the pages people meet, marked so the catalog has them; the error
# page translates title and message when it is drawn (app/templates/errors/error.html).
WERKZEUG_WORDS = (
    N_("Not Found"),
    N_("The requested URL was not found on the server. If you entered the URL manually please "
       "check your spelling and try again."),
    N_("Internal Server Error"), N_("Service Unavailable"), N_("Bad Request"), N_("Forbidden"),
    N_("Method Not Allowed"),
)


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
        return _page(429, N_("Please wait a moment"), _try_again_sentence())
    return _page(error.code or 500, error.name, error.description or "")


def _try_again_sentence() -> str:
    """When the limit that was reached lets this person in again, in a sentence."""
    from app.templating import local_time  # it imports the auth package, which needs errors

    limit = limiter.current_limit
    wait = max(1, int(limit.reset_at - time.time())) if limit else 60
    minutes = max(1, round(wait / 60))
    at = local_time(datetime.fromtimestamp(time.time() + wait, UTC), "%H:%M")
    sentence = gettext("That was a lot of tries in a short time, so Aftercare is pausing them. "
                       "Please try again in about a minute, at %(at)s. Nothing you already "
                       "sent was lost.", at=at) if minutes == 1 else gettext(
        "That was a lot of tries in a short time, so Aftercare is pausing them. Please try "
        "again in about %(minutes)s minutes, at %(at)s. Nothing you already sent was lost.",
        minutes=minutes, at=at)
    return sentence


def _csrf_error(error: CSRFError):
    message = N_("The form expired or came from elsewhere. Go back, reload the page and try "
                 "again.")
    if is_api_request():
        if not current_user.is_authenticated:
            # No session at all: the token cannot be right, and signing in is what is missing.
            return error_response(401, "Sign in first.")
        return error_response(400, "Missing or invalid CSRF token (send it in X-CSRFToken).")
    return _page(400, N_("Please try again"), message)


def _database_unavailable(error: OperationalError):
    db.session.rollback()
    # Render as a guest: asking who is signed in needs the database that just failed (the
    # page would become a 500; found by tests/faults/test_database_down.py).
    g._login_user = login_manager.anonymous_user()
    headers = {"Retry-After": "30"}
    if is_api_request():
        return error_response(503, "The service is briefly unavailable; try again soon.",
                              headers=headers)
    body, code = _page(503, ServiceUnavailable.name, N_("Aftercare is briefly unavailable. "
                                                         "Please try again in a minute."))
    return body, code, headers


def _unexpected(error: InternalServerError):
    db.session.rollback()
    if is_api_request():
        return error_response(500, "Something went wrong on our side.")
    return _page(500, InternalServerError.name, N_("Something went wrong on our side."))
