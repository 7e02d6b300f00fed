"""Transcript export: one conversation as plain text or JSON, downloaded by an operator.

``GET /api/console/conversations/<id>/transcript?format=text|json`` with the operator's bearer
token. The transcript names the conversation by its number only; operators appear by alias and
the visitor as "Visitor" (no client message ids, nothing else that could point at a person).
The JSON shape is documented in docs/console.md.
"""

from babel import Locale
from flask import current_app, jsonify, make_response, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from clipai import clock, ratelimit
from clipai.auth import require_role
from clipai.auth.bearer import current_user
from clipai.errors import APIError, api_error_response
from clipai.services import conversations
from clipai.services.errors import ServiceError

FORMATS = ("text", "json")
JSON_FORMAT_NAME = "clipai-transcript/1"
TOO_MANY_ACTIONS = _l("Too many actions in a short time. Please wait a moment and try again.")
UNKNOWN_FORMAT = _l("The format must be text or json.")


def _all_messages(conversation_id):
    """The conversation and every message of it, oldest first, page by page."""
    conversation, messages, more = conversations.history(conversation_id, 0)
    while more:
        _, page, more = conversations.history(conversation_id, messages[-1].id)
        messages += page
    return conversation, messages


def _message_json(message) -> dict:
    return {key: value for key, value in conversations.for_visitor(message).items() if key != "client_msg_id"}


def transcript_json(conversation, messages) -> dict:
    """The JSON transcript (shape in docs/console.md)."""
    summary = conversations.summary(conversation)
    assigned = summary["assigned_to"]
    return {
        "format": JSON_FORMAT_NAME,
        "exported_at": clock.iso(clock.now()),
        "conversation": {
            "id": summary["id"],
            "status": summary["status"],
            "locale": summary["locale"],
            "created_at": summary["created_at"],
            "last_activity_at": summary["last_activity_at"],
            "erase_after": summary["erase_after"],
            "assigned_to": assigned["alias"] if assigned else None,
        },
        "messages": [_message_json(message) for message in messages],
    }


def _language_name(code) -> str:
    try:
        return Locale.parse(code).get_display_name(get_locale()) or code
    except (ValueError, TypeError):
        return code or "?"


def _author(message) -> str:
    if message.author == "visitor":
        return _("Visitor")
    if message.author == "operator" and message.operator_alias:
        return message.operator_alias
    return _("System")


def _when(instant) -> str:
    return clock.iso(instant, "seconds").replace("T", " ").replace("Z", " UTC")


def transcript_text(conversation, messages) -> str:
    """The plain-text transcript: a short head, then one block per message (UTC times)."""
    lines = [
        _("Conversation #%(id)s", id=conversation.id),
        _("Visitor's language: %(language)s", language=_language_name(conversation.locale)),
        _("Exported on %(when)s", when=_when(clock.now())),
        "",
    ]
    for message in messages:
        text = message.text.replace("\n", "\n    ")
        lines.append(f"[{_when(message.created_at)}] {_author(message)}: {text}")
    return "\n".join(lines) + "\n"


def _rate_limited(user):
    """The 429 answer (with ``Retry-After``) when the account used up its console actions, else None."""
    verdict = ratelimit.hit(current_app.config["CONSOLE_EVENT_LIMITS"], "console-event", str(user.id))
    if verdict.allowed:
        return None
    response, status = api_error_response(429, "rate_limited", TOO_MANY_ACTIONS, retry_after=verdict.retry_after)
    response.headers["Retry-After"] = str(verdict.retry_after)
    return response, status


def _download(body: str, mimetype: str, filename: str):
    response = make_response(body)
    response.mimetype = mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@require_role("operator")
def transcript(conversation_id: int):
    """Download the transcript of one conversation (``?format=text`` by default, or ``json``)."""
    kind = request.args.get("format", "text")
    if kind not in FORMATS:
        raise APIError(400, "invalid", UNKNOWN_FORMAT)
    refused = _rate_limited(current_user())
    if refused:
        return refused
    try:
        conversation, messages = _all_messages(conversation_id)
    except ServiceError as error:
        raise APIError(404 if error.code == "not_found" else 503, error.code, error.message) from error
    name = f"clipai-conversation-{conversation.id}"
    if kind == "json":
        body = jsonify(transcript_json(conversation, messages)).get_data(as_text=True)
        return _download(body, "application/json", name + ".json")
    return _download(transcript_text(conversation, messages), "text/plain", name + ".txt")
