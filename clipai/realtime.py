"""What features use to answer Socket.IO events: acknowledgements and refusals.

The Socket.IO machinery itself (options, packets, the message queue) lives in :mod:`clipai.runtime`.
"""

from socketio.exceptions import ConnectionRefusedError as SocketIOConnectionRefused


class ConnectionRefused(SocketIOConnectionRefused):
    """Refuse a connection with ``{code, message}``; socket.io-client shows it as ``err.data``."""

    def __init__(self, code: str, message, **details):
        body = {"code": code, "message": str(message), **details}
        super().__init__(body["message"])
        self.error_args = {**body, "data": body}


def ack_ok(**fields) -> dict:
    """An acknowledgement that says the event was done."""
    return {"ok": True, **fields}


def ack_error(code: str, message, **details) -> dict:
    """An acknowledgement that says why the event was refused (``message`` is localized)."""
    return {"ok": False, "error": {"code": code, "message": str(message), **details}}
