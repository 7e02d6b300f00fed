"""Authentication at the transport: refusals, cross-origin handshakes and secrets in URLs or logs (real server)."""

import secrets

import pytest
import requests
import socketio
import websocket

pytestmark = pytest.mark.server

TRANSPORTS = [["websocket"], ["polling"]]


@pytest.fixture
def server(start_server):
    return start_server(settings={"CHAT_RESUME_LIMITS": "1000/hour", "CHAT_CONNECT_LIMITS": "1000/minute",
                                  "SOCKETIO_HANDSHAKE_LIMITS": "1000/minute"})


def connect_error(url, namespace, auth, transports, headers=None):
    """Connect and return the ``connect_error`` payload (None when the connection was accepted)."""
    client = socketio.Client(reconnection=False)
    errors = []
    client.on("connect_error", lambda data=None: errors.append(data), namespace=namespace)
    try:
        client.connect(url, namespaces=[namespace], transports=transports, auth=auth, headers=headers or {},
                       wait_timeout=10)
    except socketio.exceptions.ConnectionError:
        return errors[0] if errors else "transport refused"
    client.disconnect()
    return None


@pytest.mark.parametrize("transports", TRANSPORTS)
def test_every_bad_token_gets_the_same_refusal_on_both_namespaces(server, database_url, live, transports):
    _, token = live.create_account(database_url, "olga.k", roles=("operator",))
    first = live.Peer(server.url, "/chat")
    conversation = first.say("hello")["conversation"]
    first.close()
    bad = {"wrong": secrets.token_urlsafe(32), "truncated": token[:-1], "altered": token[:-1] + "x",
           "hash_of_a_token": live.hash_of(token), "conversation_token_on_console": conversation["token"],
           "resume_code_on_console": conversation["resume_code"], "sql": "' OR 1=1 --", "empty": "",
           "list": ["x"], "object": {"$ne": None}, "number": 7}
    if transports == ["polling"]:  # each refusal costs the polling client a second: a sample is enough
        bad = {name: bad[name] for name in ("wrong", "altered", "conversation_token_on_console", "list")}
    console = {name: connect_error(server.url, "/console", {"token": value}, transports) for name, value in bad.items()}
    chat = {name: connect_error(server.url, "/chat", {"token": value}, transports) for name, value in bad.items()
            if name not in ("conversation_token_on_console", "resume_code_on_console")}
    chat["operator_token_on_chat"] = connect_error(server.url, "/chat", {"token": token}, transports)
    assert {str(answer) for answer in console.values()} == {str(console["wrong"])}
    assert console["wrong"]["code"] == "unauthorized"
    assert {str(answer) for answer in chat.values()} == {str(chat["wrong"])}
    assert chat["wrong"]["code"] == "unauthorized"
    assert connect_error(server.url, "/console", {"token": token}, transports) is None


# --- cross-origin handshakes -------------------------------------------------------------------


def hostile_origins(port):
    return ["https://evil.example", "null", f"http://127.0.0.1:{port}.evil.example",
            f"http://127.0.0.1:{port}@evil.example", f"http://evil.example#http://127.0.0.1:{port}",
            f"https://127.0.0.1:{port}", "http://127.0.0.1", f"http://localhost.evil.example:{port}", "*",
            f"http://127.0.0.1:{port}/", f"http://127.0.0.1:{port}, https://evil.example"]


def spoofing_headers(port):
    own = f"127.0.0.1:{port}"
    return [{}, {"X-Forwarded-Host": own}, {"X-Forwarded-For": "127.0.0.1", "X-Forwarded-Host": own,
                                            "X-Forwarded-Proto": "http"},
            {"Forwarded": f"for=127.0.0.1;host={own};proto=http"}, {"Referer": f"http://{own}/"},
            {"Sec-Fetch-Site": "same-origin"}, {"X-Original-Host": own, "X-Host": own}]


@pytest.mark.parametrize("settings", [{}, {"TRUSTED_PROXIES": 1}], ids=["direct", "behind_a_proxy"])
def test_cross_origin_polling_handshake_is_refused_whatever_the_forwarding_headers(start_server, settings):
    server = start_server(settings=settings)
    url = server.url + "/socket.io/?EIO=4&transport=polling"
    accepted = []
    for origin in hostile_origins(server.port):
        for extra in spoofing_headers(server.port):
            response = requests.get(url, headers={"Origin": origin, **extra}, timeout=10)
            if response.status_code != 400 or "Access-Control-Allow-Origin" in response.headers:
                accepted.append((origin, extra, response.status_code))
    assert accepted == []
    own = requests.get(url, headers={"Origin": server.url}, timeout=10)
    assert own.status_code == 200 and own.headers["Access-Control-Allow-Origin"] == server.url


@pytest.mark.parametrize("settings", [{}, {"TRUSTED_PROXIES": 1}], ids=["direct", "behind_a_proxy"])
def test_cross_origin_websocket_handshake_is_refused_whatever_the_forwarding_headers(start_server, settings):
    server = start_server(settings=settings)
    url = server.url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    accepted = []
    for origin in hostile_origins(server.port)[:6]:
        for extra in spoofing_headers(server.port):
            try:
                ws = websocket.create_connection(url, timeout=10, header=[f"{k}: {v}" for k, v in extra.items()],
                                                 origin=origin)
            except websocket.WebSocketBadStatusException:
                continue
            accepted.append((origin, extra))
            ws.close()
    assert accepted == []
    websocket.create_connection(url, timeout=10, origin=server.url).close()


def test_host_header_pointing_at_the_attacker_does_not_make_its_origin_same_origin(server):
    response = requests.get(server.url + "/socket.io/?EIO=4&transport=polling",
                            headers={"Origin": "http://evil.example", "Host": "evil.example"}, timeout=10)
    assert response.status_code == 400 and "Access-Control-Allow-Origin" not in response.headers


# --- no secret in a URL or a log line ----------------------------------------------------------------


def test_no_token_password_or_resume_code_reaches_a_url_or_the_log(server, database_url, live):
    password, _ = live.create_account(database_url, "olga.k", roles=("operator", "maintainer"))
    signed_in = requests.post(server.url + "/api/auth/token", json={"username": "olga.k", "password": password},
                              timeout=10).json()
    bearer = signed_in["token"]
    secrets_seen = [password, bearer]
    for transports in (["polling"], ["websocket"]):
        operator = live.Peer(server.url, "/console", auth={"token": bearer}, transports=transports)
        visitor = live.Peer(server.url, "/chat", transports=transports)
        conversation = visitor.say("hello")["conversation"]
        secrets_seen += [conversation["token"], conversation["resume_code"],
                         conversation["resume_code"].replace("-", "")]
        visitor.close()
        for secret in (conversation["token"], conversation["resume_code"]):
            again = live.Peer(server.url, "/chat", auth={"token": secret, "last_seen": 0}, transports=transports)
            again.close()
        operator.say("answer", conversation_id=conversation["id"])
        operator.close()
    headers = {"Authorization": f"Bearer {bearer}"}
    assert requests.post(server.url + "/api/policy/preview", json={"markdown": "x"}, headers=headers,
                         timeout=10).status_code == 200
    assert requests.delete(server.url + "/api/auth/token", headers=headers, timeout=10).status_code == 204
    server.kill()
    log = server.log()
    assert "/api/auth/token" in log and "/socket.io/" in log  # the requests were logged, without secrets
    assert [secret for secret in secrets_seen if secret in log] == []
    assert [line for line in log.splitlines() if "token=" in line.lower() or "auth=" in line.lower()] == []
