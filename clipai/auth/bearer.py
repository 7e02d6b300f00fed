"""Bearer-token checks for HTTP views (no cookies: the token travels in ``Authorization``)."""

from functools import wraps

from flask import g, request
from flask_babel import lazy_gettext as _l

from clipai.errors import APIError
from clipai.services import accounts


def bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def current_user():
    """Return the account behind this request's bearer token, or None."""
    if "clipai_user" not in g:
        token = bearer_token()
        g.clipai_user = accounts.user_for_token(token) if token else None
    return g.clipai_user


def require_role(role: str):
    """Refuse the view with 401 without a valid token and 403 without ``role``."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            user = current_user()
            if user is None:
                raise APIError(401, "unauthorized", _l("Please sign in first."))
            if role not in user.roles:
                raise APIError(403, "forbidden", _l("Your account does not have the %(role)s role.", role=role))
            return view(*args, **kwargs)

        return wrapped

    return decorator
