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


def documented(*, summary: str, body=None, query=None, responses: dict, tags=("api",)):
    """Attach OpenAPI metadata to a view: ``responses`` maps status code to (schema, text)."""

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
    for status, text in ((401, "Not signed in"), (422, "Invalid input")):
        if status == 422 and meta["body"] is None and meta["query"] is None:
            continue
        operation["responses"].setdefault(str(status), {
            "description": text,
            "content": {"application/json": {"schema": "ErrorResponse"}}})
    return operation
