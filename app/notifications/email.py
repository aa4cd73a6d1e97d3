"""Email over SMTP (smtplib): STARTTLS or implicit TLS, a plain-text and an HTML part, and a
``List-Unsubscribe`` header with one-click unsubscribe (RFC 8058). A send run keeps its
connections open and reuses them (``SmtpEmail``), instead of one connection per email.

The demo's backend (``LocalEmail``) keeps each email in the ``local_message`` table instead.
"""

import secrets
import smtplib
import ssl
import threading
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
    """One sender serves a whole send run. Its connections (at most ``connections`` open at
    once) are kept and reused message after message: checked with NOOP before each reuse (a
    server that closed an idle one gets a new connection before anything is sent on it),
    dropped after a failure that leaves them unusable (the next message reconnects), and
    closed with QUIT by ``close`` at the run's end. A refused recipient keeps its connection
    (smtplib has reset the transaction)."""

    def __init__(self, *, host: str, port: int, security: str, username: str, password: str,
                 sender: str, timeout: float, ca_file: str | None = None, connections: int = 1):
        self.host, self.port, self.security = host, port, security
        self.username, self.password, self.sender = username, password, sender
        self.timeout, self.ca_file = timeout, ca_file
        self._slots = threading.BoundedSemaphore(max(1, connections))
        self._idle: list[smtplib.SMTP] = []
        self._lock = threading.Lock()
        self._closed = False

    def _context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.ca_file or None)

    def _connect(self) -> smtplib.SMTP:
        if self.security == "tls":
            connection = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                          context=self._context())
        else:
            connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if self.security == "starttls":
                connection.starttls(context=self._context())
            if self.username:
                connection.login(self.username, self.password)
        except BaseException:
            _quit(connection)
            raise
        return connection

    def _connection(self) -> smtplib.SMTP:
        """An idle connection that still answers, else a new one."""
        while True:
            with self._lock:
                connection = self._idle.pop() if self._idle else None
            if connection is None:
                return self._connect()
            try:
                if connection.noop()[0] == 250:
                    return connection
            except (smtplib.SMTPException, OSError):
                pass
            _quit(connection)

    def _put_back(self, connection: smtplib.SMTP) -> None:
        with self._lock:
            if not self._closed and connection.sock is not None:
                self._idle.append(connection)
                return
        _quit(connection)

    def send(self, message: EmailMessage) -> SendResult:
        with self._slots:
            connection = None
            try:
                connection = self._connection()
                connection.send_message(message)
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused,
                    smtplib.SMTPDataError) as error:
                self._put_back(connection)  # reset by smtplib (closed by it after a 421)
                return _refused(error)
            except (smtplib.SMTPException, OSError) as error:
                if connection is not None:
                    _quit(connection)  # in an unknown state: the next message reconnects
                return _refused(error)
            self._put_back(connection)
        return SendResult(True, provider_id=message["Message-ID"].strip("<>")[:64])

    def close(self) -> None:
        """QUIT on the idle connections; one still in use is closed when its send ends."""
        with self._lock:
            self._closed, idle, self._idle = True, self._idle, []
        for connection in idle:
            _quit(connection)


def _quit(connection: smtplib.SMTP) -> None:
    try:
        connection.quit()
    except (smtplib.SMTPException, OSError):
        connection.close()


def _refused(error: Exception) -> SendResult:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return SendResult(False, reason=_words(error), status_code=codes[0] if codes else None,
                          retryable=any(400 <= code < 500 for code in codes))
    if isinstance(error, smtplib.SMTPResponseException):
        return SendResult(False, reason=_words(error), status_code=error.smtp_code,
                          retryable=400 <= error.smtp_code < 500)
    return SendResult(False, reason=_words(error), retryable=True)


def _words(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:200]


class LocalEmail:
    """The demo's emails: kept in the local outbox (written by the run's own thread)."""

    def send(self, message: EmailMessage) -> SendResult:
        body = message.get_body(("plain",)).get_content()
        return SendResult(True, provider_id=f"local-{secrets.token_hex(8)}",
                          local=("email", message["To"], message["Subject"], body))

    def close(self) -> None:
        pass


def email_sender(config):
    backend = config["EMAIL_BACKEND"]
    if backend == "smtp":
        return SmtpEmail(host=config["SMTP_HOST"], port=int(config["SMTP_PORT"]),
                         security=config["SMTP_SECURITY"], username=config["SMTP_USERNAME"],
                         password=config["SMTP_PASSWORD"], sender=config["EMAIL_FROM"],
                         timeout=config["SMTP_TIMEOUT_SECONDS"],
                         ca_file=config.get("SMTP_CA_FILE"),
                         connections=int(config.get("SMTP_CONNECTIONS", 1)))
    if backend == "outbox":
        return LocalEmail()
    return None
