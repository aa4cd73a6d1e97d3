"""The OpenAPI 3 document, built from the marshmallow schemas that the views declare.

A JSON view is decorated with ``@documented(...)``; ``build_spec`` walks the URL map and
describes every decorated endpoint, so the document cannot drift from the routes.
"""

import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask

from app.api.schemas import ErrorResponse

_PATH_ARG = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def documented(*, summary: str, body=None, query=None, responses: dict, tags=("api",),
               signed_in: bool = True, roles: tuple[str, ...] = ()):
    """Attach OpenAPI metadata to a view: ``responses`` maps status code to (schema, text).

    ``signed_in`` views answer 401 without a session; ``roles`` (when given) are the only
    roles allowed, every other signed-in user gets 403. The answers every view can give
    (401, 403, 400 for a missing CSRF token, 422, 503 while the database is down) are added
    by ``build_spec``, so no view has to list them.
    """

    def decorate(view):
        view.openapi = {"summary": summary, "body": body, "query": query,
                        "responses": responses, "tags": list(tags),
                        "signed_in": signed_in, "roles": tuple(roles)}
        return view

    return decorate


def build_spec(app: Flask) -> dict:
    spec = APISpec(title="Aftercare API", version="1", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()])
    spec.components.schema("ErrorResponse", schema=ErrorResponse)
    spec.components.security_scheme("session", {"type": "apiKey", "in": "cookie",
                                                 "name": app.config["SESSION_COOKIE_NAME"]})
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        meta = getattr(app.view_functions[rule.endpoint], "openapi", None)
        if meta is None:
            continue
        methods = sorted(m.lower() for m in rule.methods - {"HEAD", "OPTIONS"})
        path = _PATH_ARG.sub(r"{\1}", rule.rule)
        spec.path(path=path, operations={m: _operation(meta, rule, m) for m in methods})
    return spec.to_dict()


def _operation(meta: dict, rule, method: str) -> dict:
    operation: dict = {"summary": meta["summary"], "tags": meta["tags"], "responses": {}}
    parameters = [{"in": "path", "name": name, "required": True, "schema": {"type": "integer"}}
                  for name in rule.arguments]
    if meta["query"] is not None:
        parameters.append({"in": "query", "schema": meta["query"]})
    if parameters:
        operation["parameters"] = parameters
    if meta["body"] is not None:
        operation["requestBody"] = {"required": True,
                                    "content": {"application/json": {"schema": meta["body"]}}}
        operation["parameters"] = parameters + [{
            "in": "header", "name": "X-CSRFToken", "required": True,
            "schema": {"type": "string"}}]
    for status, (schema, text) in meta["responses"].items():
        response: dict = {"description": text}
        if schema is not None:
            response["content"] = {"application/json": {"schema": schema}}
        operation["responses"][str(status)] = response
    if meta["signed_in"]:
        operation["security"] = [{"session": []}]
    for status, text in _common_errors(meta):
        operation["responses"].setdefault(str(status), {
            "description": text,
            "content": {"application/json": {"schema": "ErrorResponse"}}})
    unavailable = operation["responses"].setdefault("503", {
        "description": "The database is briefly unavailable; retry after Retry-After seconds",
        "content": {"application/json": {"schema": "ErrorResponse"}}})
    unavailable.setdefault("content", {"application/json": {"schema": "ErrorResponse"}})
    unavailable["headers"] = {"Retry-After": {
        "description": "Seconds to wait before trying again (sent when the database is down)",
        "schema": {"type": "integer"}}}
    return operation


def _common_errors(meta: dict) -> list[tuple[int, str]]:
    errors = []
    if meta["body"] is not None:
        errors.append((400, "Missing or invalid CSRF token (X-CSRFToken)"))
    if meta["signed_in"]:
        errors.append((401, "Not signed in"))
    if meta["roles"]:
        errors.append((403, f"Only for {' and '.join(meta['roles'])}s"))
    if meta["body"] is not None or meta["query"] is not None:
        errors.append((422, "Invalid input: field messages in error.fields; nothing was saved"))
    return errors
