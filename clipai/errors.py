"""Errors as localized HTML pages, or as ``{error: {code, message}}`` under ``/api/``."""

import logging
import time

from flask import jsonify, make_response, render_template, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, InternalServerError

from clipai.extensions import limiter

log = logging.getLogger(__name__)

MESSAGES = {
    400: _l("The request could not be understood."),
    401: _l("Please sign in first."),
    403: _l("You are not allowed to do that."),
    404: _l("There is nothing at this address."),
    405: _l("This address does not accept that kind of request."),
    409: _l("That conflicts with the current state."),
    413: _l("That request is too large."),
    415: _l("Please send JSON."),
    429: _l("Too many requests. Please wait a moment and try again."),
    500: _l("Something went wrong on our side. Please try again later."),
    503: _l("The service is unavailable right now. Please try again shortly."),
}
CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, where a body nested too deeply for the parser is an ordinary parse error (400)."""

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError:  # "[[[[…" thousands deep: not a ValueError, so it would be a 500
            raise ValueError("JSON nested too deeply") from None


class APIError(Exception):
    """An API refusal with a stable code and a localized message."""

    def __init__(self, status: int, code: str, message, **details):
        super().__init__(code)
        self.status, self.code, self.message, self.details = status, code, message, details


def wants_json() -> bool:
    return request.path.startswith("/api/")


def api_error_response(status: int, code: str, message, **details):
    body = {"error": {"code": code, "message": str(message), **details}}
    return jsonify(body), status


def handle_api_error(error: APIError):
    return api_error_response(error.status, error.code, error.message, **error.details)


def handle_http_exception(error: HTTPException):
    status = error.code or 500
    message = MESSAGES.get(status, error.description)
    if wants_json():
        response = api_error_response(status, CODES.get(status, "error"), message)[0]
    else:
        response = make_response(render_template("errors/error.html", status=status, message=message))
    for name, value in error.get_headers():
        if name.lower() not in ("content-type", "content-length"):
            response.headers[name] = value
    if status == 429:
        response.headers["Retry-After"] = str(retry_after_seconds())
    return response, status


def retry_after_seconds() -> int:
    """Seconds until the breached HTTP limit lets the client in again."""
    limit = limiter.current_limit
    if limit is None:
        return 60
    return max(1, int(limit.reset_at - time.time()))


def handle_unexpected(error: Exception):
    log.exception("unhandled error on %s %s", request.method, request.path)
    return handle_http_exception(InternalServerError())


def init_app(app):
    app.json = BoundedJSONProvider(app)
    app.register_error_handler(APIError, handle_api_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)

