"""A real SMTP server on 127.0.0.1 for tests (aiosmtpd), which parses what it receives.

``start(security=...)``: "none" (plain), "starttls" (STARTTLS offered and required before
MAIL) or "tls" (implicit TLS), with a self-signed certificate made for 127.0.0.1 whose file a
test hands to the app as SMTP_CA_FILE. ``refuse`` makes it refuse a recipient with a code.
"""

import datetime
import ipaddress
import socket
import ssl
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass
class Received:
    sender: str
    recipients: list
    message: EmailMessage
    tls: bool


@dataclass
class SmtpServer:
    controller: Controller
    ca_file: str
    received: list = field(default_factory=list)
    refuse: dict = field(default_factory=dict)  # recipient -> (code, words)
    arrived: threading.Event = field(default_factory=threading.Event)

    @property
    def port(self) -> int:
        return self.controller.port

    def stop(self) -> None:
        self.controller.stop()


class _Handler:
    def __init__(self, server_ref: list):
        self.ref = server_ref

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        refused = self.ref[0].refuse.get(address)
        if refused:
            return f"{refused[0]} {refused[1]}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        message = message_from_bytes(envelope.content, policy=policy.default)
        smtp = self.ref[0]
        smtp.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message,
                                      tls=server.transport.get_extra_info("ssl_object")
                                      is not None))
        smtp.arrived.set()
        return "250 Message accepted for delivery"


def self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = directory / "smtp-cert.pem", directory / "smtp-key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(directory: Path, *, security: str = "none") -> SmtpServer:
    cert_file, key_file = self_signed(directory)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    ref: list = []
    options = {}
    if security == "starttls":
        options = {"tls_context": context, "require_starttls": True}
    elif security == "tls":
        options = {"ssl_context": context}
    controller = Controller(_Handler(ref), hostname="127.0.0.1", port=_free_port(), **options)
    controller.start()
    server = SmtpServer(controller, str(cert_file))
    ref.append(server)
    return server


def configure(app, server: SmtpServer, *, security: str = "none") -> None:
    app.config.update(EMAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=server.port,
                      SMTP_SECURITY=security, SMTP_CA_FILE=server.ca_file,
                      EMAIL_FROM="Aftercare <aftercare@clinic.test>")
