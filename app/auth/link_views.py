"""Sign-in by link, for patients: ask for a link by phone or email; open it; press the button."""

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from app.audit.services import record as audit
from app.auth import known_devices, login_links
from app.auth.schemas import LinkRequest
from app.auth.signing_in import home_for, remember_device, sign_in
from app.clock import utcnow
from app.extensions import limiter
from app.forms import first_errors, load_form
from app.notifications.messages import public_url

bp = Blueprint("login_links", __name__, template_folder="templates")


def _limit():
    return current_app.config["SIGN_IN_LINK_RATE_LIMIT"]


def _per_address() -> str:
    """The per-phone-or-email counter: a keyed digest, so no address reaches the limiter."""
    return "sign-in-link:" + known_devices.account_digest(request.form.get("address", "")[:254])


@bp.route("/login/link", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"])
@limiter.limit(_limit, methods=["POST"], key_func=_per_address)
def ask():
    """The same answer whether or not the phone or email has an account (and the sending
    itself is the send job's, so the answer takes the same time too)."""
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    errors: dict = {}
    if request.method == "POST":
        data, errors = load_form(LinkRequest())
        if data:
            now = utcnow()
            sent = login_links.send_links(
                data["address"], data["phone"], now=now,
                lifetime=current_app.config["SIGN_IN_LINK_LIFETIME"],
                url_for_token=lambda token: public_url(url_for("login_links.open_link",
                                                               token=token)))
            audit("auth.sign_in_link_asked", now=now, links=sent)
            return render_template("auth/link_sent.html", minutes=_minutes())
    return render_template("auth/link_ask.html", errors=first_errors(errors),
                           address=request.form.get("address", "")), 422 if errors else 200


def _minutes() -> int:
    return int(current_app.config["SIGN_IN_LINK_LIFETIME"].total_seconds() // 60)


@bp.route("/login/link/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SETUP_RATE_LIMIT"])
def open_link(token: str):
    """GET shows the button (nothing is spent); its POST signs in."""
    now = utcnow()
    if request.method == "GET":
        link = login_links.usable(token, now=now)
        if link is None:
            return render_template("auth/link_expired.html"), 410
        return render_template("auth/link_open.html", token=token)
    user = login_links.use(token, now=now)
    if user is None:
        return render_template("auth/link_expired.html"), 410
    sign_in(user)
    audit("auth.login_by_link", now=now, actor=user)
    return remember_device(redirect(home_for(user), code=303), user.account_name)
