"""The API document takes who may call a view from its access decorator, and says what the
decorator then does: every documented operation is called signed out and as each role."""

import re

import pytest
from flask import Flask

from app.api.openapi import build_spec, documented, view_meta
from app.auth.access import Access, access_of, login_required, patient_required, staff_required
from app.auth.models import Role
from tests import factories

_PATH_ARG = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def documented_operations(app) -> list[tuple[str, str, str, dict]]:
    """(method, url, its path in the document, what build_spec says of who may call it) for
    every documented route; path arguments are 1."""
    found = []
    for rule in app.url_map.iter_rules():
        meta = view_meta(app.view_functions[rule.endpoint])
        if meta is not None:
            url, path = _PATH_ARG.sub("1", rule.rule), _PATH_ARG.sub(r"{\1}", rule.rule)
            found += [(method, url, path, meta)
                      for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return sorted(found, key=lambda op: (op[1], op[0]))


def test_the_access_decorators_record_who_they_let_in():
    def view():
        return ""

    assert access_of(patient_required(view)) == Access(("patient",))
    assert access_of(staff_required(view)) == Access(("clinician", "admin"))
    assert access_of(login_required(view)) == Access(())
    assert access_of(view) is None


def test_the_document_reads_roles_from_the_decorator_whatever_the_order():
    app = Flask(__name__)
    app.config["SECRET_KEY"] = "x"  # noqa: S105
    respond = {200: (None, "OK")}
    app.add_url_rule("/staff", "staff", staff_required(documented(summary="s", responses=respond)(
        lambda: "")))
    app.add_url_rule("/mine", "mine", documented(summary="m", responses=respond)(
        login_required(lambda: "")))
    app.add_url_rule("/open", "open", documented(summary="o", responses=respond)(lambda: ""))
    paths = build_spec(app)["paths"]
    staff, mine, open_ = (paths[p]["get"] for p in ("/staff", "/mine", "/open"))
    assert staff["responses"]["403"]["description"] == "Only for clinicians and admins"
    assert staff["security"] == mine["security"] == [{"session": []}]
    assert "403" not in mine["responses"] and "401" in mine["responses"]
    assert "security" not in open_ and "401" not in open_["responses"]


def test_every_documented_route_is_found(app):
    urls = {url for _, url, _, _ in documented_operations(app)}
    assert {"/api/v1/checkins", "/api/v1/phq9", "/api/v1/session",
            "/api/v1/push-subscriptions", "/api/v1/cohort/mood"} <= urls
    roles = {(m, u): meta["roles"] for m, u, _, meta in documented_operations(app)}
    assert roles[("POST", "/api/v1/checkins")] == ("patient",)
    assert roles[("GET", "/api/v1/cohort/mood")] == ("clinician", "admin")


@pytest.fixture
def callers(app, clock, signed_in):
    clinic = factories.clinic()
    patient = factories.patient(clinic, clock())
    return {None: app.test_client(), "patient": signed_in(patient.user),
            "clinician": signed_in(factories.staff(clinic, Role.CLINICIAN)),
            "admin": signed_in(factories.staff(clinic, Role.ADMIN))}


def test_each_documented_operation_lets_in_exactly_whom_the_document_says(app, callers):
    paths = callers[None].get("/api/v1/openapi.json").get_json()["paths"]
    for method, url, path, meta in documented_operations(app):
        operation = paths[path][method.lower()]
        assert ("401" in operation["responses"]) == meta["signed_in"], (method, url)
        assert ("403" in operation["responses"]) == bool(meta["roles"]), (method, url)
        for role, client in callers.items():
            status = client.api(method, url, json={}).status_code
            let_in = (role is not None or not meta["signed_in"]) and (
                not meta["roles"] or role in meta["roles"])
            refused = 401 if role is None else 403
            assert (status != refused) if let_in else (status == refused), (method, url, role,
                                                                            status)
