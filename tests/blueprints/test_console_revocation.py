"""A console socket is cut when its right ends, also when another process or a command ended it.

The changes below are made straight in the database, as ``clipai users …`` or another server
process makes them: no signal reaches this process, only its revocation watch can notice.
"""

import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import update

from clipai import storage
from clipai.security import hash_token
from clipai.storage import users as user_store
from clipai.storage.schema import users

CONSOLE = "/console"
CHAT = "/chat"
CUT_WITHIN = 2.0  # seconds: the documented bound (REVOCATION_CHECK_SECONDS is 0.5)


def cut_within(client, seconds=CUT_WITHIN) -> bool:
    deadline = time.monotonic() + seconds
    while client.is_connected(CONSOLE):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


@pytest.fixture
def operator_socket(make_token, socket_client):
    """An operator's console socket: ``(user, token, client)``."""
    user, token = make_token(alias="Olga")
    client = socket_client(CONSOLE, auth={"token": token})
    assert client.is_connected(CONSOLE)
    client.get_received(CONSOLE)
    return user, token, client


def visitor_says(socket_client, text="Is anyone there?"):
    visitor = socket_client(CHAT)
    ack = visitor.emit("message", {"text": text, "client_msg_id": uuid.uuid4().hex}, namespace=CHAT, callback=True)
    assert ack["ok"]
    return ack


def change_outside_this_process(app, statement):
    with app.app_context(), storage.transaction() as conn:
        conn.execute(statement)


def sign_out_elsewhere(app, user, token):
    with app.app_context(), storage.transaction() as conn:
        user_store.delete_token(conn, hash_token(token))


def disable_elsewhere(app, user, token):
    change_outside_this_process(app, update(users).where(users.c.id == user.id).values(disabled=True))


def new_password_elsewhere(app, user, token):
    with app.app_context(), storage.transaction() as conn:
        user_store.set_password_hash(conn, user.id, "scrypt:new")
        user_store.delete_tokens_of_user(conn, user.id)


def operator_role_removed_elsewhere(app, user, token):
    change_outside_this_process(app, update(users).where(users.c.id == user.id).values(is_operator=False))


@pytest.mark.parametrize("end_the_right", [
    sign_out_elsewhere, disable_elsewhere, new_password_elsewhere, operator_role_removed_elsewhere,
])
def test_a_right_ended_elsewhere_cuts_the_socket_within_two_seconds(app, operator_socket, end_the_right):
    user, token, client = operator_socket
    end_the_right(app, user, token)
    assert cut_within(client)


def test_an_expired_token_cuts_the_socket_without_any_event(app, operator_socket, clock):
    _, _, client = operator_socket
    clock.now += timedelta(hours=13)
    assert cut_within(client)


def test_a_socket_whose_right_holds_stays_connected_and_keeps_hearing_visitors(operator_socket, socket_client):
    _, _, client = operator_socket
    time.sleep(1.2)  # more than two checks
    assert client.is_connected(CONSOLE)
    ack = visitor_says(socket_client)
    heard = [item["args"] for item in client.get_received(CONSOLE) if item["name"] == "message"]
    assert [message["id"] for message in heard] == [ack["message"]["id"]]


def test_only_the_revoked_account_is_cut(app, make_token, socket_client, operator_socket):
    user, token, client = operator_socket
    _, other_token = make_token(alias="Ivan")
    other = socket_client(CONSOLE, auth={"token": other_token})
    sign_out_elsewhere(app, user, token)
    assert cut_within(client)
    assert other.is_connected(CONSOLE)


def test_a_database_that_does_not_answer_does_not_stop_the_watch(app, operator_socket, monkeypatch):
    from clipai.services import accounts

    user, token, client = operator_socket
    answers = iter([RuntimeError("database is down")])

    def flaky(token_hashes, real=accounts.operator_tokens_in_force):
        failure = next(answers, None)
        if failure:
            raise failure
        return real(token_hashes)

    monkeypatch.setattr(accounts, "operator_tokens_in_force", flaky)
    sign_out_elsewhere(app, user, token)
    assert cut_within(client, CUT_WITHIN + 1)
