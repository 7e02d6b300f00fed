"""The token API: ``POST /api/auth/token`` signs in, ``DELETE`` signs out (bearer tokens, no cookies)."""

from flask import Blueprint, current_app, jsonify, request
from flask_babel import lazy_gettext as _l

from clipai.auth import sign_in_limits
from clipai.auth.bearer import bearer_token
from clipai.errors import CODES, MESSAGES, APIError, api_error_response
from clipai.extensions import limiter
from clipai.services import accounts

bp = Blueprint("auth", __name__)

INVALID_CREDENTIALS = _l("Wrong username or password.")


def _login_limits() -> str:
    return current_app.config["LOGIN_LIMITS"]


def _rate_limited(retry_after: int):
    """The same 429 answer as Flask-Limiter's, so no refusal tells which limit was reached."""
    response, status = api_error_response(429, CODES[429], MESSAGES[429])
    response.headers["Retry-After"] = str(retry_after)
    return response, status


@bp.post("/api/auth/token")
@limiter.limit(_login_limits)  # per hashed address, before the body is read
def create_token():
    """Exchange a username and password for a bearer token."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise APIError(400, "invalid", _l("Send a JSON object with username and password."))
    verdict = sign_in_limits.admit(body.get("username"))
    if not verdict.allowed:
        return _rate_limited(verdict.retry_after)
    user = accounts.authenticate(body.get("username"), body.get("password"))
    if user is None:
        sign_in_limits.record_failure(body.get("username"))
        raise APIError(401, "invalid_credentials", INVALID_CREDENTIALS)
    token, expires_at = accounts.issue_token(user)
    return jsonify(
        token=token,
        expires_at=expires_at.isoformat(),
        roles=user.roles,
        username=user.username,
        alias=user.alias,
    )


@bp.delete("/api/auth/token")
def revoke_token():
    """Revoke the bearer token this request carries."""
    token = bearer_token()
    if not token or not accounts.revoke_token(token):
        raise APIError(401, "unauthorized", _l("Please sign in first."))
    return "", 204
