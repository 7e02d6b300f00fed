"""Sign-in limits per account name: they bound guessing without letting anyone lock the owner out.

Counted in the view once the body is parsed. Flask-Limiter checks its limits before the view and
takes any exception raised there for an unreachable storage, switching the whole process to a
fresh in-memory store: a key function that read the body raised on a body over
``MAX_CONTENT_LENGTH`` (413), so one large POST reset every limit. The per-address limit stays
with Flask-Limiter (its key never reads the body).

Following OWASP's advice on lock-out, the limit on one username is not a wall anyone can raise:

- ``LOGIN_USERNAME_LIMITS`` bounds the attempts on a username from all addresses together;
- once it is spent, an address that failed on that username in the last hour is refused, but
  an address that did not is still heard, up to ``LOGIN_LOCKED_USERNAME_LIMITS`` attempts: the
  owner signs in from their own address while someone sprays guesses from a dozen others.

Every verdict is reached before the password is checked (no answer depends on it), and an
attempt is counted before it is evaluated, so concurrent requests cannot exceed the bounds.
"""

import hashlib
import hmac

from flask import current_app

from clipai import ratelimit
from clipai.ratelimit import Verdict
from clipai.security import hashed_client_address

MAX_KEYED_USERNAME = 64
# One entry per (username, address) that failed; it marks the address for the window.
FAILED_ADDRESS_MEMORY = "1 per hour"


def username_key(username) -> str:
    """Key a typed username without keeping it (it may be a misplaced password)."""
    typed = username.lower()[:MAX_KEYED_USERNAME] if isinstance(username, str) else ""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, b"login-user:" + typed.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()[:32]


def admit(username) -> Verdict:
    """Count one attempt on ``username`` and say whether its password may be checked."""
    config, user_key = current_app.config, username_key(username)
    verdict = ratelimit.hit(config["LOGIN_USERNAME_LIMITS"], "login-user", user_key)
    if verdict.allowed or _failed_from_here(user_key):
        return verdict
    spare = ratelimit.hit(config["LOGIN_LOCKED_USERNAME_LIMITS"], "login-user-locked", user_key)
    return spare if spare.allowed else verdict


def record_failure(username) -> None:
    """Mark this address as one that failed on ``username``: refused while the username is locked."""
    ratelimit.hit(FAILED_ADDRESS_MEMORY, "login-failed", username_key(username), hashed_client_address())


def _failed_from_here(user_key: str) -> bool:
    return not ratelimit.peek(FAILED_ADDRESS_MEMORY, "login-failed", user_key, hashed_client_address()).allowed
