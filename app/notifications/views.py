"""Push subscriptions and the VAPID public key, for the PWA."""

from flask import Blueprint, current_app, g, jsonify
from flask_login import current_user

from app.api import schemas as schemas_api
from app.api.errors import error_response
from app.api.openapi import documented
from app.api.requests import json_body
from app.auth.access import login_required
from app.clock import utcnow
from app.notifications import schemas, services
from app.notifications.push_keys import public_key
from app.ratelimits import subscription_limit

api = Blueprint("notifications_api", __name__, url_prefix="/api/v1")


def _subscription_schema() -> schemas.SubscriptionIn:
    return schemas.SubscriptionIn(allowed_hosts=current_app.config["PUSH_ENDPOINT_HOSTS"],
                                  allow_http=current_app.config["PUSH_ALLOW_HTTP"])


@api.get("/push/public-key")
@documented(summary="The VAPID public key for PushManager.subscribe()",
            responses={200: (schemas.PublicKey, "Key"),
                       503: (schemas_api.ErrorResponse, "Push not set up")},
            tags=["push"])
def push_public_key():
    key = public_key(current_app)
    if key is None:
        return error_response(503, "Reminders are not set up on this server yet.")
    return jsonify({"public_key": key})


@api.post("/push-subscriptions")
@login_required
@subscription_limit
@documented(summary="Save this device's push subscription (upsert by endpoint)",
            body=schemas.SubscriptionIn,
            responses={201: (schemas.Subscribed, "Saved"), 200: (schemas.Subscribed, "Updated"),
                       429: (schemas_api.ErrorResponse,
                             "Too many subscriptions saved this minute or hour")},
            tags=["push"])
def subscribe():
    data = json_body(_subscription_schema())
    row, created = services.upsert_subscription(
        current_user.id, data, now=utcnow(), auth_session_id=g.auth_session.id,
        keep=current_app.config["PUSH_SUBSCRIPTIONS_PER_ACCOUNT"])
    return jsonify({"endpoint": row.endpoint, "created": created}), 201 if created else 200


@api.delete("/push-subscriptions")
@login_required
@documented(summary="Forget this device's push subscription", body=schemas.SubscriptionRef,
            responses={204: (None, "Removed"),
                       404: (schemas_api.ErrorResponse, "Not a subscription of yours")},
            tags=["push"])
def unsubscribe():
    data = json_body(schemas.SubscriptionRef())
    if not services.remove_subscription(current_user.id, data["endpoint"]):
        return error_response(404, "No such subscription on your account.")
    return "", 204
