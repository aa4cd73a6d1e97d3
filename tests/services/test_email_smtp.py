"""Email over SMTP with STARTTLS or implicit TLS, to a real SMTP server (aiosmtpd) that parses
what it receives (issue 16, point 3)."""

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
