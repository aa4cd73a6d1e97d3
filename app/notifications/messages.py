"""What a message says, on every channel. Never health data: a fixed sentence and a link.

A push carries a title, a body, the message's own link (``/m/<token>``, as in a text or an
email: opening it is recorded) and the page it leads to; a text is "Aftercare: <sentence>" and
the link; an email has the same sentence as its subject, a plain-text and an HTML part.
"""

import secrets
from functools import wraps

from flask import current_app
from flask_babel import force_locale, gettext
from markupsafe import escape

from app.auth.models import User
from app.extensions import db
from app.i18n import LANGUAGES, N_
from app.notifications.models import Notification, NotificationKind
from app.prompts import services as prompts

MESSAGES = {
    NotificationKind.PROMPT: N_("Time for your check-in"),
    NotificationKind.REMINDER: N_("Reminder: your check-in is still open"),
    NotificationKind.ESCALATION: N_("An urgent flag is waiting for a clinician"),
}
QUESTIONNAIRE_MESSAGE = N_("Time for your weekly questionnaire")


def in_recipients_language(make):
    """The message in its recipient's language (issue 19): the same fixed sentences, from the
    catalog, whoever sends it (a job has no request to take a language from)."""

    @wraps(make)
    def made(notification: Notification, *args):
        user = db.session.get(User, notification.user_id)
        language = user.language if user is not None and user.language in LANGUAGES else "en"
        with force_locale(language):
            return make(notification, *args)
    return made


def _questionnaire(notification: Notification) -> bool:
    return bool(notification.prompt and prompts.is_questionnaire(notification.prompt.slot))


@in_recipients_language
def payload(notification: Notification) -> dict:
    """What the device receives. Never health data: a fixed sentence, the message's own link
    (an opaque token: no patient, no prompt in it) and the page it leads to, so the service
    worker can focus a window already showing it (and still record the opening).

    The ``tag`` is the message's own: a copy sent again (after a crash) replaces the
    notification already shown instead of adding a second one. The copy's link is the same
    (the token is committed with the claim's run before the first copy is sent)."""
    if notification.kind == NotificationKind.ESCALATION:
        return {"title": "Aftercare", "body": gettext(MESSAGES[notification.kind]),
                "url": "/clinic/",
                # A flag opened again alerts anew, not as a silent update of the old push.
                "tag": f"flag-{notification.flag_id}-{notification.escalation_round}"}
    body = QUESTIONNAIRE_MESSAGE if _questionnaire(notification) else MESSAGES[notification.kind]
    return {"title": "Aftercare", "body": gettext(body), "url": link_path(notification),
            "page": destination(notification), "tag": f"prompt-{notification.prompt_id}"}


def destination(notification: Notification | None) -> str:
    """Where a message's link leads: the weekly questionnaire, else the check-in (also for a
    token nobody was sent, so the answer tells nothing)."""
    return "/phq9" if notification is not None and _questionnaire(notification) else "/checkin"


def topic(notification: Notification) -> str:
    """Same message, same topic: a copy resent after a crash replaces the first, not adds to it."""
    return f"n{notification.id}"


@in_recipients_language
def sentence(notification: Notification) -> str:
    """"Aftercare: time for your check-in." (or the reminder's, or the questionnaire's)."""
    return _sentence(notification)


def _sentence(notification: Notification) -> str:
    """``sentence`` in the language already chosen (Flask-Babel's force_locale does not nest:
    leaving the inner one forgets the outer)."""
    words = gettext(QUESTIONNAIRE_MESSAGE if _questionnaire(notification)
                    else MESSAGES[notification.kind])
    return f"Aftercare: {words[0].lower()}{words[1:]}."


def public_url(path: str) -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path


def link_path(notification: Notification) -> str:
    """``/m/<token>``, the message's own link on every channel: opening it is recorded on the
    message (once), then it leads to ``destination`` (messaging_views.opened). The token is
    made the first time the message needs it, and kept."""
    if notification.link_token is None:
        notification.link_token = secrets.token_urlsafe(16)
    return f"/m/{notification.link_token}"


def link(notification: Notification) -> str:
    return public_url(link_path(notification))


def unsubscribe_link(notification: Notification) -> str:
    return public_url(f"/unsubscribe/{notification.link_token}")


def text_body(notification: Notification) -> str:
    return f"{sentence(notification)} {link(notification)}"  # sentence: in their language


@in_recipients_language
def email_parts(notification: Notification) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of the message's email."""
    words, url, leave = _sentence(notification), link(notification), unsubscribe_link(notification)
    open_it, stop, unsubscribe = (gettext("Open Aftercare"), gettext("To stop these emails"),
                                  gettext("unsubscribe"))
    plain = f"{words}\n\n{open_it}: {url}\n\n{stop}: {leave}\n"
    html = (f"<!doctype html><html><body><p>{escape(words)}</p>"
            f'<p><a href="{escape(url)}">{escape(open_it)}</a></p>'
            f'<p style="color:#555">{escape(stop)}, '
            f'<a href="{escape(leave)}">{escape(unsubscribe)}</a>.</p></body></html>')
    return words.rstrip("."), plain, html


LINK_SENTENCES = {
    NotificationKind.SIGN_IN: (N_("Aftercare: your sign-in link"),
                               N_("It works once, for a few minutes.")),
    NotificationKind.SETUP: (N_("Aftercare: set up your account"),
                             N_("Your clinic sent you this link; it works once.")),
}
IGNORE = N_("If you did not ask for it, ignore this email.")


@in_recipients_language
def link_parts(notification: Notification, url: str) -> tuple[str, str, str, str]:
    """(subject, text message, plain text, HTML) of a sign-in or setup link's message."""
    subject, words = (gettext(part) for part in LINK_SENTENCES[notification.kind])
    ignore = gettext(IGNORE)
    text = f"{subject}. {words} {url}"
    plain = f"{subject}.\n\n{words}\n\n{url}\n\n{ignore}\n"
    html = (f"<!doctype html><html><body><p>{escape(subject)}.</p><p>{escape(words)}</p>"
            f'<p><a href="{escape(url)}">{escape(subject.split(": ", 1)[1].capitalize())}</a>'
            f"</p><p>{escape(ignore)}</p></body></html>")
    return subject, text, plain, html
