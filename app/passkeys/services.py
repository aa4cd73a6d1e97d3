"""Passkeys with py_webauthn: registration and sign-in ceremonies. The challenge of a ceremony
under way is the caller's to keep (the signed session cookie); services flush, never commit."""

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import InvalidAuthenticationResponse, InvalidRegistrationResponse
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from app.auth.models import User
from app.extensions import db
from app.passkeys.models import Passkey

RP_NAME = "Aftercare"
MAX_PASSKEYS = 10


@dataclass(frozen=True)
class RelyingParty:
    """Who the passkeys are for: the site's host name (RP ID) and its origin."""

    rp_id: str
    origin: str


def user_handle(user: User, secret_key: str | bytes) -> bytes:
    """The opaque user id an authenticator keeps: no email, no database id."""
    key = secret_key if isinstance(secret_key, bytes) else secret_key.encode()
    return hmac.new(key, f"passkey-user:{user.id}".encode(), hashlib.sha256).digest()


def passkeys_of(user: User) -> list[Passkey]:
    return list(db.session.scalars(
        select(Passkey).where(Passkey.user_id == user.id).order_by(Passkey.id)))


def count_of(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(Passkey).where(
        Passkey.user_id == user.id))


def own_passkey(user: User, passkey_id: int) -> Passkey | None:
    return db.session.scalar(select(Passkey).where(Passkey.id == passkey_id,
                                                   Passkey.user_id == user.id))


def _descriptors(user: User) -> list[PublicKeyCredentialDescriptor]:
    return [PublicKeyCredentialDescriptor(
        id=base64url_to_bytes(p.credential_id),
        transports=[AuthenticatorTransport(t) for t in p.transports
                    if t in AuthenticatorTransport._value2member_map_])
            for p in passkeys_of(user)]


def registration_options(user: User, rp: RelyingParty, secret_key) -> tuple[str, str]:
    """(options as JSON for navigator.credentials.create, the challenge to keep). A
    discoverable credential with user verification: it signs in alone."""
    options = generate_registration_options(
        rp_id=rp.rp_id, rp_name=RP_NAME, user_name=user.account_name, user_display_name=user.name,
        user_id=user_handle(user, secret_key), exclude_credentials=_descriptors(user),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED))
    return options_to_json(options), bytes_to_base64url(options.challenge)


def register(user: User, credential: dict, *, name: str, challenge: str, rp: RelyingParty,
             now: datetime) -> Passkey | None:
    """Store the new passkey if the authenticator's answer verifies; else None."""
    if count_of(user) >= MAX_PASSKEYS:
        return None
    try:
        verified = verify_registration_response(
            credential=credential, expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp.rp_id, expected_origin=rp.origin, require_user_verification=True)
    except (InvalidRegistrationResponse, ValueError, KeyError, TypeError):
        return None
    credential_id = bytes_to_base64url(verified.credential_id)
    if db.session.scalar(select(Passkey.id).where(Passkey.credential_id == credential_id)):
        return None
    transports = (credential.get("response") or {}).get("transports") or []
    passkey = Passkey(user_id=user.id, credential_id=credential_id,
                      public_key=verified.credential_public_key,
                      sign_count=verified.sign_count, name=name, created_at=now,
                      transports=[str(t)[:20] for t in transports][:8])
    db.session.add(passkey)
    db.session.flush()
    return passkey


def authentication_options(rp: RelyingParty, user: User | None = None) -> tuple[str, str]:
    """Options for navigator.credentials.get: any passkey of this site (discoverable) when
    ``user`` is None, else only that person's (the second step after a password)."""
    options = generate_authentication_options(
        rp_id=rp.rp_id, allow_credentials=_descriptors(user) if user else None,
        user_verification=UserVerificationRequirement.REQUIRED)
    return options_to_json(options), bytes_to_base64url(options.challenge)


def authenticate(credential: dict, *, challenge: str, rp: RelyingParty,
                 now: datetime) -> Passkey | None:
    """The passkey that signed this challenge, its counter moved on; else None."""
    passkey = db.session.scalar(select(Passkey).where(
        Passkey.credential_id == str(credential.get("id", ""))[:1400]))
    if passkey is None:
        return None
    try:
        verified = verify_authentication_response(
            credential=credential, expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp.rp_id, expected_origin=rp.origin,
            credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count, require_user_verification=True)
    except (InvalidAuthenticationResponse, ValueError, KeyError, TypeError):
        return None
    passkey.sign_count = verified.new_sign_count
    passkey.last_used_at = now
    db.session.flush()
    return passkey


def remove(passkey: Passkey) -> None:
    db.session.execute(delete(Passkey).where(Passkey.id == passkey.id))
    db.session.flush()


def remove_all(user: User) -> None:
    db.session.execute(delete(Passkey).where(Passkey.user_id == user.id))


def options_dict(options_json: str) -> dict:
    return json.loads(options_json)


def owner(passkey: Passkey) -> User | None:
    return db.session.get(User, passkey.user_id)
