"""The site's Socket.IO transport: JSON-first packets and events outside the HTTP request cycle."""

import pytest
from socketio import packet

from clipai.extensions import socketio
from clipai.realtime import JsonPacket

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
