"""Which push endpoints the server may send to: one check, used when a subscription is saved
and again just before each push goes.

The sender is pywebpush on requests/urllib3. The host it connects to is the one *requests*
reads: it prepares the URL with urllib3's ``parse_url`` and then opens the connection to
``urlparse(prepared).hostname``. A check that parses the URL any other way can be fooled
(``https://127.0.0.1\\@fcm.googleapis.com/x`` is fcm.googleapis.com to ``urlsplit`` and
127.0.0.1 to urllib3). So the check parses it exactly as the sender does, also demands that
Python's own parser agrees, and refuses everything a real push service's URL never has:
userinfo, backslashes, other ports, IP addresses in any spelling, percent signs or anything
but plain ASCII in the host.
"""

import ipaddress
import re
import socket
from urllib.parse import urlsplit

from requests.exceptions import RequestException
from requests.models import PreparedRequest

# A host name as DNS has it: dot-separated labels of letters, digits and inner hyphens.
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOST_NAME = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")
_PRINTABLE_ASCII = re.compile(r"[\x21-\x7e]+")
# The one IP address allowed, only with PUSH_ALLOW_HTTP: the tests' push service.
_TEST_SERVICE_HOST = "127.0.0.1"

NOT_A_URL = "The endpoint is not a web address a push service gives out."
NOT_HTTPS = "The endpoint must be an https address of a push service."
ODD_CHARACTERS = ("The endpoint may only contain plain letters, digits and web-address "
                  "punctuation, with no spaces.")
BACKSLASH = "The endpoint must not contain a backslash."
FRAGMENT = "The endpoint must not contain a # part."
USERINFO = "The endpoint must not contain a user name or password (an @ before the host)."
PERCENT_HOST = "The endpoint's host name must be written out, not percent-encoded."
BAD_PORT = "The endpoint must use the standard https port (443)."
IP_ADDRESS = "The endpoint must name a push service, not an IP address."
NOT_A_HOST_NAME = "The endpoint's host name is not a plain host name."
NOT_ALLOWED = "This push service is not one Aftercare sends to."


def _sender_parse(url: str):
    """The URL as requests reads it when it sends: prepared (urllib3's parse_url), then split
    with urlparse, whose hostname and port the connection is opened to."""
    prepared = PreparedRequest()
    prepared.prepare_url(url, None)
    return urlsplit(prepared.url)


def _is_ip_address(host: str) -> bool:
    """Any spelling an address resolver takes as an IP: 127.0.0.1, [::1], 2130706433, 0x7f.1,
    0177.0.0.1."""
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        pass
    try:
        socket.inet_aton(host)
        return True
    except OSError:
        return False


def _allowed_host(host: str, hosts) -> bool:
    """The host is one of ``hosts`` or a subdomain of one (push.apple.com allows
    web.push.apple.com)."""
    return any(host == allowed.lower() or host.endswith("." + allowed.lower())
               for allowed in hosts)


def allowed_endpoint(url, hosts, allow_http: bool = False) -> str | None:
    """None when the server may send to ``url``; otherwise why not, in plain words.

    ``hosts``: the push services allowed (``PUSH_ENDPOINT_HOSTS``); ``allow_http``: the tests'
    ``PUSH_ALLOW_HTTP``, which also lets http://127.0.0.1 on any port through when 127.0.0.1
    is in ``hosts``. Never raises, whatever ``url`` is.
    """
    return _text_problem(url) or _parsed_problem(url, hosts, allow_http)


def _text_problem(url) -> str | None:
    """What is wrong with the address as text, before any parser reads it."""
    if not isinstance(url, str) or not url:
        return NOT_A_URL
    if "\\" in url:
        return BACKSLASH
    if not _PRINTABLE_ASCII.fullmatch(url):
        return ODD_CHARACTERS
    if "#" in url:
        return FRAGMENT
    return None


def _parsed_problem(url: str, hosts, allow_http: bool) -> str | None:
    """What is wrong with the address as Python's parser and the sender's both read it."""
    try:
        ours = urlsplit(url)
        theirs = _sender_parse(url)
        ports = {ours.port, theirs.port}
    except (ValueError, RequestException):  # a bad port, or a URL requests cannot prepare
        return NOT_A_URL
    scheme = theirs.scheme.lower()
    if scheme != ours.scheme.lower() or scheme not in ("https", "http"):
        return NOT_HTTPS
    if "@" in ours.netloc or "@" in theirs.netloc:
        return USERINFO
    if "%" in ours.netloc or "%" in theirs.netloc:
        return PERCENT_HOST
    host = (theirs.hostname or "").lower()
    if not host or host != (ours.hostname or "").lower():
        return NOT_A_URL  # the two parsers disagree on the host: refuse rather than guess
    if allow_http and scheme == "http" and host == _TEST_SERVICE_HOST \
            and _TEST_SERVICE_HOST in hosts:
        return None
    return _host_problem(scheme, host, ports, hosts)


def _host_problem(scheme: str, host: str, ports: set, hosts) -> str | None:
    if scheme != "https":
        return NOT_HTTPS
    if ports - {None, 443}:
        return BAD_PORT
    if _is_ip_address(host):
        return IP_ADDRESS
    if not _HOST_NAME.fullmatch(host) or host.rsplit(".", 1)[-1].isdigit():
        return NOT_A_HOST_NAME
    if not _allowed_host(host, hosts):
        return NOT_ALLOWED
    return None
