"""Tokens an attacker would try, role checks, sign-in brute force and the Socket.IO session, in process."""

import ast
import re
import secrets
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event

from clipai import storage
from clipai.security import hash_token
from clipai.services import accounts

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CHAT, CONSOLE = "/chat", "/console"
DRAFT = {"texts": {"en": "# Privacy\n\nNothing is collected."}, "summary": "First version"}


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def sign_in(client, username, password, address="192.0.2.1"):
    return client.post("/api/auth/token", json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


@pytest.fixture
def maintainer(app, make_token):
    user, token = make_token(roles=("operator", "maintainer"))
    return user, token


@pytest.fixture
def bad_tokens(app, make_token, maintainer, clock):
    """Every kind of wrong token, by name; all of them must get the same refusal."""
    _, token = maintainer
    _, revoked = make_token(roles=("operator", "maintainer"))
    with app.app_context():
        accounts.revoke_token(revoked)
    disabled_user, disabled = make_token(roles=("operator", "maintainer"))
    with app.app_context():
        accounts.disable_user(disabled_user.username)
    clock.now -= timedelta(hours=app.config["TOKEN_LIFETIME_HOURS"], minutes=1)
    _, expired = make_token(roles=("operator", "maintainer"))
    clock.now += timedelta(hours=app.config["TOKEN_LIFETIME_HOURS"], minutes=1)
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    return {
        "wrong": secrets.token_urlsafe(32),
        "truncated": token[:-1],
        "half": token[: len(token) // 2],
        "altered": flipped,
        "case_swapped": token.swapcase(),
        "revoked": revoked,
        "disabled_account": disabled,
        "expired": expired,
        "stored_hash": hash_token(token),
        "forged_jwt": "eyJhbGciOiJub25lIn0.eyJ1c2VyIjoxLCJyb2xlcyI6WyJtYWludGFpbmVyIl19.",
        "sql": "' OR '1'='1",
        "long": "A" * 10_000,
        "token_twice": token + token,
    }


# --- tokens on HTTP ------------------------------------------------------------------------------


def test_every_bad_token_gets_the_same_refusal_on_http(client, bad_tokens):
    reference = client.post("/api/policy/versions", json=DRAFT, headers=bearer(secrets.token_urlsafe(32)))
    assert reference.status_code == 401
    answers = {name: client.post("/api/policy/versions", json=DRAFT, headers=bearer(token))
               for name, token in bad_tokens.items()}
    assert {name: (answer.status_code, answer.json) for name, answer in answers.items()} == {
        name: (401, reference.json) for name in bad_tokens}


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer ", "Basic dXNlcjpwYXNzd29yZA==", "Token abc", "bearer",
                                    "Bearer\tabc", "Digest username=admin"])
def test_malformed_authorization_headers_get_the_same_refusal(client, header):
    reference = client.post("/api/policy/versions", json=DRAFT)
    answer = client.post("/api/policy/versions", json=DRAFT, headers={"Authorization": header})
    assert (answer.status_code, answer.json) == (401, reference.json)


def test_revoking_with_a_bad_token_gets_the_same_refusal(client, bad_tokens, maintainer):
    answers = {name: client.delete("/api/auth/token", headers=bearer(token)) for name, token in bad_tokens.items()}
    assert {(answer.status_code, answer.get_data()) for answer in answers.values()} == {
        (401, answers["wrong"].get_data())}
    assert client.post("/api/policy/preview", json={"markdown": "x"}, headers=bearer(maintainer[1])).status_code == 200


def test_tokens_are_looked_up_by_their_hash_never_sent_to_the_database(app, client, socket_client, maintainer):
    _, token = maintainer
    statements = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        statements.append(repr(parameters))

    engine = storage.engine(app)
    event.listen(engine, "before_cursor_execute", remember)
    try:
        assert client.post("/api/policy/preview", json={"markdown": "x"}, headers=bearer(token)).status_code == 200
        assert socket_client(CONSOLE, auth={"token": token}).is_connected(CONSOLE)
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    assert not [params for params in statements if token in params]
    assert [params for params in statements if hash_token(token) in params]


SECRET_NAME = re.compile(r"(^|_)(token|secret|password|resume_code|token_hash|code_hash|password_hash)$", re.IGNORECASE)


def _terminal_name(node) -> str:
    """The name a value is read from: ``token`` for ``token``, ``session.token`` or ``tokens[0]``."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript):
        return _terminal_name(node.value)
    return ""


def _compares_secret_in_python(node) -> bool:
    """``a == b`` where a side is a token, secret or password (SQLAlchemy column expressions excepted)."""
    if not isinstance(node, ast.Compare) or not any(isinstance(op, (ast.Eq, ast.NotEq)) for op in node.ops):
        return False
    sides = [node.left, *node.comparators]
    if any(".c." in ast.unparse(side) for side in sides):  # a SQL lookup: the database compares hashes
        return False
    return any(SECRET_NAME.search(_terminal_name(side)) for side in sides)


def test_secrets_are_never_compared_with_equality_in_python():
    offenders = []
    for path in [*PROJECT_ROOT.joinpath("clipai").rglob("*.py"), *PROJECT_ROOT.joinpath("blueprints").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if _compares_secret_in_python(node):
                offenders.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}: {ast.unparse(node)}")
    assert offenders == []  # use a hash lookup in the database, or hmac.compare_digest


# --- tokens on the Socket.IO namespaces ------------------------------------------------------------


def test_every_bad_token_is_refused_on_both_namespaces(socket_client, bad_tokens):
    for name, token in bad_tokens.items():
        assert not socket_client(CONSOLE, auth={"token": token}).is_connected(CONSOLE), name
        assert not socket_client(CHAT, auth={"token": token}).is_connected(CHAT), name


@pytest.mark.parametrize("settings", [{"CHAT_CONNECT_LIMITS": "1000/minute", "CHAT_RESUME_LIMITS": "1000/hour"}])
def test_tokens_of_one_kind_never_open_the_other(socket_client, maintainer):
    _, operator_token = maintainer
    visitor = socket_client(CHAT)
    conversation = visitor.emit("message", {"text": "Hello", "client_msg_id": "c-1"}, namespace=CHAT,
                                callback=True)["conversation"]
    assert not socket_client(CONSOLE, auth={"token": conversation["token"]}).is_connected(CONSOLE)
    assert not socket_client(CONSOLE, auth={"token": conversation["resume_code"]}).is_connected(CONSOLE)
    assert not socket_client(CHAT, auth={"token": operator_token}).is_connected(CHAT)
    assert not socket_client(CONSOLE, auth={"token": [operator_token]}).is_connected(CONSOLE)
    assert not socket_client(CONSOLE, auth=operator_token).is_connected(CONSOLE)


def test_maintainer_without_the_operator_role_cannot_open_the_console(socket_client, make_token):
    _, token = make_token(roles=("maintainer",))
    assert not socket_client(CONSOLE, auth={"token": token}).is_connected(CONSOLE)


# --- roles -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path", "body"), [
    ("post", "/api/policy/versions", DRAFT),
    ("post", "/api/policy/preview", {"markdown": "# x"}),
    ("post", "/api/policy/diff", {"texts": {"en": "x"}}),
])
def test_operator_without_the_maintainer_role_is_forbidden(client, make_token, method, path, body):
    _, token = make_token(roles=("operator",))
    answer = getattr(client, method)(path, json=body, headers=bearer(token))
    assert answer.status_code == 403 and answer.json["error"]["code"] == "forbidden"
    assert client.get("/api/policy/versions").json == []


def test_visitor_calling_operator_events_gets_nothing_and_changes_nothing(app, socket_client, make_token):
    _, token = make_token(roles=("operator",))
    operator = socket_client(CONSOLE, auth={"token": token})
    victim = socket_client(CHAT)
    victim_id = victim.emit("message", {"text": "My secret problem", "client_msg_id": "v-1"}, namespace=CHAT,
                            callback=True)["conversation"]["id"]
    operator.emit("close", {"conversation_id": victim_id}, namespace=CONSOLE, callback=True)
    attacker = socket_client(CHAT)
    attacker.emit("message", {"text": "Hi", "client_msg_id": "a-1"}, namespace=CHAT, callback=True)
    answers = [attacker.emit(name, {"conversation_id": victim_id, "status": "online", "query": "secret",
                                    "shortcut": "pwn", "text": "pwned", "id": 1, "to": None, "after": 0,
                                    "client_msg_id": "a-2"}, namespace=CHAT, callback=True)
               for name in ("list", "reopen", "assign", "search", "canned_list", "canned_save", "presence")]
    history = attacker.emit("history", {"conversation_id": victim_id, "after": 0}, namespace=CHAT, callback=True)
    assert [answer for answer in answers if answer not in (None, [])] == []
    assert [message["text"] for message in history["messages"]] == ["Hi"]
    summary = operator.emit("history", {"conversation_id": victim_id}, namespace=CONSOLE, callback=True)
    assert summary["conversation"]["status"] == "closed" and summary["conversation"]["assigned_to"] is None
    assert operator.emit("canned_list", {}, namespace=CONSOLE, callback=True)["canned"] == []
    assert "My secret problem" not in repr(attacker.get_received(CHAT))


# --- lifecycle events sent as ordinary events --------------------------------------------------



def heard_when_a_visitor_speaks(operator, socket_client) -> list:
    """The events a (supposedly cut) console socket receives when a visitor sends a message."""
    if operator.is_connected(CONSOLE):
        operator.get_received(CONSOLE)
    visitor = socket_client(CHAT)
    assert visitor.emit("message", {"text": "Private question", "client_msg_id": "v-1"}, namespace=CHAT,
                        callback=True)["ok"]
    return [item["name"] for item in operator.get_received(CONSOLE)] if operator.is_connected(CONSOLE) else []

def test_a_disconnect_event_sent_by_the_client_does_not_outlive_revocation(app, socket_client, make_token):
    user, token = make_token(roles=("operator",))
    operator = socket_client(CONSOLE, auth={"token": token})
    operator.emit("disconnect", {}, namespace=CONSOLE)  # a raw EVENT packet named "disconnect"
    with app.app_context():
        accounts.disable_user(user.username)
    assert heard_when_a_visitor_speaks(operator, socket_client) == []


def test_a_connect_event_sent_by_the_client_is_ignored(app, socket_client, make_token):
    _, first = make_token(roles=("operator",), alias="First")
    _, second = make_token(roles=("operator",), alias="Second")
    operator = socket_client(CONSOLE, auth={"token": first})
    operator.emit("connect", {"token": second}, {"token": second}, namespace=CONSOLE)
    visitor = socket_client(CHAT)
    conversation_id = visitor.emit("message", {"text": "Hi", "client_msg_id": "v-1"}, namespace=CHAT,
                                   callback=True)["conversation"]["id"]
    reply = operator.emit("message", {"conversation_id": conversation_id, "text": "Hello", "client_msg_id": "o-1"},
                          namespace=CONSOLE, callback=True)
    assert reply["message"]["alias"] == "First"


def test_a_visitor_disconnect_event_does_not_break_the_visit(socket_client):
    visitor = socket_client(CHAT)
    visitor.emit("message", {"text": "Hi", "client_msg_id": "v-1"}, namespace=CHAT, callback=True)
    visitor.emit("disconnect", {}, namespace=CHAT)
    visitor.emit("connect", {}, {}, namespace=CHAT)
    ack = visitor.emit("message", {"text": "Still me", "client_msg_id": "v-2"}, namespace=CHAT, callback=True)
    assert ack["ok"] and "conversation" not in ack  # the same conversation, not a fresh visit


# --- sign-in brute force ---------------------------------------------------------------------------


@pytest.mark.parametrize("settings", [{"LOGIN_LOCKED_USERNAME_LIMITS": "2 per hour"}])
def test_guessing_one_password_from_many_addresses_is_limited_with_the_same_answer_for_unknown_users(
        app, make_user):
    _, password = make_user(username="olga.k")
    client = app.test_client()
    known = [sign_in(client, "olga.k", f"guess-{n}", address=f"198.51.100.{n}") for n in range(14)]
    unknown = [sign_in(client, "nobody.here", f"guess-{n}", address=f"203.0.113.{n}") for n in range(14)]
    for answers in (known, unknown):  # LOGIN_USERNAME_LIMITS, then the 2 spare attempts of a locked username
        assert [answer.status_code for answer in answers] == [401] * 12 + [429] * 2
        assert all(int(answer.headers["Retry-After"]) > 0 for answer in answers[12:])
    assert {answer.get_data() for answer in known[:12] + unknown[:12]} == {known[0].get_data()}
    assert {answer.get_data() for answer in known[12:] + unknown[12:]} == {known[12].get_data()}
    assert sign_in(client, "olga.k", password, address="192.0.2.200").status_code == 429  # no oracle
    assert sign_in(client, "OLGA.K", password, address="192.0.2.201").status_code == 429  # same account, same key


def test_sign_in_limit_of_one_username_leaves_other_accounts_alone(app, make_user):
    _, password = make_user(username="nina.m")
    client = app.test_client()
    for n in range(12):
        sign_in(client, "olga.k", "guess", address=f"198.51.100.{n}")
    assert sign_in(client, "nina.m", password, address="192.0.2.77").status_code == 200


def test_session_on_one_socket_is_never_taken_from_a_payload(socket_client, make_token):
    _, token = make_token(roles=("operator",))
    operator = socket_client(CONSOLE, auth={"token": token})
    first, second = socket_client(CHAT), socket_client(CHAT)
    first.emit("message", {"text": "Mine", "client_msg_id": "first-1"}, namespace=CHAT, callback=True)
    theirs = second.emit("message", {"text": "Theirs", "client_msg_id": "second-1"}, namespace=CHAT, callback=True)
    first.emit("erase", {"conversation_id": theirs["conversation"]["id"]}, namespace=CHAT, callback=True)
    history = operator.emit("history", {"conversation_id": theirs["conversation"]["id"]}, namespace=CONSOLE,
                            callback=True)
    assert [message["text"] for message in history["messages"]] == ["Theirs"]


def test_another_visitor_behind_the_same_address_reusing_a_message_id_gets_a_conversation_of_their_own(
        socket_client):
    first, second = socket_client(CHAT), socket_client(CHAT)
    mine = first.emit("message", {"text": "My order 1234 is late", "client_msg_id": "1"}, namespace=CHAT,
                      callback=True)
    theirs = second.emit("message", {"text": "Hello", "client_msg_id": "1"}, namespace=CHAT, callback=True)
    assert theirs["ok"] and theirs["message"]["text"] == "Hello"
    assert theirs["conversation"]["id"] != mine["conversation"]["id"]
    assert mine["conversation"]["token"] not in repr(theirs)


# --- a socket outliving its token ------------------------------------------------------------------


def test_signing_out_stops_the_console_socket_of_that_token_from_hearing_visitors(app, client, socket_client,
                                                                                  make_token):
    _, token = make_token(roles=("operator",))
    operator = socket_client(CONSOLE, auth={"token": token})
    assert client.delete("/api/auth/token", headers=bearer(token)).status_code == 204
    assert heard_when_a_visitor_speaks(operator, socket_client) == []


def test_an_expired_token_stops_the_console_socket_from_hearing_visitors(app, socket_client, make_token, clock):
    _, token = make_token(roles=("operator",))
    operator = socket_client(CONSOLE, auth={"token": token})
    operator.get_received(CONSOLE)
    clock.now += timedelta(hours=app.config["TOKEN_LIFETIME_HOURS"], minutes=1)
    visitor = socket_client(CHAT)
    assert visitor.emit("message", {"text": "Private question", "client_msg_id": "v-1"}, namespace=CHAT,
                        callback=True)["ok"]
    heard = operator.get_received(CONSOLE) if operator.is_connected(CONSOLE) else []
    assert [item["name"] for item in heard] == []
