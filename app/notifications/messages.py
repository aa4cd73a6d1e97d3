"""What a message says, on every channel. Never health data: a fixed sentence and a link.

A push carries a title, a body and the path to open; a text is "Aftercare: <sentence>" and a
link; an email has the same sentence as its subject, a plain-text and an HTML part.
"""

from flask import current_app
from markupsafe import escape

from app.notifications.models import Notification, NotificationKind
from app.prompts import services as prompts

MESSAGES = {
    NotificationKind.PROMPT: "Time for your check-in",
    NotificationKind.REMINDER: "Reminder: your check-in is still open",
    NotificationKind.ESCALATION: "An urgent flag is waiting for a clinician",
}
QUESTIONNAIRE_MESSAGE = "Time for your weekly questionnaire"


def _questionnaire(notification: Notification) -> bool:
    return bool(notification.prompt and prompts.is_questionnaire(notification.prompt.slot))


def payload(notification: Notification) -> dict:
    """What the device receives. Never health data: a fixed sentence and where to go.

    The ``tag`` is the message's own: a copy sent again (after a crash) replaces the
    notification already shown instead of adding a second one."""
    if notification.kind == NotificationKind.ESCALATION:
        return {"title": "Aftercare", "body": MESSAGES[notification.kind], "url": "/clinic/",
                # A flag opened again alerts anew, not as a silent update of the old push.
                "tag": f"flag-{notification.flag_id}-{notification.escalation_round}"}
    if _questionnaire(notification):
        body, url = QUESTIONNAIRE_MESSAGE, "/phq9"
    else:
        body, url = MESSAGES[notification.kind], "/checkin"
    return {"title": "Aftercare", "body": body, "url": url,
            "tag": f"prompt-{notification.prompt_id}"}


def topic(notification: Notification) -> str:
    """Same message, same topic: a copy resent after a crash replaces the first, not adds to it."""
    return f"n{notification.id}"


def sentence(notification: Notification) -> str:
    """"Aftercare: time for your check-in." (or the reminder's, or the questionnaire's)."""
    words = QUESTIONNAIRE_MESSAGE if _questionnaire(notification) else MESSAGES[notification.kind]
    return f"Aftercare: {words[0].lower()}{words[1:]}."


def public_url(path: str) -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path


def link(notification: Notification) -> str:
    """The message's own link: opening it is recorded, then it leads to the check-in."""
    return public_url(f"/m/{notification.link_token}")


def unsubscribe_link(notification: Notification) -> str:
    return public_url(f"/unsubscribe/{notification.link_token}")


def text_body(notification: Notification) -> str:
    return f"{sentence(notification)} {link(notification)}"


def email_parts(notification: Notification) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of the message's email."""
    words, url, leave = sentence(notification), link(notification), unsubscribe_link(notification)
    plain = (f"{words}\n\nOpen Aftercare: {url}\n\n"
             f"To stop these emails: {leave}\n")
    html = (f"<!doctype html><html><body><p>{escape(words)}</p>"
            f'<p><a href="{escape(url)}">Open Aftercare</a></p>'
            f'<p style="color:#555">To stop these emails, <a href="{escape(leave)}">'
            "unsubscribe</a>.</p></body></html>")
    return words.rstrip("."), plain, html


LINK_SENTENCES = {
    NotificationKind.SIGN_IN: ("Aftercare: your sign-in link", "It works once, for a few minutes."),
    NotificationKind.SETUP: ("Aftercare: set up your account", "Your clinic sent you this link; "
                             "it works once."),
}


def link_parts(notification: Notification, url: str) -> tuple[str, str, str, str]:
    """(subject, text message, plain text, HTML) of a sign-in or setup link's message."""
    subject, words = LINK_SENTENCES[notification.kind]
    text = f"{subject}. {words} {url}"
    plain = f"{subject}.\n\n{words}\n\n{url}\n\nIf you did not ask for it, ignore this email.\n"
    html = (f"<!doctype html><html><body><p>{escape(subject)}.</p><p>{escape(words)}</p>"
            f'<p><a href="{escape(url)}">{escape(subject.split(": ", 1)[1].capitalize())}</a>'
            "</p><p>If you did not ask for it, ignore this email.</p></body></html>")
    return subject, text, plain, html
