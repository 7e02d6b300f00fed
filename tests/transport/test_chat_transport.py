"""The chat against the real server (eventlet, loopback) with the python-socketio client."""


import pytest
import requests
import socketio


pytestmark = pytest.mark.server

TRANSPORTS = [["websocket"], ["polling"]]
WAIT = 10  # seconds; an upper bound for a loaded machine, never a measured timing


@pytest.fixture
def server(live_server, database_url):
    return live_server(async_mode="eventlet", database_url=database_url)


@pytest.fixture
def operator_token(server, issue_operator_token):
    """An operator account in the live server's database; returns its bearer token."""
    return issue_operator_token()


@pytest.mark.parametrize("transports", TRANSPORTS)
def test_visitor_and_operator_exchange_messages(server, peers, operator_token, transports):
    operator = peers(server.url, "/console", auth={"token": operator_token}, transports=transports)
    visitor = peers(server.url, "/chat", transports=transports)
    ack = visitor.say("Hello, is anyone there?")
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
    first = visitor.say("first question")
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
    conversation = visitor.say("hello", "c-1")["conversation"]
    first = visitor.say("only once", "c-2")
    visitor.close()
    again = peers(server.url, "/chat", auth={"token": conversation["token"]}, transports=transports)
    assert again.say("only once", "c-2") == {"ok": True, "message": first["message"]}
    texts = [message["text"] for message in again.call("history", {"after": 0})["messages"]]
    assert texts == ["hello", "only once"]


@pytest.mark.parametrize("transports", TRANSPORTS)
def test_oversize_frame_is_refused_and_other_visitors_keep_chatting(server, peers, transports):
    bystander = peers(server.url, "/chat", transports=transports)
    bystander.say("hello")
    sender = peers(server.url, "/chat", transports=transports)
    oversize = "x" * (64 * 1024)  # SOCKETIO_MAX_HTTP_BUFFER_SIZE is 32 KB
    sender.sio.emit("message", {"text": oversize, "client_msg_id": "big"}, namespace="/chat")
    sender.next_event("__disconnect__")  # the server cut this client off
    assert not sender.sio.connected
    assert bystander.say("still working?")["ok"]
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
