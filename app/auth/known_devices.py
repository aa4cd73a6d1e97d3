"""Devices an account has signed in on, remembered in a signed cookie, for the sign-in limits.

A stranger who guesses a clinician's password from anywhere must be slowed down, but must not
lock the clinician out of their own devices (during a safety escalation, say). So a device
where an account signed in successfully before carries a cookie naming that account (as an
HMAC of its email, never the email itself); sign-in attempts for that account from that
device count against the device alone, not against the client address or the email. The
cookie is signed with the app's secret key, so it cannot be made up: only signing in to the
account gives it. It holds no session and signs nobody in.
"""

import hashlib
import hmac
import secrets

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeSerializer

COOKIE = "aftercare_device"
MAX_ACCOUNTS = 5  # a shared family tablet; the oldest account is forgotten first
MAX_AGE_SECONDS = 400 * 24 * 3600  # browsers cap cookie lifetimes at 400 days


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="aftercare-known-device")


def account_digest(email: str) -> str:
    """A keyed digest of the normalised email: names the account without revealing it."""
    key = hashlib.sha256(b"aftercare-login-key:" + current_app.secret_key.encode()).digest()
    return hmac.new(key, email.strip().lower().encode(), hashlib.sha256).hexdigest()[:32]


def _read() -> dict:
    try:
        value = _serializer().loads(request.cookies.get(COOKIE, ""))
    except BadSignature:
        return {}
    if not isinstance(value, dict) or not isinstance(value.get("d"), str) \
            or not isinstance(value.get("a"), list):
        return {}
    return value


def known_device_for(email: str) -> str | None:
    """This device's id if the account with this email signed in on it before, else None."""
    device = _read()
    if device and account_digest(email) in device["a"]:
        return device["d"]
    return None


def remember(response, email: str):
    """Add the account to this device's cookie (after a successful sign-in or setup)."""
    device = _read() or {"d": secrets.token_urlsafe(16), "a": []}
    digest = account_digest(email)
    accounts = [a for a in device["a"] if a != digest][-(MAX_ACCOUNTS - 1):] + [digest]
    response.set_cookie(
        COOKIE, _serializer().dumps({"d": device["d"], "a": accounts}), max_age=MAX_AGE_SECONDS,
        httponly=True, samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response
