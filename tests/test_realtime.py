"""The site's Socket.IO transport: JSON-first packets and events outside the HTTP request cycle."""

import pytest
from socketio import packet

from clipai.extensions import socketio
from clipai.runtime.events import SOCKET_EVENT_KEY
from clipai.runtime.packets import JsonPacket

MESSAGE = {"id": 7, "author": "visitor", "text": "hello", "created_at": "2030-01-01T12:00:00.000Z",
           "redacted": ["email"], "client_msg_id": "m-1", "conversation_id": 3}


@pytest.mark.parametrize("kind, data, packet_id", [
    (packet.EVENT, ["message", MESSAGE], None),
    (packet.ACK, [{"ok": True, "message": MESSAGE, "nested": [[1, 2.5, None, False]]}], 12),
    (packet.EVENT, ["status", {"operators_online": 0}], None),
])
def test_json_payloads_are_encoded_exactly_as_python_socketio_does(kind, data, packet_id):
    stock = packet.Packet(kind, data=data, namespace="/chat", id=packet_id).encode()
    assert JsonPacket(kind, data=data, namespace="/chat", id=packet_id).encode() == stock


@pytest.mark.parametrize("kind", [packet.EVENT, packet.ACK])
def test_bytes_in_a_payload_still_go_out_as_a_binary_packet(kind):
    data = ["file", {"name": "a.bin", "body": b"\x00\x01"}]
    encoded = JsonPacket(kind, data=data, namespace="/chat", id=3).encode()
    assert encoded == packet.Packet(kind, data=data, namespace="/chat", id=3).encode()
    assert isinstance(encoded, list) and encoded[1] == b"\x00\x01"


def test_a_payload_json_cannot_encode_is_still_an_error():
    with pytest.raises(TypeError):
        JsonPacket(packet.EVENT, data=["message", {"when": object()}]).encode()


def test_a_binary_event_from_a_visitor_is_refused_not_crashed(app):
    visitor = socketio.test_client(app, namespace="/chat")
    ack = visitor.emit("message", {"text": b"\xff\xfe", "client_msg_id": "m-1"}, namespace="/chat", callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "invalid"
    visitor.disconnect(namespace="/chat")


def test_socket_events_skip_the_http_teardown_hooks(app, client):
    torn_down = []
    app.teardown_request(lambda _error: torn_down.append(True))
    visitor = socketio.test_client(app, namespace="/chat")
    ack = visitor.emit("message", {"text": "hello", "client_msg_id": "m-1"}, namespace="/chat", callback=True)
    assert ack["ok"] is True
    assert torn_down == []  # connect and message: no HTTP cycle, and no URL routing either
    client.get("/")
    assert torn_down == [True]
    visitor.disconnect(namespace="/chat")


def test_an_events_request_reads_the_handshake_like_any_request_and_shares_a_null_session(app):
    from flask import Request
    from werkzeug.test import EnvironBuilder

    environ = EnvironBuilder(path="/socket.io/", query_string="EIO=4&transport=websocket",
                             headers={"Origin": "http://localhost", "Accept-Language": "de"}).get_environ()
    environ[SOCKET_EVENT_KEY] = True
    with app.request_context(dict(environ)) as first:
        event = first.request
        plain = Request(dict(environ))
        fields = ("method", "scheme", "server", "root_path", "path", "query_string", "remote_addr", "url")
        assert [getattr(event, name) for name in fields] == [getattr(plain, name) for name in fields]
        assert event.headers["Accept-Language"] == "de" and event.args["transport"] == "websocket"
        with pytest.raises(AttributeError):
            event.sid  # noqa: B018  (Flask-SocketIO sets it per event; nothing invents it)
    with app.request_context(dict(environ)) as second:
        assert second.session is first.session and not second.session
        with pytest.raises(RuntimeError):
            second.session["who"] = "anyone"  # null: nothing can be kept, so no cookie either
    del environ[SOCKET_EVENT_KEY]
    with app.request_context(environ) as http:
        assert type(http.request) is app.request_class and http.session is not first.session
