"""The endpoint check again at send time (issue 12, point 1): a subscription row with a hostile
endpoint (saved before the check, or written to the database some other way) is never
connected to. The send job runs against the real local push service; the hostile endpoints
all lead, as requests/urllib3 read them, to a listener of this test's own that counts every
connection it is offered."""

import ipaddress
import random
import socket
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from app.extensions import db
from app.notifications import services as notifications
from app.notifications.models import (
    DeliveryAttempt,
    Notification,
    NotificationKind,
    NotificationStatus,
    PushSubscription,
)
from app.notifications.push_keys import sender
from jobs import send_notifications
from tests import factories

END = datetime(2026, 3, 3, 16, 0, tzinfo=UTC)


class ConnectionCounter:
    """A TCP listener on port 443 of a loopback address of its own (127.a.b.c: every test
    run, in parallel too, gets a different one), counting connections and closing each."""

    def __init__(self):
        while True:
            self.address = "127." + ".".join(str(random.randint(1, 254)) for _ in range(3))
            try:
                self.socket = socket.create_server((self.address, 443))
                break
            except OSError:  # taken by another run
                continue
        self.connections = 0
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.connections += 1
            connection.close()

    def close(self):
        self.socket.close()


@pytest.fixture
def counter():
    listener = ConnectionCounter()
    yield listener
    listener.close()


def hostile_endpoints(address: str) -> list[str]:
    """Each reaches ``address``:443 when requests sends to it (checked in
    test_the_sender_does_reach_the_listener_without_the_check)."""
    a, b, c, d = (int(part) for part in address.split("."))
    return [
        f"https://{address}\\@fcm.googleapis.com/x",    # the penetration test's endpoint
        f"https://fcm.googleapis.com@{address}/x",       # userinfo
        f"https://{int(ipaddress.IPv4Address(address))}/x",  # one decimal number
        f"https://0x{a:x}.{(b << 16) + (c << 8) + d}/x",  # hex and a 24-bit part
        f"https://0{a:o}.{b}.{c}.{d}/x",                 # octal
        f"https://{address}:443/x",                      # a plain IP address
    ]


@pytest.fixture
def patient(app, clock):
    clock.now = END - timedelta(hours=1)
    patient = factories.patient(factories.clinic(), clock())
    factories.infusion(patient, end=END)
    return patient


def _insert_hostile_rows(user_id: int, address: str, push_service) -> list[int]:
    """Straight into the table, as if saved before the check existed; with real keys, so the
    sender gets as far as connecting."""
    rows = []
    for endpoint in hostile_endpoints(address):
        keys = push_service.new_device().subscription("")["keys"]
        rows.append(PushSubscription(user_id=user_id, endpoint=endpoint, p256dh=keys["p256dh"],
                                     auth=keys["auth"], created_at=END - timedelta(days=1)))
    db.session.add_all(rows)
    db.session.commit()
    return [row.id for row in rows]


def _outcomes() -> list[str]:
    """Attempts of removed subscriptions keep their outcome (their subscription_id is nulled)."""
    db.session.expire_all()
    return list(db.session.scalars(select(DeliveryAttempt.outcome).order_by(DeliveryAttempt.id)))


def _prompt_status():
    db.session.expire_all()
    return db.session.scalar(select(Notification.status).where(
        Notification.kind == NotificationKind.PROMPT, Notification.prompt.has(slot="2h")))


def test_a_hostile_row_is_never_connected_to_and_is_removed(app, patient, push_service,
                                                            counter):
    device = push_service.new_device()
    notifications.upsert_subscription(patient.user_id, device.subscription(push_service.base_url),
                                      now=END)
    db.session.commit()
    hostile = _insert_hostile_rows(patient.user_id, counter.address, push_service)

    result = send_notifications.run(END + timedelta(hours=2))

    assert counter.connections == 0
    assert result == {"claimed": 1, "sent": 1}
    assert len(push_service.deliveries_to(device)) == 1  # the real device still gets its push
    assert sorted(_outcomes()) == ["delivered"] + ["refused-endpoint"] * len(hostile)
    remaining = db.session.scalars(select(PushSubscription.endpoint)).all()
    assert remaining == [device.subscription(push_service.base_url)["endpoint"]]
    assert _prompt_status() == NotificationStatus.SENT


def test_a_message_whose_only_devices_are_hostile_fails_like_a_rejected_one(app, patient,
                                                                          push_service,
                                                                          counter):
    hostile = _insert_hostile_rows(patient.user_id, counter.address, push_service)

    result = send_notifications.run(END + timedelta(hours=2))

    assert counter.connections == 0
    assert result == {"claimed": 1, "failed": 1}
    assert _outcomes() == ["refused-endpoint"] * len(hostile)
    assert db.session.scalars(select(PushSubscription)).all() == []
    assert _prompt_status() == NotificationStatus.FAILED
    assert push_service.received == []


def test_the_sender_does_reach_the_listener_without_the_check(app, push_service, counter):
    """The counter is not blind: the sender itself, given these endpoints with no check in
    front of it, connects to the listener once for each."""
    keys = push_service.new_device().subscription("")["keys"]
    push = sender(app)
    for endpoint in hostile_endpoints(counter.address):
        push.send({"endpoint": endpoint, "keys": keys}, {"title": "Aftercare"}, topic="t")

    assert counter.connections == len(hostile_endpoints(counter.address))


@pytest.fixture
def redirecting_service(counter):
    """An allowed endpoint (the suite's http://127.0.0.1) whose service answers every push with
    a redirect to the counter's address: a compromised push service."""

    class Redirect(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802  (http.server's naming)
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(307)
            self.send_header("Location", f"https://{counter.address}/x")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_a_push_service_redirect_is_not_followed(app, patient, push_service, counter,
                                                 redirecting_service):
    keys = push_service.new_device().subscription("")["keys"]
    notifications.upsert_subscription(patient.user_id,
                                      {"endpoint": redirecting_service + "/push/a", "keys": keys},
                                      now=END)
    db.session.commit()

    result = send_notifications.run(END + timedelta(hours=2))

    assert counter.connections == 0
    assert result == {"claimed": 1, "failed": 1}
    assert _outcomes() == ["rejected"]
