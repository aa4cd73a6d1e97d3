"""The OpenAPI document, /healthz, and the headers every response carries."""

import pytest

from tests import factories


def _resolve(document: dict, node: dict) -> dict:
    """Follow a local ``$ref`` ("#/components/schemas/X") to what it names."""
    while "$ref" in node:
        assert node["$ref"].startswith("#/"), node["$ref"]
        target = document
        for part in node["$ref"][2:].split("/"):
            target = target[part]
        node = target
    return node


def _all_refs(node):
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _all_refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _all_refs(value)


def _spec(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def test_openapi_is_an_openapi_3_document(client):
    spec = _spec(client)
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"]
    assert spec["info"]["version"]
    assert isinstance(spec["paths"], dict) and spec["paths"]
    for path, operations in spec["paths"].items():
        assert path.startswith("/")
        for method, operation in operations.items():
            assert method in {"get", "post", "put", "patch", "delete"}, (path, method)
            assert operation["responses"], (path, method)
            for status, response in operation["responses"].items():
                assert status.isdigit(), (path, method, status)
                assert response["description"], (path, method, status)


def test_openapi_refs_all_resolve(client):
    spec = _spec(client)
    for ref in _all_refs(spec):
        _resolve(spec, {"$ref": ref})


def test_openapi_lists_checkins_with_post_and_get(client):
    spec = _spec(client)
    operations = spec["paths"]["/api/v1/checkins"]

    assert {"get", "post"} <= set(operations)
    assert {"201", "200", "401", "422"} <= set(operations["post"]["responses"])
    assert {"200", "401", "422"} <= set(operations["get"]["responses"])
    query = {p["name"] for p in operations["get"].get("parameters", []) if p["in"] == "query"}
    assert {"limit", "before_id"} <= query


def test_openapi_checkin_body_requires_mood_client_id_taken_at(client):
    spec = _spec(client)
    post = spec["paths"]["/api/v1/checkins"]["post"]

    body = _resolve(spec, post["requestBody"]["content"]["application/json"]["schema"])

    assert {"mood", "client_id", "taken_at"} <= set(body["required"])
    assert "note" not in body["required"]
    assert body["properties"]["mood"]["type"] == "integer"
    assert body["properties"]["mood"]["minimum"] == 0
    assert body["properties"]["mood"]["maximum"] == 10
    assert body["properties"]["client_id"]["format"] == "uuid"
    assert body["properties"]["taken_at"]["format"] == "date-time"


def test_openapi_post_documents_the_csrf_header(client):
    spec = _spec(client)
    post = spec["paths"]["/api/v1/checkins"]["post"]

    headers = [p for p in post["parameters"] if p["in"] == "header"]

    assert [(h["name"], h["required"]) for h in headers] == [("X-CSRFToken", True)]


def test_openapi_error_schema_has_the_error_shape(client):
    spec = _spec(client)
    error = _resolve(spec, spec["components"]["schemas"]["ErrorResponse"])
    inner = _resolve(spec, error["properties"]["error"])

    assert {"code", "message", "fields"} <= set(inner["properties"])


def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json()["database"] == "ok"
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("url", ["/login", "/api/v1/session", "/healthz",
                                 "/api/v1/checkins", "/no-such-page"])
def test_signed_out_responses_are_not_cached_and_carry_csp(client, url):
    response = client.get(url)

    assert response.headers["Cache-Control"] == "no-store"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "object-src 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("url", ["/", "/checkin", "/history", "/api/v1/checkins"])
def test_patient_pages_are_not_cached_and_carry_csp(app, clock, signed_in, url):
    patient = factories.patient(factories.clinic(), clock())

    response = signed_in(patient.user).get(url)

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_clinician_patient_record_is_not_cached(app, clock, signed_in):
    clinic = factories.clinic()
    clinician = factories.staff(clinic)
    patient = factories.patient(clinic, clock(), by=clinician)

    response = signed_in(clinician).get(f"/clinic/patients/{patient.id}")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("path", ["pwa/app.css", "pwa/app.js"])
def test_static_files_are_cacheable(client, path):
    response = client.get(f"/static/{path}")

    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_the_offline_page_and_service_worker_render(app):
    client = app.test_client()
    offline = client.get("/offline")
    worker = client.get("/sw.js")
    assert offline.status_code == worker.status_code == 200
    assert 'name="mood"' in offline.get_data(as_text=True)
    assert "/offline" in worker.get_data(as_text=True)


def test_openapi_documents_the_answers_every_operation_can_give(client):
    """What the fuzzer (tests/fuzz) holds the API to: each refusal it can meet is listed."""
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    post = paths["/api/v1/checkins"]["post"]
    assert {"200", "201", "400", "401", "403", "422", "503"} <= set(post["responses"])
    assert post["security"] == [{"session": []}]
    assert "Retry-After" in post["responses"]["503"]["headers"]
    session = paths["/api/v1/session"]["get"]
    assert "security" not in session and "401" not in session["responses"]
    assert "403" not in paths["/api/v1/push-subscriptions"]["post"]["responses"]
