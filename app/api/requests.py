"""Reading API input: JSON bodies and query strings, always through a schema."""

from flask import request
from marshmallow import Schema, ValidationError


def json_body(schema: Schema) -> dict:
    """The request's JSON body loaded by ``schema``; raises ValidationError (answered 422)."""
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise ValidationError({"_schema": ["Send a JSON object with Content-Type "
                                           "application/json."]})
    return schema.load(payload)


def query_args(schema: Schema) -> dict:
    return schema.load(request.args.to_dict())
