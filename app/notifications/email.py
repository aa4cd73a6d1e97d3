"""Email over SMTP (smtplib): STARTTLS or implicit TLS, a plain-text and an HTML part, and a
``List-Unsubscribe`` header with one-click unsubscribe (RFC 8058).

The demo's backend (``LocalEmail``) keeps each email in the ``local_message`` table instead.
"""

import secrets
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid

from app.notifications.sms import SendResult


def build(*, sender: str, to: str, subject: str, plain: str, html: str,
          unsubscribe: str) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1].strip(">") or None)
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(plain)
    message.add_alternative(html, subtype="html")
    return message


class SmtpEmail:
    def __init__(self, *, host: str, port: int, security: str, username: str, password: str,
                 sender: str, timeout: float, ca_file: str | None = None):
        self.host, self.port, self.security = host, port, security
        self.username, self.password, self.sender = username, password, sender
        self.timeout, self.ca_file = timeout, ca_file

    def _context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.ca_file or None)

    def _connect(self) -> smtplib.SMTP:
        if self.security == "tls":
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                    context=self._context())
        connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        if self.security == "starttls":
            connection.starttls(context=self._context())
        return connection

    def send(self, message: EmailMessage) -> SendResult:
        try:
            with self._connect() as connection:
                if self.username:
                    connection.login(self.username, self.password)
                connection.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            return SendResult(False, reason=_words(error), status_code=codes[0] if codes else None,
                              retryable=any(400 <= code < 500 for code in codes))
        except smtplib.SMTPResponseException as error:
            return SendResult(False, reason=_words(error), status_code=error.smtp_code,
                              retryable=400 <= error.smtp_code < 500)
        except (smtplib.SMTPException, OSError) as error:
            return SendResult(False, reason=_words(error), retryable=True)
        return SendResult(True, provider_id=message["Message-ID"].strip("<>")[:64])


def _words(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:200]


class LocalEmail:
    """The demo's emails: kept in the local outbox (written by the run's own thread)."""

    def send(self, message: EmailMessage) -> SendResult:
        body = message.get_body(("plain",)).get_content()
        return SendResult(True, provider_id=f"local-{secrets.token_hex(8)}",
                          local=("email", message["To"], message["Subject"], body))


def email_sender(config):
    backend = config["EMAIL_BACKEND"]
    if backend == "smtp":
        return SmtpEmail(host=config["SMTP_HOST"], port=int(config["SMTP_PORT"]),
                         security=config["SMTP_SECURITY"], username=config["SMTP_USERNAME"],
                         password=config["SMTP_PASSWORD"], sender=config["EMAIL_FROM"],
                         timeout=config["SMTP_TIMEOUT_SECONDS"],
                         ca_file=config.get("SMTP_CA_FILE"))
    if backend == "outbox":
        return LocalEmail()
    return None
