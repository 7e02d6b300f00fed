"""Who may open a conversation: its token or its resume code, and the limit on guessing them."""

import re
import secrets

from flask import current_app
from flask_babel import lazy_gettext as _l

from clipai import ratelimit
from clipai.security import hash_token
from clipai.services.conversations.transactions import read
from clipai.services.conversations.validation import rate_limited
from clipai.services.errors import ServiceError
from clipai.storage import chat as store
from clipai.storage.chat import ConversationState

RESUME_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no I, L, O, U, 0, 1: nothing to misread
RESUME_CODE_LENGTH = 10
UNKNOWN_TOKEN = _l("This conversation could not be found. It may have been erased.")


def new_resume_code() -> str:
    """A short code a person can copy by hand, shown as ``ABCD-EFGH-JK``."""
    raw = "".join(secrets.choice(RESUME_ALPHABET) for _ in range(RESUME_CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normalize_resume_code(secret: str) -> str | None:
    """The canonical form of something typed as a resume code, or None when it cannot be one."""
    compact = re.sub(r"[\s-]", "", secret).upper()
    if len(compact) == RESUME_CODE_LENGTH and all(char in RESUME_ALPHABET for char in compact):
        return compact
    return None


def resume_code_hash(code: str) -> str:
    return hash_token("resume:" + normalize_resume_code(code))


def _lookup_secret(secret) -> ConversationState | None:
    if not isinstance(secret, str) or not secret or len(secret) > 200:
        return None
    code = normalize_resume_code(secret)
    if code:
        return read(lambda conn: store.state_by_resume_code_hash(conn, hash_token("resume:" + code)))
    return read(lambda conn: store.state_by_token_hash(conn, hash_token(secret)))


def resume(secret, address_key: str) -> ConversationState:
    """Find the conversation behind a token or resume code; failed guesses are rate limited."""
    limits = current_app.config["CHAT_RESUME_LIMITS"]
    verdict = ratelimit.peek(limits, "chat-resume", address_key)
    if not verdict.allowed:
        raise rate_limited(verdict.retry_after)
    found = _lookup_secret(secret)
    if found is None:
        ratelimit.hit(limits, "chat-resume", address_key)
        raise ServiceError("unauthorized", UNKNOWN_TOKEN)
    return found
