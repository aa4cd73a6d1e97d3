"""Passwords and signed-in device sessions (setup links: ``setup_links``). Services flush,
never commit."""

import functools
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import bindparam, delete, or_, select, update
from sqlalchemy.orm import joinedload

from app.auth.models import AuthSession, Role, User
from app.extensions import db
from app.i18n import N_
from app.notifications.models import PushSubscription

# last_seen_at is written at most this often, so reading pages does not write on every request.
TOUCH_INTERVAL = timedelta(seconds=60)


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def _hasher() -> PasswordHasher:
    """Argon2id at the cost ``PASSWORD_HASH_PARAMETERS`` sets (default: argon2-cffi's RFC 9106
    low-memory profile; only the test suite lowers it, to keep its hundreds of sign-ins fast)."""
    return _hashing(_parameters())[0]


def _dummy_hash() -> str:
    """Verified against when the email is unknown, so a miss costs as long as a wrong
    password: hashed at the same cost as real passwords."""
    return _hashing(_parameters())[1]


def _parameters() -> tuple:
    return tuple(sorted((current_app.config.get("PASSWORD_HASH_PARAMETERS") or {}).items()))


@functools.cache
def _hashing(parameters: tuple) -> tuple[PasswordHasher, str]:
    hasher = PasswordHasher(**dict(parameters))
    return hasher, hasher.hash("aftercare-timing-equaliser")


def new_token() -> tuple[str, str]:
    """A random token for the browser and the hash to store in its place."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def users_by_email(email: str) -> list[User]:
    """Every account with this email, oldest first: one per clinic at most."""
    return list(db.session.scalars(
        select(User).where(User.email == normalise_email(email)).order_by(User.id)))


def clinic_user_by_email(clinic_id: int, email: str) -> User | None:
    """The account with this email in this clinic. Never looks at other clinics, so what a
    clinic learns from it (and how long it takes) does not depend on them."""
    return db.session.scalar(select(User).where(User.clinic_id == clinic_id,
                                                User.email == normalise_email(email)))


EMAIL_IN_USE = N_("This email already has an account at this clinic.")

# Password hashes checked on every sign-in, whatever the number of accounts with that email
# (an email may have an account in several clinics): padding with a dummy hash keeps the time
# of a sign-in the same for 0 to this many accounts. Beyond it, one more check per account.
SIGN_IN_HASH_CHECKS = 3


@dataclass
class Credentials:
    """What a sign-in attempt found: the active account it signs into, if any; whether the
    password was right for a deactivated account (told only to who knows the password); and
    the accounts with that email (for the audit trail)."""

    user: User | None = None
    deactivated: bool = False
    accounts: list[User] = field(default_factory=list)


def check_credentials(email: str, password: str) -> Credentials:
    accounts = users_by_email(email)
    with_password = [user for user in accounts if user.password_hash]
    matched = [user for user in with_password if _verify(user.password_hash, password)]
    for _padding in range(SIGN_IN_HASH_CHECKS - len(with_password)):
        _verify(_dummy_hash(), password)
    active = [user for user in matched if user.is_active]
    if not active:
        return Credentials(deactivated=bool(matched), accounts=accounts)
    user = active[0]  # the same password for two clinics' accounts: the older one
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return Credentials(user=user, accounts=accounts)


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None. Rehashes outdated hashes."""
    return check_credentials(email, password).user


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher().verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def session_limits(role: Role, config) -> tuple[timedelta, timedelta | None]:
    """(absolute lifetime, idle timeout) of a new session for this role."""
    if role == Role.PATIENT:
        return config["PATIENT_SESSION_LIFETIME"], None
    return config["CLINICIAN_ABSOLUTE_TIMEOUT"], config["CLINICIAN_IDLE_TIMEOUT"]


def start_session(user: User, *, now: datetime, lifetime: timedelta,
                  idle_timeout: timedelta | None, device: str = "") -> tuple[AuthSession, str]:
    """A new device session; returns it and the token the browser keeps."""
    token, hashed = new_token()
    auth_session = AuthSession(
        user=user, token_hash=hashed, created_at=now, last_seen_at=now,
        expires_at=now + lifetime, device=device[:120],
        idle_timeout_seconds=int(idle_timeout.total_seconds()) if idle_timeout else None,
    )
    db.session.add(auth_session)
    db.session.flush()
    return auth_session, token


@functools.cache
def _session_by_token():
    """The session of a token hash with its user, one query per request; built once (building
    the joined load per request cost a millisecond under load: issue 14)."""
    return (select(AuthSession).options(joinedload(AuthSession.user))
            .where(AuthSession.token_hash == bindparam("token_hash")))


def live_session(token: str, *, now: datetime) -> AuthSession | None:
    """The unexpired, unrevoked session for this token, its last use updated; else None."""
    auth_session = db.session.scalar(_session_by_token(), {"token_hash": token_hash(token)})
    if auth_session is None or not _is_live(auth_session, now):
        return None
    if now - auth_session.last_seen_at >= TOUCH_INTERVAL:
        auth_session.last_seen_at = now
    return auth_session


def _is_live(auth_session: AuthSession, now: datetime) -> bool:
    if auth_session.revoked_at is not None or now >= auth_session.expires_at:
        return False
    if not auth_session.user.is_active:
        return False
    idle = auth_session.idle_timeout_seconds
    return idle is None or now - auth_session.last_seen_at < timedelta(seconds=idle)


REVOKED = "session_revoked"


def ended_reason(token: str) -> str | None:
    """Why this token's session is no longer live: ``REVOKED`` when it was signed out from
    elsewhere or its account deactivated (the device must forget what it keeps), None when it
    is unknown or merely ran out of time."""
    auth_session = db.session.scalar(_session_by_token(), {"token_hash": token_hash(token)})
    if auth_session is None:
        return None
    if auth_session.revoked_at is not None or not auth_session.user.is_active:
        return REVOKED
    return None


def outbox_account(user_id: int, secret_key: str | bytes) -> str:
    """The opaque, non-guessable value a device stores with each check-in it saves offline,
    and declares when it sends one: the server refuses an entry declared for another account,
    so a saved check-in is never filed under whoever is signed in when it is sent."""
    key = secret_key if isinstance(secret_key, bytes) else secret_key.encode()
    return hmac.new(key, f"outbox-account:{user_id}".encode(), hashlib.sha256).hexdigest()[:32]


def own_session(user_id: int, session_id: int) -> AuthSession | None:
    """One of this person's sessions that is still live (revoking an ended one is a 404)."""
    return db.session.scalar(select(AuthSession).where(
        AuthSession.id == session_id, AuthSession.user_id == user_id,
        AuthSession.revoked_at.is_(None)))


def live_sessions(user: User, *, now: datetime) -> list[AuthSession]:
    """The person's signed-in devices, most recently used first (for the account page)."""
    rows = db.session.scalars(
        select(AuthSession).where(AuthSession.user_id == user.id,
                                  AuthSession.revoked_at.is_(None),
                                  AuthSession.expires_at > now)
        .order_by(AuthSession.last_seen_at.desc(), AuthSession.id.desc()))
    return [row for row in rows if _is_live(row, now)]


def change_password(user: User, current: str, new: str, *, now: datetime,
                    keep: AuthSession) -> int | None:
    """Set a new password if ``current`` is right; ends every other session. None if wrong."""
    if not user.password_hash or not _verify(user.password_hash, current):
        return None
    user.password_hash = hash_password(new)
    return end_sessions(user, now=now, except_session=keep)


def end_session(auth_session: AuthSession, *, now: datetime) -> None:
    """Sign one device out, and stop pushing to it."""
    if auth_session.revoked_at is None:
        auth_session.revoked_at = now
    _remove_subscriptions(auth_session.user_id, [auth_session.id])


def end_sessions(user: User, *, now: datetime,
                 except_session: AuthSession | None = None) -> int:
    """Sign the person out on every device (but ``except_session``) and remove those devices'
    push subscriptions, so a lost phone stops getting prompts and a lost laptop stops getting
    escalations. Used by "sign out everywhere", a password change or reset, and deactivation.
    Returns how many sessions ended."""
    statement = select(AuthSession.id).where(AuthSession.user_id == user.id,
                                             AuthSession.revoked_at.is_(None))
    if except_session is not None:
        statement = statement.where(AuthSession.id != except_session.id)
    ended = list(db.session.scalars(statement))
    if ended:
        db.session.execute(update(AuthSession).where(AuthSession.id.in_(ended))
                           .values(revoked_at=now), execution_options={"synchronize_session":
                                                                       "fetch"})
    _remove_subscriptions(user.id, ended)
    return len(ended)


def _remove_subscriptions(user_id: int, session_ids: list[int]) -> None:
    """The push subscriptions saved by these sessions, and the person's subscriptions that
    predate sessions being recorded with them (whose device is unknown: the device that holds
    one saves it again, tied to its session, when it next opens the app)."""
    db.session.execute(
        delete(PushSubscription).where(
            PushSubscription.user_id == user_id,
            or_(PushSubscription.auth_session_id.in_(session_ids),
                PushSubscription.auth_session_id.is_(None))),
        execution_options={"synchronize_session": "fetch"})


def create_staff(clinic_id: int, *, email: str, name: str, role: Role) -> User:
    if role == Role.PATIENT:
        raise ValueError("patients are enrolled, not created as staff")
    if not email or not email.strip():
        raise ValueError("staff sign in with an email: one is required")
    user = User(clinic_id=clinic_id, email=normalise_email(email), name=name.strip(), role=role)
    db.session.add(user)
    db.session.flush()
    return user
