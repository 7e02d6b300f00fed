"""The chat against the real server (eventlet, loopback) with the python-socketio client."""

import queue
import uuid

import pytest
import requests
import socketio

from clipai import create_app
from clipai.services import accounts

pytestmark = pytest.mark.server

TRANSPORTS = [["websocket"], ["polling"]]
WAIT = 10  # seconds; an upper bound for a loaded machine, never a measured timing


class Peer:
    """A Socket.IO client on one namespace that keeps every event it receives, in order."""

    def __init__(self, url, namespace, auth=None, transports=("websocket",), headers=None):
        self.namespace = namespace
        self.events = queue.Queue()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("*", self._record, namespace=namespace)
        self.sio.on("disconnect", self._disconnected, namespace=namespace)
        self.sio.connect(url, namespaces=[namespace], transports=list(transports), auth=auth,
                         headers=headers or {}, wait_timeout=WAIT)

    def _record(self, event, *args):
        self.events.put((event, args[0] if args else None))

    def _disconnected(self, *_reason):
        self.events.put(("__disconnect__", None))

    def call(self, event, payload=None):
        return self.sio.call(event, {} if payload is None else payload, namespace=self.namespace, timeout=WAIT)

    def next_event(self, name):
        """Wait for the next ``name`` event; the events before it are returned too."""
        skipped = []
        while True:
            event, payload = self.events.get(timeout=WAIT)
            if event == name:
                return payload, skipped
            skipped.append((event, payload))

    def close(self):
        if self.sio.connected:
            self.sio.disconnect()
        # After a server-side cut the client library leaves its sockets open: close them here.
        websocket = getattr(self.sio.eio, "ws", None)
        if websocket is not None:
            websocket.shutdown()
        http = getattr(self.sio.eio, "http", None)
        if http is not None:
            http.close()


@pytest.fixture
def database_url(tmp_path):
    return f"sqlite:///{tmp_path / 'live.sqlite3'}"


@pytest.fixture
def server(live_server, database_url):
    return live_server(async_mode="eventlet", database_url=database_url)


@pytest.fixture
def peers():
    made = []

    def make(*args, **kwargs):
        peer = Peer(*args, **kwargs)
        made.append(peer)
        return peer

    yield make
    for peer in made:
        peer.close()


@pytest.fixture
def operator_token(server, database_url):
    """An operator account in the live server's database; returns its bearer token."""
    app = create_app({"DATABASE_URL": database_url, "ASYNC_MODE": "threading", "SECRET_KEY": "x"})
    with app.app_context():
        user = accounts.create_user("olga.k", "a-long-password", ["operator"], alias="Olga")
        token, _ = accounts.issue_token(user)
    app.extensions["clipai.engine"].dispose()
    return token


def say(peer, text, client_msg_id=None):
    return peer.call("message", {"text": text, "client_msg_id": client_msg_id or uuid.uuid4().hex})


@pytest.mark.parametrize("transports", TRANSPORTS)
def test_visitor_and_operator_exchange_messages(server, peers, operator_token, transports):
    operator = peers(server.url, "/console", auth={"token": operator_token}, transports=transports)
    visitor = peers(server.url, "/chat", transports=transports)
    ack = say(visitor, "Hello, is anyone there?")
    assert ack["ok"] and ack["conversation"]["token"]
    delivered, _ = operator.next_event("message")
    assert delivered["id"] == ack["message"]["id"] and delivered["text"] == "Hello, is anyone there?"
    reply = operator.call("message", {"conversation_id": ack["conversation"]["id"], "text": "Yes, how can I help?",
                                      "client_msg_id": "o-1"})
    assert reply["ok"]
    answer, _ = visitor.next_event("message")
    assert answer == {"id": reply["message"]["id"], "author": "operator", "text": "Yes, how can I help?",
                      "created_at": reply["message"]["created_at"], "redacted": [], "alias": "Olga"}


@pytest.mark.parametrize("transports", TRANSPORTS)
def test_reconnect_with_last_seen_delivers_the_missed_messages_once_in_order(server, peers, operator_token,
                                                                             transports):
    visitor = peers(server.url, "/chat", transports=transports)
    first = say(visitor, "first question")
    conversation = first["conversation"]
    visitor.close()
    operator = peers(server.url, "/console", auth={"token": operator_token}, transports=transports)
    missed = [
        operator.call("message", {"conversation_id": conversation["id"], "text": f"answer {n}",
                                  "client_msg_id": f"o-{n}"})["message"]["id"]
        for n in range(3)
    ]
    back = peers(server.url, "/chat", auth={"token": conversation["token"], "last_seen": first["message"]["id"]},
                 transports=transports)
    # The server sends the missed messages, then the status: everything before the status is the delivery.
    _, before_status = back.next_event("status")
    assert [payload["id"] for event, payload in before_status if event == "message"] == missed
    assert back.call("history", {"after": missed[-1]})["messages"] == []


@pytest.mark.parametrize("transports", TRANSPORTS)
def test_retry_with_the_same_client_msg_id_is_not_a_duplicate(server, peers, transports):
    visitor = peers(server.url, "/chat", transports=transports)
    conversation = say(visitor, "hello", "c-1")["conversation"]
    first = say(visitor, "only once", "c-2")
    visitor.close()
    again = peers(server.url, "/chat", auth={"token": conversation["token"]}, transports=transports)
    assert say(again, "only once", "c-2") == {"ok": True, "message": first["message"]}
    texts = [message["text"] for message in again.call("history", {"after": 0})["messages"]]
    assert texts == ["hello", "only once"]


@pytest.mark.parametrize("transports", TRANSPORTS)
def test_oversize_frame_is_refused_and_other_visitors_keep_chatting(server, peers, transports):
    bystander = peers(server.url, "/chat", transports=transports)
    say(bystander, "hello")
    sender = peers(server.url, "/chat", transports=transports)
    oversize = "x" * (64 * 1024)  # SOCKETIO_MAX_HTTP_BUFFER_SIZE is 32 KB
    sender.sio.emit("message", {"text": oversize, "client_msg_id": "big"}, namespace="/chat")
    sender.next_event("__disconnect__")  # the server cut this client off
    assert not sender.sio.connected
    assert say(bystander, "still working?")["ok"]
    texts = [message["text"] for message in bystander.call("history", {"after": 0})["messages"]]
    assert texts == ["hello", "still working?"]


def test_bad_token_is_refused_with_the_unauthorized_code(server):
    client = socketio.Client(reconnection=False)
    errors = []
    client.on("connect_error", lambda data=None: errors.append(data), namespace="/chat")
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(server.url, namespaces=["/chat"], transports=["websocket"], auth={"token": "forged"},
                       wait_timeout=WAIT)
    assert errors and errors[0]["code"] == "unauthorized" and errors[0]["data"]["code"] == "unauthorized"


def test_console_refuses_a_connection_without_a_token(server):
    client = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(server.url, namespaces=["/console"], transports=["websocket"], wait_timeout=WAIT)


@pytest.mark.parametrize("transports", TRANSPORTS)
def test_handshake_from_a_foreign_origin_is_refused(server, transports):
    client = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(server.url, namespaces=["/chat"], transports=transports,
                       headers={"Origin": "https://evil.example"}, wait_timeout=WAIT)


def test_polling_handshake_from_a_foreign_origin_gets_no_session(server):
    response = requests.get(server.url + "/socket.io/?EIO=4&transport=polling",
                            headers={"Origin": "https://evil.example"}, timeout=WAIT)
    assert response.status_code == 400
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Set-Cookie" not in response.headers
