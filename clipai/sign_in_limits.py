"""Sign-in limits per account name, counted once the view has parsed the body.

Flask-Limiter checks its limits before the view and takes any exception raised there for an
unreachable storage: it then switches the whole process to a fresh in-memory store. A key
function that read the body raised on a body over ``MAX_CONTENT_LENGTH`` (413), so one large
POST reset every limit. The per-address limit stays with Flask-Limiter (its key never reads
the body); the per-username one is counted here, in the same storage, after parsing.
"""

import hashlib
import hmac

from flask import current_app

from clipai import ratelimit
from clipai.ratelimit import Verdict

MAX_KEYED_USERNAME = 64


def username_key(username) -> str:
    """Key a typed username without keeping it (it may be a misplaced password)."""
    typed = username.lower()[:MAX_KEYED_USERNAME] if isinstance(username, str) else ""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, b"login-user:" + typed.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()[:32]


def admit(username) -> Verdict:
    """Count one sign-in attempt on ``username``; refuse it once ``LOGIN_LIMITS`` is spent."""
    return ratelimit.hit(current_app.config["LOGIN_LIMITS"], "login-user", username_key(username))
