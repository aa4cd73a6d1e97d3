"""A sign-in waiting for its second factor: kept in the signed session cookie for a few
minutes. Nobody is signed in until the second step succeeds (no AuthSession row exists)."""

from flask import current_app, session
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db

PENDING_KEY = "second_factor_pending"


def start(user: User, *, now, next_url: str | None) -> None:
    session.clear()
    session[PENDING_KEY] = {"user": user.id, "at": int(now.timestamp()), "next": next_url}


def pending_user(*, now) -> User | None:
    """The person who gave the right password a moment ago on this browser, else None."""
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    lifetime = current_app.config["SECOND_FACTOR_PENDING_LIFETIME"]
    if int(now.timestamp()) - int(pending.get("at", 0)) > lifetime.total_seconds():
        session.pop(PENDING_KEY, None)
        return None
    user = db.session.scalar(select(User).where(User.id == pending.get("user")))
    return user if user is not None and user.is_active else None


def pending_next() -> str | None:
    return (session.get(PENDING_KEY) or {}).get("next")


def limit_key() -> str:
    """Wrong codes count per pending account, whichever address sends them."""
    return f"second-factor:{(session.get(PENDING_KEY) or {}).get('user', '')}"
