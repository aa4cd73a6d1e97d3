"""The OpenAPI 3 document, built from the marshmallow schemas that the views declare.

A JSON view is decorated with ``@documented(...)``; ``build_spec`` walks the URL map and
describes every decorated endpoint, so the document cannot drift from the routes. Who may call
a view (signed in or not, which roles) is read from its access decorator
(``app.auth.access``), so the document cannot drift from the checks either.
"""

import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask

from app.api.schemas import ErrorResponse
from app.auth.access import access_of

_PATH_ARG = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def documented(*, summary: str, body=None, query=None, responses: dict, tags=("api",)):
    """Attach OpenAPI metadata to a view: ``responses`` maps status code to (schema, text).

    The answers every view can give (401 and 403 as its access decorator decides, 400 for a
    missing CSRF token, 422, 503 while the database is down) are added by ``build_spec``, so
    no view has to list them.
    """

    def decorate(view):
        view.openapi = {"summary": summary, "body": body, "query": query,
                        "responses": responses, "tags": list(tags)}
        return view

    return decorate


def build_spec(app: Flask) -> dict:
    spec = APISpec(title="Aftercare API", version="1", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()])
    spec.components.schema("ErrorResponse", schema=ErrorResponse)
    spec.components.security_scheme("session", {"type": "apiKey", "in": "cookie",
                                                 "name": app.config["SESSION_COOKIE_NAME"]})
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        meta = view_meta(app.view_functions[rule.endpoint])
        if meta is None:
            continue
        methods = sorted(m.lower() for m in rule.methods - {"HEAD", "OPTIONS"})
        path = _PATH_ARG.sub(r"{\1}", rule.rule)
        spec.path(path=path, operations={m: _operation(meta, rule, m) for m in methods})
    return spec.to_dict()


def view_meta(view) -> dict | None:
    """A documented view's metadata, with ``signed_in`` and ``roles`` from its access
    decorator; None for a view that is not documented."""
    meta = getattr(view, "openapi", None)
    if meta is None:
        return None
    access = access_of(view)
    return {**meta, "signed_in": access is not None,
            "roles": access.roles if access is not None else ()}


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
        errors.append((403, "Only for " + " and ".join(f"{role}s" for role in meta["roles"])))
    if meta["body"] is not None or meta["query"] is not None:
        errors.append((422, "Invalid input: field messages in error.fields; nothing was saved"))
    return errors
