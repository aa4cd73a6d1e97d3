"""Reading API input: JSON bodies and query strings, always through a schema."""

from flask import request
from marshmallow import Schema, ValidationError


def parsed_json():
    """The request's JSON (None when it is not JSON); nesting too deep for the parser is a
    ValidationError (answered 422), not a RecursionError (found by fuzzing)."""
    try:
        return request.get_json(silent=True)
    except RecursionError as error:
        raise ValidationError({"_schema": ["The JSON is nested too deeply."]}) from error


def json_body(schema: Schema) -> dict:
    """The request's JSON body loaded by ``schema``; raises ValidationError (answered 422)."""
    payload = parsed_json()
    if not isinstance(payload, dict):
        raise ValidationError({"_schema": ["Send a JSON object with Content-Type "
                                           "application/json."]})
    return schema.load(payload)


def query_args(schema: Schema) -> dict:
    return schema.load(request.args.to_dict())
