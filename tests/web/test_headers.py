"""Security headers on every response, and no inline script or style in any rendered page.

The header walk opens every GET route of the URL map (ids filled with the owner's own
records, so the pages render with real data) as the clinic's admin, as the patient and as
nobody, and checks each response; routes added later are walked too.
"""

from html.parser import HTMLParser

import pytest

from app import create_app
from tests import factories
from tests.web.walk_support import build_victim, url_for_rule, walked_rules

# Cacheable on purpose; none carries health data (app/pwa/views.py, Flask's static files).
CACHEABLE = {"static", "pwa.manifest", "pwa.icon", "pwa.icon_svg", "pwa.service_worker",
             "pwa.offline", "pwa.words"}
STRICT_REFERRER_POLICIES = {"no-referrer", "same-origin", "strict-origin",
                            "strict-origin-when-cross-origin"}


class InlineCode(HTMLParser):
    """Collects what a CSP of script-src 'self' / style-src 'self' would block."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script" and not names.get("src"):
            self.problems.append("<script> without src")
        if tag == "style":
            self.problems.append("<style> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name == "style":
                self.problems.append(f"<{tag} style=...>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip() \
                    .lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}=javascript:...>")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.problems


def csp_directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in policy.split(";") if part.strip()}


def header_problems(endpoint: str, response, *, secure: bool = False) -> list[str]:
    problems = []
    csp = csp_directives(response)
    expected = {"default-src": "default-src 'self'", "script-src": "script-src 'self'",
                "object-src": "object-src 'none'", "frame-ancestors": "frame-ancestors 'none'",
                "base-uri": "base-uri 'self'"}
    problems += [f"CSP {name}: {csp.get(name)}" for name, value in expected.items()
                 if csp.get(name) != value]
    if "unsafe-inline" in response.headers["Content-Security-Policy"]:
        problems.append("CSP allows unsafe-inline")
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no nosniff")
    if response.headers.get("Referrer-Policy") not in STRICT_REFERRER_POLICIES:
        problems.append(f"Referrer-Policy {response.headers.get('Referrer-Policy')}")
    if response.headers.get("X-Frame-Options") != "DENY":
        problems.append("X-Frame-Options")
    if ("Strict-Transport-Security" in response.headers) != secure:
        problems.append("HSTS over plain HTTP" if not secure else "no HSTS over HTTPS")
    if endpoint not in CACHEABLE and response.headers.get("Cache-Control") != "no-store":
        problems.append(f"Cache-Control {response.headers.get('Cache-Control')}")
    if response.mimetype == "text/html":
        problems += inline_code(response.get_data(as_text=True))
    return problems


@pytest.fixture
def owners(app, clock, signed_in):
    from pathlib import Path

    from app.notifications.webpush import ensure_vapid_key

    ensure_vapid_key(Path(app.config["VAPID_PRIVATE_KEY_PATH"]))
    victim = build_victim(app, clock())
    return victim, {"admin": signed_in(victim.admin),
                    "clinician": signed_in(victim.clinician),
                    "patient": signed_in(victim.patient.user),
                    "anonymous": app.test_client()}


@pytest.mark.parametrize("who", ["admin", "clinician", "patient", "anonymous"])
def test_every_page_carries_the_headers_and_no_inline_code(app, owners, who):
    victim, clients = owners
    problems, pages = [], 0
    for rule in walked_rules(app):
        if "GET" not in rule.methods:
            continue
        response = clients[who].get(url_for_rule(rule, victim.ids))
        pages += response.mimetype == "text/html"
        problems += [f"{rule.rule}: {p}" for p in header_problems(rule.endpoint, response)]
    assert pages >= 8
    assert problems == []


def test_error_and_form_pages_have_no_inline_code(app, owners):
    victim, clients = owners
    responses = [
        clients["anonymous"].get("/no-such-page"),                        # 404
        clients["patient"].get("/clinic/"),                               # 403
        clients["anonymous"].get("/setup"),                               # 410
        clients["patient"].form("/checkin", {"note": "no mood"}),         # 422 form
        clients["anonymous"].form("/login", {"email": "a@b.test", "password": "x"}),  # 401
        clients["patient"].form("/account/password", {"current": "x"}),  # 422 account
    ]
    assert [r.status_code for r in responses] == [404, 403, 410, 422, 401, 422]
    for response in responses:
        assert header_problems("error", response) == []


def test_the_inline_code_check_can_fail():
    page = ('<script>alert(1)</script><button onclick="x()">b</button>'
            '<p style="color:red"></p><a href="javascript:x()">a</a><style>p{}</style>')
    assert len(inline_code(page)) == 5
    assert inline_code('<script src="/static/pwa/app.js" defer></script>') == []


# --- HSTS: only over HTTPS ----------------------------------------------------------------

def test_no_hsts_over_plain_http(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_hsts_over_https(client):
    response = client.get("/login", base_url="https://aftercare.test")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert header_problems("auth.login", response, secure=True) == []


def _proxied_app(app, hops: int):
    return create_app({**{k: app.config[k] for k in (
        "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "RATELIMIT_STORAGE_URI")},
        "TESTING": True, "TRUSTED_PROXY_COUNT": hops})


def test_hsts_behind_a_trusted_tls_proxy(app):
    response = _proxied_app(app, 1).test_client().get(
        "/login", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"})
    assert "Strict-Transport-Security" in response.headers


def test_a_forwarded_proto_header_is_ignored_without_a_trusted_proxy(app):
    response = _proxied_app(app, 0).test_client().get(
        "/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers


# --- the session cookie ------------------------------------------------------------------------

def test_session_cookie_is_httponly_and_samesite(app, clock):
    from tests.web.auth_support import login

    patient = factories.patient(factories.clinic(), clock())
    client = app.test_client()
    response = login(client, patient.user.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # SESSION_COOKIE_SECURE is off in tests (plain HTTP)
