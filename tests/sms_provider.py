"""A text-message provider on 127.0.0.1 for tests, speaking Twilio's Messages API.

``POST /2010-04-01/Accounts/{AccountSid}/Messages.json`` with HTTP basic auth (account SID and
auth token) and a form body (To, From, Body, StatusCallback) answers 201 with the message's
JSON (``sid``, ``status`` "queued"), or Twilio's error JSON (``code``, ``message``). Then, like
Twilio, it reports the message's fate to its StatusCallback URL in a form POST signed with
``X-Twilio-Signature`` (base64 HMAC-SHA1 of the URL and the sorted parameters, keyed with the
auth token). A test decides per number what happens (``outcomes``), can send inbound texts to
the app (``text_from``), and can hold its answers back (``hold``).
"""

import base64
import hashlib
import hmac
import json
import re
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

import requests

ACCOUNT_SID = "AC" + "0" * 30
AUTH_TOKEN = "test-auth-token-" + "1" * 16  # noqa: S105  (the test provider's own)
FROM_NUMBER = "+15005550006"
E164 = re.compile(r"\+[1-9][0-9]{6,14}")


def sign(auth_token: str, url: str, params: dict[str, str]) -> str:
    """Twilio's X-Twilio-Signature, written here from Twilio's documentation (not the app's
    code), so the two are checked against each other."""
    data = url + "".join(key + params[key] for key in sorted(params))
    mac = hmac.new(auth_token.encode("utf-8"), data.encode("utf-8"), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode("ascii")


@dataclass
class Text:
    sid: str
    to: str
    sender: str
    body: str
    status_callback: str | None
    status: str = "queued"


@dataclass
class Outcome:
    """What happens to texts to one number: refused at once (``http_status`` with Twilio's
    error ``code``), or accepted and later reported with ``final`` (and ``error_code``)."""

    http_status: int = 201
    code: int | None = None
    message: str = ""
    final: str = "delivered"
    error_code: str | None = None


@dataclass
class SmsProvider:
    server: ThreadingHTTPServer
    texts: list = field(default_factory=list)
    outcomes: dict = field(default_factory=dict)
    callbacks: list = field(default_factory=list)  # (url, params, app's status code)
    lock: threading.Lock = field(default_factory=threading.Lock)
    arrived: threading.Event = field(default_factory=threading.Event)
    hold: threading.Event | None = None  # when set up, no answer until it is set
    send_callbacks: bool = True

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def callback(self, url: str, params: dict, *, token: str = AUTH_TOKEN) -> int:
        """POST a signed callback (or inbound text) to the app, as Twilio does."""
        response = requests.post(url, data=params, timeout=10,
                                 headers={"X-Twilio-Signature": sign(token, url, params)})
        with self.lock:
            self.callbacks.append((url, params, response.status_code))
        return response.status_code

    def report(self, text: Text) -> int | None:
        outcome = self.outcomes.get(text.to, Outcome())
        if not text.status_callback:
            return None
        params = {"MessageSid": text.sid, "MessageStatus": outcome.final, "To": text.to,
                  "From": text.sender, "AccountSid": ACCOUNT_SID, "ApiVersion": "2010-04-01"}
        if outcome.error_code:
            params["ErrorCode"] = outcome.error_code
        text.status = outcome.final
        return self.callback(text.status_callback, params)

    def text_from(self, app_url: str, phone: str, body: str) -> requests.Response:
        """An inbound text from ``phone`` to the clinic's number, as Twilio forwards it."""
        params = {"MessageSid": "SM" + secrets.token_hex(16), "From": phone, "To": FROM_NUMBER,
                  "Body": body, "AccountSid": ACCOUNT_SID, "NumMedia": "0"}
        return requests.post(app_url, data=params, timeout=10,
                             headers={"X-Twilio-Signature": sign(AUTH_TOKEN, app_url, params)})


def _authorised(header: str | None) -> bool:
    expected = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
    return header == f"Basic {expected}"


def _handler(provider_ref: list):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _json(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):  # noqa: N802
            provider: SmsProvider = provider_ref[0]
            length = int(self.headers.get("Content-Length", "0"))
            form = dict(parse_qsl(self.rfile.read(length).decode()))
            if self.path != f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json":
                return self._json(404, {"code": 20404, "message": "Not found"})
            if not _authorised(self.headers.get("Authorization")):
                return self._json(401, {"code": 20003, "message": "Authenticate"})
            if provider.hold is not None:
                provider.hold.wait(timeout=60)
            to = form.get("To", "")
            if not E164.fullmatch(to):
                return self._json(400, {"code": 21211, "message":
                                        f"The 'To' number {to} is not a valid phone number."})
            outcome = provider.outcomes.get(to, Outcome())
            if outcome.http_status != 201:
                return self._json(outcome.http_status,
                                  {"code": outcome.code, "message": outcome.message})
            text = Text("SM" + secrets.token_hex(16), to, form.get("From", ""),
                        form.get("Body", ""), form.get("StatusCallback"))
            with provider.lock:
                provider.texts.append(text)
            provider.arrived.set()
            self._json(201, {"sid": text.sid, "status": "queued", "to": to,
                             "from": text.sender, "account_sid": ACCOUNT_SID})
            if provider.send_callbacks:
                threading.Thread(target=provider.report, args=(text,), daemon=True).start()
            return None

    return Handler


def start() -> SmsProvider:
    ref: list = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(ref))
    provider = SmsProvider(server)
    ref.append(provider)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                     daemon=True).start()
    return provider


def configure(app, provider: SmsProvider) -> None:
    """Point the app's Twilio adapter at this provider."""
    app.config.update(SMS_BACKEND="twilio", TWILIO_API_BASE=provider.base_url,
                      TWILIO_ACCOUNT_SID=ACCOUNT_SID, TWILIO_AUTH_TOKEN=AUTH_TOKEN,
                      TWILIO_FROM_NUMBER=FROM_NUMBER)
