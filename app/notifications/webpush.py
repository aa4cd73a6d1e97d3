"""Web Push (RFC 8030/8291/8292) through pywebpush, with VAPID keys kept in instance/.

Payloads never carry health data: a generic title, a generic body and a URL to open.
"""

import json
from dataclasses import dataclass
from pathlib import Path

import requests
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

from app.encoding import b64url


def ensure_vapid_key(path: Path) -> bool:
    """Generate the VAPID key pair at ``path`` (mode 0600) when missing; True if created."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    vapid = Vapid()
    vapid.generate_keys()
    vapid.save_key(str(path))
    path.chmod(0o600)
    return True


def load_vapid(path: Path) -> Vapid | None:
    return Vapid.from_file(str(path)) if path.exists() else None


def application_server_key(vapid: Vapid) -> str:
    """The public key in the form PushManager.subscribe() takes (base64url, uncompressed)."""
    raw = vapid.public_key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return b64url(raw)


@dataclass(frozen=True)
class PushResult:
    status_code: int | None  # None when the push service could not be reached
    retry_after: int | None = None

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def gone(self) -> bool:
        return self.status_code in (404, 410)

    @property
    def retryable(self) -> bool:
        return self.status_code is None or self.status_code == 429 or self.status_code >= 500


class _NoRedirects(requests.Session):
    """A push service's answer is final: a redirect is not followed (it could point anywhere,
    past the endpoint check), it is answered as a refusal (3xx)."""

    def request(self, *args, **kwargs):
        kwargs["allow_redirects"] = False
        try:
            return super().request(*args, **kwargs)  # the body is read before it returns
        finally:
            self.close()  # one request per session, like requests.post


class WebPushSender:
    def __init__(self, vapid: Vapid, *, subject: str, ttl_seconds: int, timeout_seconds: float):
        self.vapid, self.subject = vapid, subject
        self.ttl, self.timeout = ttl_seconds, timeout_seconds

    def send(self, subscription: dict, payload: dict, *, topic: str) -> PushResult:
        """``topic`` makes the push service replace an undelivered copy (RFC 8030 §5.4)."""
        try:
            response = webpush(
                subscription, data=json.dumps(payload), vapid_private_key=self.vapid,
                # pywebpush adds "aud" and "exp" to this dict: a new one for every endpoint.
                vapid_claims={"sub": self.subject}, ttl=self.ttl, timeout=self.timeout,
                headers={"Urgency": "normal", "Topic": topic}, requests_session=_NoRedirects())
        except WebPushException as error:
            response = error.response
            if response is None:
                return PushResult(None)
        except requests.RequestException:
            return PushResult(None)
        retry_after = response.headers.get("Retry-After", "")
        return PushResult(response.status_code,
                          int(retry_after) if retry_after.isdigit() else None)
