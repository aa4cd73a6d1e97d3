"""Second factors: authenticator codes (TOTP, RFC 6238) and recovery codes. Services flush,
never commit."""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

import pyotp
from flask_babel import gettext
from sqlalchemy import delete, func, select, update

from app.auth.models import AuthSession, Role, User
from app.clinics.settings import effective
from app.extensions import db
from app.i18n import N_
from app.mfa.models import RecoveryCode, TotpSecret
from app.passkeys.models import Passkey

STEP_SECONDS = 30
RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper
# Exports and settings changes ask for the second factor again when it is older than this.
STEP_UP_AFTER = timedelta(minutes=15)


def new_totp_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, user: User) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.account_name, issuer_name="Aftercare")


def totp_of(user: User) -> TotpSecret | None:
    return db.session.scalar(select(TotpSecret).where(TotpSecret.user_id == user.id))


def passkey_count(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(Passkey).where(
        Passkey.user_id == user.id))


def has_second_factor(user: User) -> bool:
    """Staff with an authenticator app or a passkey: their password sign-in has a second
    step. (A patient's passkey is a way to sign in instead of the password, not a step.)"""
    if user.role == Role.PATIENT:
        return False
    return totp_of(user) is not None or passkey_count(user) > 0


def recovery_codes_left(user: User) -> int:
    return len(list(db.session.scalars(select(RecoveryCode.id).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)))))


def requires_second_factor(user: User) -> bool:
    """Staff of a clinic whose admin turned on "require a second factor"."""
    return user.role != Role.PATIENT and bool(
        effective(user.clinic).get("require_staff_mfa"))


def is_fresh(auth_session: AuthSession, now: datetime) -> bool:
    given = auth_session.second_factor_at
    return given is not None and now - given < STEP_UP_AFTER


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step (this one, or one either side for a clock a little off) whose code this
    is; None if none."""
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // STEP_SECONDS
    for step in (current, current - 1, current + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def confirm_totp(user: User, secret: str, code: str, *, now: datetime) -> list[str] | None:
    """Save the authenticator if ``code`` is one of its codes; returns new recovery codes (to
    show once), or None if the code is wrong. Replaces an earlier authenticator."""
    step = _matching_step(secret, _digits(code), now)
    if step is None:
        return None
    db.session.execute(delete(TotpSecret).where(TotpSecret.user_id == user.id))
    db.session.add(TotpSecret(user_id=user.id, secret=secret, last_step=step, created_at=now))
    return replace_recovery_codes(user)


def replace_recovery_codes(user: User) -> list[str]:
    """Ten new single-use codes; earlier ones stop working. Only their hashes are kept."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["-".join("".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(5))
                      for _half in range(2)) for _code in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_code_hash(code))
                       for code in codes)
    db.session.flush()
    return codes


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _digits(code: str) -> str:
    return "".join(code.split())


def check_code(user: User, code: str, *, now: datetime) -> str | None:
    """"totp" or "recovery" when ``code`` is a good, unused code of this person (and spends
    it), else None. An authenticator code of a time step already used is refused (a replay),
    atomically, so two requests racing with one code cannot both pass."""
    typed = _digits(code).lower()
    if typed.isdigit() and len(typed) == 6:
        return "totp" if _spend_totp(user, typed, now) else None
    if len(typed) == 10 and "-" not in typed:
        typed = f"{typed[:5]}-{typed[5:]}"
    spent = db.session.execute(
        update(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                   RecoveryCode.code_hash == _code_hash(typed),
                                   RecoveryCode.used_at.is_(None))
        .values(used_at=now), execution_options={"synchronize_session": False})
    return "recovery" if spent.rowcount == 1 else None


def _spend_totp(user: User, code: str, now: datetime) -> bool:
    totp = totp_of(user)
    step = _matching_step(totp.secret, code, now) if totp else None
    if step is None:
        return False
    spent = db.session.execute(
        update(TotpSecret).where(TotpSecret.id == totp.id,
                                 (TotpSecret.last_step.is_(None)) | (TotpSecret.last_step < step))
        .values(last_step=step), execution_options={"synchronize_session": False})
    return spent.rowcount == 1


class CannotRemove(Exception):
    """Refused: the message says why, in plain words."""


def refuse_losing_the_last_factor(user: User, *, by: User, factors_left: int) -> None:
    """Nobody leaves the clinic's last active admin (the account that can change every
    setting) without a second factor, and nobody removes their own last one when the clinic
    requires it. Raises ``CannotRemove``."""
    from app.clinics.services import active_admins

    if factors_left > 0 or user.role == Role.PATIENT:
        return
    if user.role == Role.ADMIN and user.active and active_admins(user.clinic_id) <= 1:
        raise CannotRemove(N_("This is the clinic's last active admin: their second factor "
                              "stays. Make someone else an admin first."))
    if by.id == user.id and requires_second_factor(user):
        raise CannotRemove(N_("Your clinic requires a second factor: set up a new one first "
                              "(it replaces this one)."))


def remove_totp(user: User, *, by: User) -> None:
    """Drop the person's authenticator app and recovery codes (passkeys stay)."""
    refuse_losing_the_last_factor(user, by=by, factors_left=passkey_count(user))
    db.session.execute(delete(TotpSecret).where(TotpSecret.user_id == user.id))
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.flush()


def reset_second_factors(member: User, *, by: User, now: datetime) -> int:
    """An admin resets a staff member's second factors (a lost phone): authenticator,
    recovery codes and passkeys removed, and every
    session of theirs ended, so they sign in again with their password and, if the clinic
    requires it, set up a new one. Returns the sessions ended."""
    from app.auth.services import end_sessions

    if by.id == member.id:
        raise CannotRemove(N_("Change your own second factor on your account page."))
    if not has_second_factor(member):
        raise CannotRemove(gettext("%(name)s has no second factor to reset.", name=member.name))
    refuse_losing_the_last_factor(member, by=by, factors_left=0)
    for model in (TotpSecret, RecoveryCode, Passkey):
        db.session.execute(delete(model).where(model.user_id == member.id))
    db.session.flush()
    return end_sessions(member, now=now)


def with_second_factor(clinic_id: int) -> set[int]:
    """The ids of the clinic's staff with an authenticator app or a passkey (the staff page)."""
    found: set[int] = set()
    for model in (TotpSecret, Passkey):
        found |= set(db.session.scalars(select(model.user_id).join(
            User, User.id == model.user_id).where(User.clinic_id == clinic_id,
                                                  User.role != Role.PATIENT)))
    return found
