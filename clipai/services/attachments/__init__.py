"""Images in the support chat: uploading, who may read them, tying them to messages, purging.

An upload is one image over HTTP (never Socket.IO, whose frames are limited to 32 KB), authorized
by the conversation's token (visitors) or an operator's bearer token. Only the re-encoded image
is stored (:mod:`clipai.services.attachments.images`), with its conversation. The message that
sends it names the uploaded ids; until then it is "unsent" and purged after
``CHAT_UNSENT_UPLOAD_MINUTES``.
"""

import logging
from dataclasses import replace
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import SQLAlchemyError

from clipai import clock, ratelimit, storage
from clipai.runtime.offload import run_cpu_bound
from clipai.security import hash_token
from clipai.services import accounts
from clipai.services.attachments.images import EXTENSIONS, ImageRefused, clean_image
from clipai.services.errors import ServiceError
from clipai.storage import chat as store
from clipai.storage.chat import Attachment, Message

log = logging.getLogger(__name__)

URL = "/api/chat/attachments/{id}"
MULTIPART_OVERHEAD = 64 * 1024  # the form's boundaries and headers around the image
MAX_UNSENT_FACTOR = 2  # unsent images a side may hold: twice what one message carries

WRONG_TYPE = _l("Only PNG, JPEG and WebP images can be attached.")
UNREADABLE = _l("This image could not be read. It may be damaged, too large in pixels or not really an image.")
MISSING = _l("An image of this message is no longer available. Please attach it again.")
NO_CONVERSATION = _l("This conversation could not be found. It may have been erased.")
NOT_FOUND = _l("There is nothing at this address.")
UNAVAILABLE = _l("The chat is unavailable right now. Please try again shortly.")
TOO_MANY_UPLOADS = _l("Too many images in a short time. Please wait a moment and try again.")


def too_large() -> ServiceError:
    limit = max_megabytes()
    return ServiceError("too_large", _l("Images can be at most %(max)d MB each.", max=limit), max=limit)


def too_many() -> ServiceError:
    limit = per_message()
    return ServiceError("too_many_attachments",
                        _l("At most %(max)d images can be sent with one message.", max=limit), max=limit)


def max_bytes() -> int:
    return int(current_app.config["CHAT_ATTACHMENT_MAX_BYTES"])


def max_megabytes() -> int:
    return max_bytes() // (1024 * 1024)


def per_message() -> int:
    return int(current_app.config["CHAT_ATTACHMENTS_PER_MESSAGE"])


def _run(work, writing: bool = False):
    """Run ``work(conn)``; a database failure becomes ``unavailable`` (logged without content)."""
    try:
        with (storage.transaction() if writing else storage.reading()) as conn:
            return work(conn)
    except SQLAlchemyError as error:
        log.error("attachments: database error: %s", type(getattr(error, "orig", None) or error).__name__)
        raise ServiceError("unavailable", UNAVAILABLE) from None


# --- who is asking -------------------------------------------------------------------------


def visitor_conversation(token) -> int | None:
    """The conversation whose token this is, or None."""
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    state = _run(lambda conn: store.state_by_token_hash(conn, hash_token(token)))
    return state.id if state else None


def operator(token):
    """The enabled operator behind a bearer token, or None."""
    user = accounts.user_for_token(token) if token else None
    return user if user is not None and user.is_operator else None


def uploader(token, conversation_id) -> tuple[int, str, str]:
    """``(conversation_id, author, limit key)`` for an upload; visitors name no conversation."""
    if not token:
        raise ServiceError("unauthorized", NO_CONVERSATION)
    if conversation_id is None:
        found = visitor_conversation(token)
        if found is None:
            raise ServiceError("not_found", NO_CONVERSATION)
        return found, "visitor", f"conversation-{found}"
    staff = operator(token)
    if staff is None:
        raise ServiceError("unauthorized", _l("Please sign in first."))
    if not _run(lambda conn: store.conversation_state(conn, conversation_id)):
        raise ServiceError("not_found", NO_CONVERSATION)
    return conversation_id, "operator", f"operator-{staff.id}"


# --- uploading, reading, removing ----------------------------------------------------------


def admit(limit_key: str, declared_length: int | None) -> None:
    """Count an upload against its limit and refuse a declared body too large, before it is read."""
    verdict = ratelimit.hit(current_app.config["CHAT_UPLOAD_LIMITS"], "chat-upload", limit_key)
    if not verdict.allowed:
        raise ServiceError("rate_limited", TOO_MANY_UPLOADS, retry_after=verdict.retry_after)
    if declared_length is not None and declared_length > max_bytes() + MULTIPART_OVERHEAD:
        raise too_large()


def upload(conversation_id: int, author: str, data: bytes) -> Attachment:
    """Store one image re-encoded, unsent; refuse other files and oversize ones."""
    if len(data) > max_bytes():
        raise too_large()
    try:
        image = run_cpu_bound(current_app.config["ASYNC_MODE"], clean_image, data,
                              int(current_app.config["CHAT_ATTACHMENT_MAX_PIXELS"]))
    except ImageRefused as refused:
        raise ServiceError("unsupported_type" if refused.reason == "type" else "invalid_image",
                           WRONG_TYPE if refused.reason == "type" else UNREADABLE) from None
    now = clock.now()

    def work(conn):
        store.attachments.delete_unsent_before(conn, _unsent_cutoff(now))
        if store.attachments.count_unsent(conn, conversation_id, author) >= per_message() * MAX_UNSENT_FACTOR:
            raise too_many()
        return store.attachments.insert_attachment(
            conn, conversation_id=conversation_id, author=author, content_type=image.content_type,
            width=image.width, height=image.height, data=image.data, now=now)

    return _run(work, writing=True)


def image_for(attachment_id: int, token) -> tuple[Attachment, bytes]:
    """The image and its bytes, for its conversation's token holder or an operator; else not found."""
    if not token:
        raise ServiceError("unauthorized", NO_CONVERSATION)
    found = _run(lambda conn: store.attachments.attachment_with_data(conn, attachment_id))
    if found is None or not _may_read(found[0], token):
        raise ServiceError("not_found", NOT_FOUND)
    return found


def _may_read(attachment: Attachment, token: str) -> bool:
    """Operators read every image; a visitor their conversation's, but an operator's only once sent."""
    if visitor_conversation(token) == attachment.conversation_id:
        return attachment.message_id is not None or attachment.author == "visitor"
    return operator(token) is not None


def remove_unsent(attachment_id: int, token) -> None:
    """Delete an image its uploader took back before sending (only its own side's, only unsent)."""
    attachment, _ = image_for(attachment_id, token)
    author = "visitor" if visitor_conversation(token) == attachment.conversation_id else "operator"
    if not _run(lambda conn: store.attachments.delete_unsent(conn, attachment_id, author), writing=True):
        raise ServiceError("not_found", NOT_FOUND)


def file_name(attachment: Attachment) -> str:
    return f"image-{attachment.id}.{EXTENSIONS[attachment.content_type]}"


# --- messages ------------------------------------------------------------------------------


def clean_ids(value) -> list[int]:
    """The ids a message names: a list of 1 to ``CHAT_ATTACHMENTS_PER_MESSAGE`` distinct ids."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, int) and not isinstance(item, bool) and item > 0
                                              for item in value) or len(set(value)) != len(value):
        raise ServiceError("invalid", _l("That request was not valid."))
    if len(value) > per_message():
        raise too_many()
    return value


def attach(conn, message: Message, attachment_ids: list[int]) -> Message:
    """Tie the uploaded images to a new message (in its transaction); refuse when one is gone."""
    claimed = store.attachments.claim(conn, attachment_ids, conversation_id=message.conversation_id,
                                      author=message.author, message_id=message.id)
    if claimed != len(attachment_ids):
        raise ServiceError("attachment_missing", MISSING)
    return with_attachments(conn, [message])[0]


def with_attachments(conn, messages: list[Message]) -> list[Message]:
    """The messages, each with its images (one query for all of one conversation's)."""
    if not messages:
        return messages
    by_conversation: dict[int, list[int]] = {}
    for message in messages:
        by_conversation.setdefault(message.conversation_id, []).append(message.id)
    found = {}
    for conversation_id, ids in by_conversation.items():
        found.update(store.attachments.attachments_of_messages(conn, conversation_id, ids))
    return [replace(message, attachments=found[message.id]) if message.id in found else message
            for message in messages]


def payload(item: Attachment) -> dict:
    """``{id, url, content_type, width, height}``: what clients read of an image."""
    return {"id": item.id, "url": URL.format(id=item.id), "content_type": item.content_type,
            "width": item.width, "height": item.height}


def payloads(message: Message) -> list[dict]:
    return [payload(item) for item in message.attachments]


# --- purging -------------------------------------------------------------------------------


def _unsent_cutoff(now):
    return now - timedelta(minutes=int(current_app.config["CHAT_UNSENT_UPLOAD_MINUTES"]))


def purge_unsent() -> int:
    """Delete images uploaded but not sent within ``CHAT_UNSENT_UPLOAD_MINUTES``; return how many."""
    with storage.transaction() as conn:
        return store.attachments.delete_unsent_before(conn, _unsent_cutoff(clock.now()))
