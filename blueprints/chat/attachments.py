"""HTTP for chat images: upload one (multipart), fetch one, take back an unsent one.

Images never travel through Socket.IO (its frames are limited to 32 KB). Every request carries a
token in ``Authorization: Bearer …``: the conversation's token (visitors) or an operator's.
Never a cookie. The rules are :mod:`clipai.services.attachments`.
"""

from flask import Blueprint, Response, jsonify, request

from clipai.auth.bearer import bearer_token
from clipai.errors import APIError
from clipai.services import attachments
from clipai.services.errors import ServiceError

bp = Blueprint("attachments", __name__)  # nested in the chat's: endpoints are chat.attachments.*

STATUS = {"unauthorized": 401, "not_found": 404, "too_large": 413, "unsupported_type": 415, "invalid_image": 400,
          "too_many_attachments": 409, "rate_limited": 429, "unavailable": 503, "invalid": 400}


@bp.errorhandler(ServiceError)
def refused(error: ServiceError):
    status = STATUS.get(error.code, 400)
    response = jsonify(error={"code": error.code, "message": str(error.message), **error.details})
    if status == 429:
        response.headers["Retry-After"] = str(error.details.get("retry_after", 60))
    return response, status


def _conversation_field():
    """The ``conversation_id`` an operator names (visitors name none: their token says it)."""
    value = request.args.get("conversation_id")
    if value is None:
        return None
    if not value.isdigit() or not 0 < int(value) < 2**63:
        raise APIError(400, "invalid", attachments.NOT_FOUND)
    return int(value)


@bp.post("/api/chat/attachments")
def upload():
    """One image as the multipart field ``file`` → 201 ``{attachment: {id, url, content_type, width, height}}``."""
    conversation_id, author, limit_key = attachments.uploader(bearer_token(), _conversation_field())
    attachments.admit(limit_key, request.content_length)
    request.max_content_length = attachments.max_bytes() + attachments.MULTIPART_OVERHEAD
    file = request.files.get("file")
    if file is None:
        raise ServiceError("unsupported_type", attachments.WRONG_TYPE)
    try:
        data = file.read(attachments.max_bytes() + 1)
    finally:
        file.close()
    stored = attachments.upload(conversation_id, author, data)
    return jsonify(attachment=attachments.payload(stored)), 201


@bp.get("/api/chat/attachments/<int:attachment_id>")
def image(attachment_id: int):
    """The image, for its conversation's token holder or an operator; never cached, never sniffed."""
    attachment, data = attachments.image_for(attachment_id, bearer_token())
    response = Response(data, mimetype=attachment.content_type)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = f'inline; filename="{attachments.file_name(attachment)}"'
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.delete("/api/chat/attachments/<int:attachment_id>")
def remove(attachment_id: int):
    """Take back an image uploaded but not sent (its preview's remove button)."""
    attachments.remove_unsent(attachment_id, bearer_token())
    return "", 204
