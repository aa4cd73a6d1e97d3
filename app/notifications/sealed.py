"""A link's URL kept encrypted (Fernet, keyed from the app's secret key) between the request
that made it and the send job that sends it; wiped once sent. The database otherwise keeps
only the link's hash, so a copy of the database cannot sign anybody in."""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app


def _fernet() -> Fernet:
    key = hashlib.sha256(b"aftercare-sealed-link:" + current_app.secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(url: str) -> str:
    return _fernet().encrypt(url.encode()).decode()


def unseal(sealed: str | None) -> str | None:
    if not sealed:
        return None
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except InvalidToken:
        return None  # the secret key changed since: the link cannot be sent
