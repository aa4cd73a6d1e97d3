"""A real Web Push service on 127.0.0.1 for tests.

Each subscription it hands out has its own ECDH P-256 key pair and auth secret, like a
browser's. It decrypts what it receives (RFC 8291, aes128gcm, via http_ece), checks the VAPID
Authorization header against the sender's public key, and answers with the status a test sets.
It can hold back its answers to one sender (told apart by the VAPID ``sub`` claim), and be
stopped and started again on the same port, as a push service that goes down.
"""

import json
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from app.encoding import b64url, b64url_decode


@dataclass
class Delivery:
    path: str
    headers: dict
    payload: dict | None
    vapid_ok: bool
    subject: str | None = None  # the sender's VAPID "sub" claim


@dataclass
class Device:
    path: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes
    status: int = 201          # what the service answers for this device
    retry_after: str | None = None
    delay_seconds: float = 0   # hold the request this long before answering
    hold: threading.Event | None = None  # if set up, no answer until it is set

    def subscription(self, base_url: str) -> dict:
        public = self.private_key.public_key().public_bytes(Encoding.X962,
                                                            PublicFormat.UncompressedPoint)
        return {"endpoint": base_url + self.path,
                "keys": {"p256dh": b64url(public), "auth": b64url(self.auth)}}


@dataclass
class PushService:
    server: ThreadingHTTPServer
    devices: dict = field(default_factory=dict)
    received: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    arrived: threading.Event = field(default_factory=threading.Event)  # a request came in
    hold_subject: str | None = None  # answers to this sender wait for ``released``
    released: threading.Event = field(default_factory=threading.Event)
    handler: type | None = None

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def new_device(self, status: int = 201) -> Device:
        device = Device(f"/push/{secrets.token_hex(8)}", ec.generate_private_key(ec.SECP256R1()),
                        os.urandom(16), status)
        self.devices[device.path] = device
        return device

    def deliveries_to(self, device: Device) -> list[Delivery]:
        with self.lock:
            return [d for d in self.received if d.path == device.path]

    def deliveries_from(self, subject: str) -> list[Delivery]:
        with self.lock:
            return [d for d in self.received if d.subject == subject]

    def stop(self) -> None:
        """Down: the port refuses connections until ``restart``."""
        self.server.shutdown()
        self.server.server_close()

    def restart(self) -> None:
        self.server = _serve(self.server.server_address[:2], self.handler)


def _serve(address, handler) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(address, handler)
    server.daemon_threads = True
    server.handle_error = lambda *_args: None  # answers to a killed sender go nowhere
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                     daemon=True).start()
    return server


def _lower(headers) -> dict:
    return {name.lower(): value for name, value in headers.items()}


def _vapid_ok(headers, expected_key: str | None, audience: str) -> bool:
    """'vapid t=<JWT>, k=<key>': signed by that key, for this service's origin (RFC 8292)."""
    value = headers.get("Authorization", "")
    if not value.startswith("vapid "):
        return False
    parts = dict(p.strip().split("=", 1) for p in value[len("vapid "):].split(","))
    if expected_key is not None and parts.get("k") != expected_key:
        return False
    signing_input, _, signature = parts.get("t", "").rpartition(".")
    raw = b64url_decode(signature)
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(),
                                                          b64url_decode(parts["k"]))
    try:
        public.verify(encode_dss_signature(int.from_bytes(raw[:32]), int.from_bytes(raw[32:])),
                      signing_input.encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    claims = json.loads(b64url_decode(signing_input.split(".")[1]))
    return claims.get("aud") == audience


def _subject(headers) -> str | None:
    value = headers.get("Authorization", "")
    parts = dict(p.strip().split("=", 1) for p in value[len("vapid "):].split(",") if "=" in p)
    try:
        return json.loads(b64url_decode(parts["t"].split(".")[1])).get("sub")
    except (KeyError, IndexError, ValueError):
        return None


def start(expected_vapid_key: str | None = None) -> PushService:
    service: PushService

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802  (http.server's naming)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            device = service.devices.get(self.path)
            service.arrived.set()
            if device is None:
                self.send_response(404)
                self.end_headers()
                return
            payload = None
            if device.status < 300:
                plain = http_ece.decrypt(body, private_key=device.private_key,
                                         auth_secret=device.auth, version="aes128gcm")
                payload = json.loads(plain)
            subject = _subject(self.headers)
            with service.lock:
                service.received.append(Delivery(self.path, _lower(self.headers), payload,
                                                 _vapid_ok(self.headers, expected_vapid_key,
                                                           service.base_url), subject))
            time.sleep(device.delay_seconds)  # received, but the answer is held back
            if device.hold is not None:
                device.hold.wait(timeout=60)
            if service.hold_subject is not None and subject == service.hold_subject:
                service.released.wait(timeout=120)
            self.send_response(device.status)
            if device.retry_after:
                self.send_header("Retry-After", device.retry_after)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):  # keep test output clean
            pass

    service = PushService(_serve(("127.0.0.1", 0), Handler), handler=Handler)
    return service
