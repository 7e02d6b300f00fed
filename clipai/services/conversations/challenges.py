"""Proof of work for new conversations beyond an address's free budget (ALTCHA, protocol v1).

Many people share one address (offices, schools, mobile carriers), so a spent budget does not
refuse anyone: the browser proves a little work instead, invisibly. A challenge is signed with a
key derived from the instance secret, so nothing about it is stored until a solution is used;
then its signature is remembered in the rate-limit storage until the challenge expires, so each
solution works once. Nothing here sees or keeps the address: callers pass its rotating hash.
"""

import base64
import binascii
import hashlib
import hmac
import json
from datetime import timedelta

from altcha import create_challenge_v1, extract_params_v1, verify_solution_v1
from flask import current_app
from flask_babel import LazyString, ngettext
from flask_babel import lazy_gettext as _l

from clipai import clock, ratelimit
from clipai.services.conversations.validation import INVALID_REQUEST
from clipai.services.errors import ServiceError

ALGORITHM = "SHA-256"
MAX_SOLUTION_LENGTH = 2000  # a base64 ALTCHA payload is a few hundred characters
CHECKING = _l("Many people are writing to us from your network. Your browser is confirming your message; "
              "it will be sent in a moment.")


def _hmac_key() -> bytes:
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, b"altcha-challenge", hashlib.sha256).digest()


def new_challenge() -> dict:
    """A fresh signed challenge, as the browser's ALTCHA solver takes it."""
    seconds = int(current_app.config["CHAT_CHALLENGE_SECONDS"])
    challenge = create_challenge_v1(
        algorithm=ALGORITHM, max_number=int(current_app.config["CHAT_CHALLENGE_MAX_NUMBER"]),
        hmac_key=_hmac_key(), expires=clock.now() + timedelta(seconds=seconds),
    )
    return challenge.to_dict()


def challenge_required(reason: str) -> ServiceError:
    """The refusal that carries a new challenge; ``reason`` is ``needed``, ``invalid``, ``expired`` or ``used``."""
    return ServiceError("challenge_required", CHECKING, challenge=new_challenge(), reason=reason)


def network_busy(retry_after: int) -> ServiceError:
    """The refusal once even solved challenges exceed the network's ceiling (never "too quickly")."""
    message = LazyString(lambda: ngettext(
        "Very many conversations are being started from your network right now. "
        "Your message will be sent in %(num)d second.",
        "Very many conversations are being started from your network right now. "
        "Your message will be sent in %(num)d seconds.", retry_after))
    return ServiceError("rate_limited", message, retry_after=retry_after, scope="network")


def admit(solution, address_key: str) -> None:
    """Let a new conversation past a spent budget if ``solution`` is a fresh, unused, valid one."""
    if solution is None:
        raise challenge_required("needed")
    if not isinstance(solution, str) or len(solution) > MAX_SOLUTION_LENGTH:
        raise ServiceError("invalid", INVALID_REQUEST)
    signature, expires = _verified(solution)
    if expires <= clock.now().timestamp():
        raise challenge_required("expired")
    verdict = ratelimit.hit(current_app.config["CHAT_CHALLENGED_CONVERSATION_LIMITS"], "chat-challenged", address_key)
    if not verdict.allowed:
        raise network_busy(verdict.retry_after)
    if not _first_use(signature):
        raise challenge_required("used")


def _verified(solution: str) -> tuple[str, int]:
    """The signature and expiry of a solution this instance signed and the browser solved."""
    try:
        payload = json.loads(base64.b64decode(solution, validate=True))
        if not isinstance(payload, dict) or payload.get("algorithm") != ALGORITHM:
            raise ValueError("not an ALTCHA payload")
        valid, _error = verify_solution_v1(payload, _hmac_key(), check_expires=False)
        expires = int(extract_params_v1(payload)["expires"][0])
    except (ValueError, TypeError, KeyError, IndexError, binascii.Error):
        raise challenge_required("invalid") from None
    if not valid:
        raise challenge_required("invalid")
    return str(payload["signature"]), expires


def _first_use(signature: str) -> bool:
    """Remember a used solution until its challenge has expired; False when it was used before."""
    seconds = int(current_app.config["CHAT_CHALLENGE_SECONDS"])
    return ratelimit.hit(f"1 per {seconds} seconds", "chat-challenge-used", signature).allowed
