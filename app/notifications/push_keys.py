"""The web process's view of the VAPID keys (the jobs process creates them when missing)."""

from pathlib import Path

from flask import Flask

from app.notifications.webpush import WebPushSender, application_server_key, load_vapid


def _vapid(app: Flask):
    """Loaded once per process; None while no key file exists yet."""
    cached = app.extensions.get("vapid")
    if cached is None:
        cached = load_vapid(Path(app.config["VAPID_PRIVATE_KEY_PATH"]))
        if cached is not None:
            app.extensions["vapid"] = cached
    return cached


def public_key(app: Flask) -> str | None:
    vapid = _vapid(app)
    return application_server_key(vapid) if vapid else None


def sender(app: Flask) -> WebPushSender | None:
    vapid = _vapid(app)
    if vapid is None:
        return None
    return WebPushSender(vapid, subject=app.config["VAPID_SUBJECT"],
                         ttl_seconds=app.config["PUSH_TTL_SECONDS"],
                         timeout_seconds=app.config["PUSH_TIMEOUT_SECONDS"])
