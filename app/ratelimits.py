"""The rate limits shared by several views: which setting, and whose counter.

Limits come from the app's settings (``LOGIN_RATE_LIMIT``, ``SETUP_RATE_LIMIT``,
``CHECKIN_RATE_LIMIT``, ``PUSH_SUBSCRIPTION_RATE_LIMIT``) and count in
``RATELIMIT_STORAGE_URI``: memory for one process, Redis when several web servers must share
the counters.
"""


from flask import current_app
from flask_limiter.util import get_remote_address
from flask_login import current_user

from app.extensions import limiter


def _setting(name: str):
    return lambda: current_app.config[name]


def per_user() -> str:
    """Signed-in writes count per person, not per address (a clinic's Wi-Fi is one address)."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return get_remote_address()


setup_limit = limiter.limit(_setting("SETUP_RATE_LIMIT"))
# One counter per signed-in patient ("checkin-writes" + "user:<id>"), for check-ins and PHQ-9s,
# whether sent by the form or by the API: CHECKIN_RATE_LIMIT (60 a minute) is per person, so a
# load test must spread its requests over many patients (bench/run.py sends round-robin).
checkin_limit = limiter.shared_limit(_setting("CHECKIN_RATE_LIMIT"), scope="checkin-writes",
                                     key_func=per_user, methods=["POST"])
subscription_limit = limiter.limit(_setting("PUSH_SUBSCRIPTION_RATE_LIMIT"), key_func=per_user,
                                   methods=["POST"])
