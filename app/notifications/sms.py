"""Texts through a provider's HTTP API, behind a small interface (``SmsSender``).

The first provider is Twilio's Messages API: a form POST to
``/2010-04-01/Accounts/{AccountSid}/Messages.json`` with HTTP basic auth (the account SID and
auth token), naming a status callback URL where Twilio reports "sent", "delivered",
"undelivered" or "failed". Its callbacks and inbound texts are signed: ``X-Twilio-Signature``
is the base64 HMAC-SHA1, keyed with the auth token, of the URL followed by every POST
parameter's name and value in name order (``signature``).

The demo's backend (``LocalSms``) keeps each text in the ``local_message`` table instead.
"""

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Protocol

import requests


@dataclass(frozen=True)
class SendResult:
    """A provider's answer to one text or email."""

    accepted: bool
    provider_id: str | None = None
    reason: str | None = None       # the provider's words when it refused, or the error
    retryable: bool = False         # worth trying again later (network, 429, 5xx)
    status_code: int | None = None
    local: tuple | None = None      # (channel, to, subject, body) for the demo's outbox

    @property
    def delivered(self) -> bool:
        """Handed to the provider (its own "delivered" comes later, by status callback)."""
        return self.accepted


class SmsSender(Protocol):
    def send(self, to: str, body: str, *, status_callback: str) -> SendResult: ...


def signature(auth_token: str, url: str, params: dict[str, str]) -> str:
    """Twilio's request signature over ``url`` and the POST ``params``."""
    signed = url + "".join(f"{name}{params[name]}" for name in sorted(params))
    digest = hmac.new(auth_token.encode(), signed.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def valid_signature(auth_token: str, url: str, params: dict[str, str], given: str) -> bool:
    if not auth_token or not given:
        return False
    return hmac.compare_digest(signature(auth_token, url, params), given)


class TwilioSms:
    def __init__(self, *, api_base: str, account_sid: str, auth_token: str, from_number: str,
                 timeout: float):
        self.url = f"{api_base.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Messages.json"
        self.auth, self.from_number, self.timeout = (account_sid, auth_token), from_number, timeout

    def send(self, to: str, body: str, *, status_callback: str) -> SendResult:
        try:
            response = requests.post(
                self.url, data={"To": to, "From": self.from_number, "Body": body,
                                "StatusCallback": status_callback},
                auth=self.auth, timeout=self.timeout, allow_redirects=False)
        except requests.RequestException as error:
            return SendResult(False, reason=f"network: {type(error).__name__}", retryable=True)
        return _answer(response)


def _answer(response: requests.Response) -> SendResult:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code in (200, 201) and body.get("sid"):
        return SendResult(True, provider_id=str(body["sid"])[:64],
                          status_code=response.status_code)
    reason = f"{body.get('code', response.status_code)}: {body.get('message', '')}".strip()
    retryable = response.status_code == 429 or response.status_code >= 500
    return SendResult(False, reason=reason[:200], retryable=retryable,
                      status_code=response.status_code)


class LocalSms:
    """The demo's texts: kept in the local outbox (written by the run's own thread)."""

    def send(self, to: str, body: str, *, status_callback: str) -> SendResult:
        return SendResult(True, provider_id=f"local-{secrets.token_hex(8)}",
                          local=("sms", to, "", body))


def sms_sender(config) -> SmsSender | None:
    backend = config["SMS_BACKEND"]
    if backend == "twilio":
        return TwilioSms(api_base=config["TWILIO_API_BASE"],
                         account_sid=config["TWILIO_ACCOUNT_SID"],
                         auth_token=config["TWILIO_AUTH_TOKEN"],
                         from_number=config["TWILIO_FROM_NUMBER"],
                         timeout=config["SMS_TIMEOUT_SECONDS"])
    if backend == "outbox":
        return LocalSms()
    return None
