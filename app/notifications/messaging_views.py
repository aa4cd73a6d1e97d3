"""The routes texts and emails lead to: Twilio's status callback and inbound texts (both signed
with X-Twilio-Signature: a forged one is refused, 403), a message's link, and an email's
unsubscribe (a page with a button, and RFC 8058 one-click POST)."""

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request
from flask_babel import force_locale, gettext
from markupsafe import escape

from app.audit.services import record as audit
from app.clock import utcnow
from app.extensions import csrf
from app.i18n import LANGUAGES
from app.notifications import inbound, messages
from app.notifications.sms import valid_signature

bp = Blueprint("messaging", __name__, template_folder="templates")


def _signed_by_provider() -> bool:
    """Twilio signs the URL it was given (``PUBLIC_BASE_URL`` + path) and the POST fields."""
    url = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + request.path
    if request.query_string:
        url += "?" + request.query_string.decode("latin-1")
    params = {key: request.form[key] for key in request.form}
    return valid_signature(current_app.config["TWILIO_AUTH_TOKEN"], url, params,
                           request.headers.get("X-Twilio-Signature", ""))


def _twiml(message: str | None = None) -> Response:
    inner = f"<Message>{escape(message)}</Message>" if message else ""
    return Response(f'<?xml version="1.0" encoding="UTF-8"?><Response>{inner}</Response>',
                    mimetype="text/xml")


@bp.post("/sms/status/<token>")
@csrf.exempt
def sms_status(token: str):
    if not _signed_by_provider():
        abort(403)
    inbound.status_received(token[:64], request.form.to_dict(), now=utcnow())
    return _twiml()


@bp.post("/sms/inbound")
@csrf.exempt
def sms_inbound():
    """STOP, START and HELP (and their usual synonyms), recorded and honoured."""
    if not _signed_by_provider():
        abort(403)
    phone = inbound.e164(request.form.get("From", "")[:40])
    if phone is None:
        return _twiml()
    now = utcnow()
    keyword, patients = inbound.keyword_received(phone, request.form.get("Body", "")[:160],
                                                 now=now)
    for patient in patients:
        audit(f"sms.{keyword}", now=now, clinic_id=patient.clinic_id, patient_id=patient.id)
    return _twiml(_reply(keyword, patients))


def _reply(keyword: str, patients) -> str | None:
    """In the patient's language (the keywords STOP and START are the carriers', in any)."""
    language = patients[0].user.language if patients else None
    with force_locale(language if language in LANGUAGES else "en"):
        if keyword == "stop":
            return gettext("Aftercare: you will get no more texts. Reply START to get them "
                           "again.")
        if keyword == "start":
            return gettext("Aftercare: check-in texts are on again. Reply STOP to stop them.")
        if keyword == "help":
            phone = patients[0].clinic.phone if patients and patients[0].clinic.phone else None
            words = gettext("Aftercare check-in reminders. Reply STOP to stop texts. In an "
                            "emergency call 911, or call or text 988.")
            return words + " " + gettext("Your clinic: %(phone)s.", phone=phone) if phone else words
    return None


@bp.get("/m/<token>")
def opened(token: str):
    """A message's link (a text's, an email's, a tapped push notification's): its opening is
    recorded, then the check-in or the questionnaire (sign-in first, if need be). The same
    answer for a token nobody was sent."""
    notification = inbound.link_opened(token[:64], now=utcnow())
    return redirect(messages.destination(notification), code=303)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: the mail client's one-click POST has no form token; the URL's is
def unsubscribe(token: str):
    if request.method == "GET":  # a link scanner's GET changes nothing
        return render_template("notifications/unsubscribe.html", token=token, done=False)
    now = utcnow()
    patient = inbound.unsubscribe(token[:64], now=now)
    if patient is not None:
        audit("email.unsubscribe", now=now, clinic_id=patient.clinic_id, patient_id=patient.id)
    return render_template("notifications/unsubscribe.html", token=token, done=True)
