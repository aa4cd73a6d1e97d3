"""Patients' one-time sign-in links, asked for from the sign-in page and sent by text or email.

Short-lived (``SIGN_IN_LINK_LIFETIME``), single use, and only the hash is stored. Opening the
link shows a page with a button; only its POST signs in, so a link preview or a mail scanner
that fetches the URL cannot use the link up. Services flush, never commit.
"""

from datetime import datetime, timedelta

from sqlalchemy import select, update

from app.auth.models import Role, SignInLink, User
from app.auth.services import new_token, normalise_email, token_hash
from app.extensions import db
from app.notifications import channels
from app.notifications import services as notifications
from app.notifications.models import NotificationKind
from app.patients.models import Patient


def recipients(address: str, phone: str | None) -> list[tuple[Patient, str]]:
    """(patient, channel) for every active patient this phone or email reaches: by text when
    they may be texted, by email when email is on. Nobody else learns whether any were found."""
    query = select(Patient).join(User, User.id == Patient.user_id).where(
        User.role == Role.PATIENT, User.active.is_(True))
    if phone:
        found = db.session.scalars(query.where(Patient.phone == phone))
        return [(patient, channels.SMS) for patient in found if channels.can_text(patient)]
    found = db.session.scalars(query.where(User.email == normalise_email(address)))
    return [(patient, channels.EMAIL) for patient in found
            if channels.can_email(patient, asked_for=True)]


def issue(user: User, *, now: datetime, lifetime: timedelta) -> str:
    """A new sign-in link for the user; earlier unused ones stop working."""
    db.session.execute(update(SignInLink).where(
        SignInLink.user_id == user.id, SignInLink.used_at.is_(None),
        SignInLink.expires_at > now).values(expires_at=now))
    token, hashed = new_token()
    db.session.add(SignInLink(user_id=user.id, token_hash=hashed, created_at=now,
                              expires_at=now + lifetime))
    db.session.flush()
    return token


def send_links(address: str, phone: str | None, *, now: datetime, lifetime: timedelta,
               url_for_token) -> int:
    """Queue a sign-in link to each patient this phone or email reaches; returns how many
    (for the audit log only: the answer to the person asking is the same either way)."""
    found = recipients(address, phone)
    for patient, channel in found:
        token = issue(patient.user, now=now, lifetime=lifetime)
        notifications.queue_link_message(patient.user_id, NotificationKind.SIGN_IN, channel,
                                         url_for_token(token), now)
    return len(found)


def usable(token: str, *, now: datetime) -> SignInLink | None:
    link = db.session.scalar(select(SignInLink).where(SignInLink.token_hash == token_hash(token)))
    if link is None or link.used_at is not None or now >= link.expires_at \
            or not link.user.is_active:
        return None
    return link


def use(token: str, *, now: datetime) -> User | None:
    """Spend the link (one of two simultaneous requests wins); its user, or None."""
    link = usable(token, now=now)
    if link is None:
        return None
    used = db.session.execute(
        update(SignInLink).where(SignInLink.id == link.id, SignInLink.used_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False)).rowcount
    db.session.expire(link)
    return link.user if used == 1 else None
