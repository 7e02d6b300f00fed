"""The operator console page and its token API (no cookies: bearer tokens only)."""

from flask import Blueprint, current_app, jsonify, render_template, request
from flask_babel import lazy_gettext as _l

from blueprints.console.strings import console_strings
from clipai import sign_in_limits
from clipai.auth import bearer_token
from clipai.errors import CODES, MESSAGES, APIError, api_error_response
from clipai.extensions import limiter
from clipai.services import accounts

bp = Blueprint("console", __name__, template_folder="templates", static_folder="static",
               static_url_path="/console/static")

INVALID_CREDENTIALS = _l("Wrong username or password.")


@bp.get("/console")
def console_page():
    """Serve the operator console; it signs in through the token API, so the page itself is public."""
    return render_template("console/console.html", console_strings=console_strings(), chat_widget_hidden=True)


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
