"""Email over SMTP with STARTTLS or implicit TLS, to a real SMTP server (aiosmtpd) that parses
what it receives (issue 16, point 3)."""

from datetime import timedelta

import pytest

from app.notifications.email import SmtpEmail, build
from tests import smtp_server


def _message(to="pat@example.test"):
    return build(sender="Aftercare <aftercare@clinic.test>", to=to,
                 subject="Aftercare: time for your check-in",
                 plain="Aftercare: time for your check-in.\n\nhttp://x.test/m/abc\n",
                 html="<p>Aftercare: time for your check-in.</p>",
                 unsubscribe="http://x.test/unsubscribe/abc")


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_the_email_goes_encrypted_with_both_parts(tmp_path, security):
    server = smtp_server.start(tmp_path, security=security)
    try:
        sender = SmtpEmail(host="127.0.0.1", port=server.port, security=security, username="",
                           password="", sender="aftercare@clinic.test", timeout=10,
                           ca_file=server.ca_file)
        result = sender.send(_message())
        assert result.accepted and result.provider_id
        [received] = server.received
        assert received.tls is True
        assert received.recipients == ["pat@example.test"]
        message = received.message
        assert message.get_content_type() == "multipart/alternative"
        assert [part.get_content_type() for part in message.iter_parts()] == [
            "text/plain", "text/html"]
        assert message["List-Unsubscribe"] == "<http://x.test/unsubscribe/abc>"
    finally:
        server.stop()


def test_a_server_we_cannot_trust_is_not_sent_to(tmp_path):
    server = smtp_server.start(tmp_path, security="starttls")
    try:
        sender = SmtpEmail(host="127.0.0.1", port=server.port, security="starttls", username="",
                           password="", sender="aftercare@clinic.test", timeout=10)
        result = sender.send(_message())
        assert not result.accepted and result.retryable
        assert server.received == []
    finally:
        server.stop()


def test_a_refused_recipient_is_a_failure_in_the_servers_words(tmp_path):
    server = smtp_server.start(tmp_path)
    server.refuse["gone@example.test"] = (550, "No such user")
    try:
        sender = SmtpEmail(host="127.0.0.1", port=server.port, security="none", username="",
                           password="", sender="aftercare@clinic.test", timeout=10)
        result = sender.send(_message("gone@example.test"))
        assert not result.accepted and not result.retryable
        assert result.status_code == 550 and "No such user" in result.reason
    finally:
        server.stop()


def test_a_deployment_still_on_the_demo_outbox_is_warned():
    from jobs.__main__ import demo_outbox_warnings

    demo = {"PUBLIC_BASE_URL": "http://127.0.0.1:5000", "SMS_BACKEND": "outbox",
            "EMAIL_BACKEND": "outbox"}
    assert demo_outbox_warnings(demo) == []
    live = {**demo, "PUBLIC_BASE_URL": "https://clinic.example", "EMAIL_BACKEND": "smtp"}
    [warning] = demo_outbox_warnings(live)
    assert warning.startswith("SMS_BACKEND=outbox")


def _sender(server, security="none", **options) -> SmtpEmail:
    return SmtpEmail(host="127.0.0.1", port=server.port, security=security, username="",
                     password="", sender="aftercare@clinic.test", timeout=10,
                     ca_file=server.ca_file, **options)


@pytest.mark.parametrize("security", ["none", "starttls", "tls"])
def test_one_sender_sends_many_emails_over_one_connection(tmp_path, security):
    server = smtp_server.start(tmp_path, security=security)
    try:
        sender = _sender(server, security)
        results = [sender.send(_message(f"pat{n}@example.test")) for n in range(5)]
        sender.close()
        assert all(result.accepted for result in results)
        assert [r.recipients for r in server.received] == [
            [f"pat{n}@example.test"] for n in range(5)]
        assert server.connections() == 1
    finally:
        server.stop()


def test_a_connection_the_server_closed_is_replaced_before_sending(tmp_path):
    server = smtp_server.start(tmp_path)
    try:
        sender = _sender(server)
        assert sender.send(_message("first@example.test")).accepted
        server.drop_connections()  # an idle timeout, from the server's side
        assert sender.send(_message("second@example.test")).accepted  # NOOP failed: reconnect
        assert sender.send(_message("third@example.test")).accepted
        sender.close()
        assert [r.recipients for r in server.received] == [
            ["first@example.test"], ["second@example.test"], ["third@example.test"]]
        assert server.connections() == 2  # the first, then one for the other two
    finally:
        server.stop()


def test_a_refused_recipient_keeps_the_connection_and_a_down_server_is_reconnected(tmp_path):
    server = smtp_server.start(tmp_path)
    server.refuse["gone@example.test"] = (550, "No such user")
    sender = _sender(server)
    try:
        assert sender.send(_message("a@example.test")).accepted
        assert not sender.send(_message("gone@example.test")).accepted
        assert sender.send(_message("b@example.test")).accepted
        assert server.connections() == 1  # the refusal reset the transaction, no new connection
        server.stop()  # the mail server goes down...
        down = sender.send(_message("c@example.test"))
        assert not down.accepted and down.retryable
        server = smtp_server.start(tmp_path)  # ...and comes back (a new port: reconfigured)
        sender.port = server.port
        assert sender.send(_message("d@example.test")).accepted
        assert [r.recipients for r in server.received] == [["d@example.test"]]
    finally:
        sender.close()
        server.stop()


def test_a_send_run_reuses_one_connection_for_all_its_emails(app, clock, tmp_path,
                                                             push_service):
    from tests.services.test_channels import END, enrolled, run

    server = smtp_server.start(tmp_path)
    smtp_server.configure(app, server)
    try:
        for _ in range(4):
            enrolled(clock, phone=None, consent=False)  # reached by email
        assert run(END + timedelta(hours=2)) == {"claimed": 4, "sent": 4}
        assert len(server.received) == 4 and server.connections() == 1
    finally:
        server.stop()
