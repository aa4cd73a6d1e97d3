"""One-time setup links: how a new patient or staff member (or one who forgot) sets a password.

The URL token is spent when the link is opened; finishing needs a secret that only the opening
browser holds. Services flush, never commit.
"""

from datetime import datetime, timedelta

from sqlalchemy import select, update

from app.auth.models import SetupLink, User
from app.auth.services import end_sessions, hash_password, new_token, token_hash
from app.extensions import db


def issue_setup_link(user: User, *, by: User | None, now: datetime,
                     lifetime: timedelta) -> str:
    """A new single-use setup link for the user; any earlier unused link stops working."""
    db.session.execute(
        update(SetupLink)
        .where(SetupLink.user_id == user.id, SetupLink.used_at.is_(None),
               SetupLink.expires_at > now)
        .values(expires_at=now)
    )
    token, hashed = new_token()
    db.session.add(SetupLink(user=user, token_hash=hashed, created_by_id=by.id if by else None,
                             created_at=now, expires_at=now + lifetime))
    db.session.flush()
    return token


def usable_setup_link(token: str, *, now: datetime) -> SetupLink | None:
    """The link of this URL token if it can still be opened (never opened, unused, unexpired,
    its person active)."""
    link = db.session.scalar(select(SetupLink).where(SetupLink.token_hash == token_hash(token)))
    if link is None or link.opened_at is not None or not _link_usable(link, now):
        return None
    return link


def _link_usable(link: SetupLink, now: datetime) -> bool:
    return link.used_at is None and now < link.expires_at and link.user.is_active


def open_setup_link(token: str, *, now: datetime, session_lifetime: timedelta) -> str | None:
    """Spend the URL token on a setup session; return the session's secret (for the opening
    browser's cookie only), or None if the link cannot be opened (again).

    The URL token is what access logs, proxies and browser history keep: once opened it never
    works again, and finishing setup needs the secret, which appears in no URL. The conditional
    UPDATE makes two simultaneous openings give one session, on SQLite and PostgreSQL alike.
    """
    link = usable_setup_link(token, now=now)
    if link is None:
        return None
    secret, hashed = new_token()
    opened = db.session.execute(
        update(SetupLink)
        .where(SetupLink.id == link.id, SetupLink.opened_at.is_(None),
               SetupLink.used_at.is_(None))
        .values(opened_at=now, session_hash=hashed,
                expires_at=min(link.expires_at, now + session_lifetime))
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(link)
    return secret if opened == 1 else None


def setup_session_link(secret: str, *, now: datetime) -> SetupLink | None:
    """The opened, still usable link whose setup session this secret is."""
    if not secret:
        return None
    link = db.session.scalar(select(SetupLink).where(SetupLink.session_hash == token_hash(secret)))
    if link is None or not _link_usable(link, now):
        return None
    return link


def complete_setup(link: SetupLink, password: str, *, now: datetime) -> User | None:
    """Use the link: set the password and end every existing session of that person.

    None if the link was used meanwhile: the conditional UPDATE lets exactly one of two
    simultaneous requests through (the other waits for the row on PostgreSQL, or for the
    write lock on SQLite, then finds it used).
    """
    used = db.session.execute(
        update(SetupLink).where(SetupLink.id == link.id, SetupLink.used_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(link)
    if used != 1:
        return None
    user = link.user
    user.password_hash = hash_password(password)
    end_sessions(user, now=now)
    return user


def setup_url(token: str) -> str:
    """The full address of a setup link, as the person's phone or browser will open it."""
    from flask import current_app, url_for

    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for("auth.setup_link",
                                                                       token=token)
