"""Hard restarts (SIGKILL) on the same port: python-socketio clients reconnect by themselves, resume
their conversations and no conversation is created twice.

Graceful restarts are in test_restarts_browser.py: on SIGTERM the server closes every engine.io
connection, which socket.io-client (the widget, the console) answers by reconnecting while the
python-socketio client, by design, stays disconnected after a server-side close.
"""

import socket

import pytest

pytestmark = pytest.mark.server

VISITORS = 4


def port_in_use(port) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def wait_reconnected(live, peer) -> bool:
    """True once the peer lost its connection and got it back by itself."""
    peer.next_event("__disconnect__", timeout=live.WAIT)
    peer.next_event("__connect__", timeout=live.WAIT * 2)
    return live.eventually(lambda: peer.connected)


@pytest.mark.parametrize("async_mode", ["eventlet", "gevent"])
def test_clients_reconnect_by_themselves_after_sigkill_and_keep_their_conversations(start_server, database_url, live,
                                                                                  peers, async_mode):
    port = live.free_port()
    server = start_server(async_mode=async_mode, port=port)
    _, token = live.create_account(database_url, "olga.k", alias="Olga")
    operator = peers(server.url, "/console", auth={"token": token}, reconnection=True)
    resumes = [{} for _ in range(VISITORS)]
    visitors = [peers(server.url, "/chat", auth=lambda resume=resume: resume, reconnection=True)
                for resume in resumes]
    conversation_ids = []
    for visitor, resume in zip(visitors, resumes):
        opening = visitor.say("before the restart")
        resume.update(token=opening["conversation"]["token"], last_seen=opening["message"]["id"])
        conversation_ids.append(opening["conversation"]["id"])

    server.kill()
    live.eventually(lambda: not port_in_use(port))  # gunicorn's worker notices its master is gone
    start_server(async_mode=async_mode, port=port)

    assert all(wait_reconnected(live, peer) for peer in (*visitors, operator))
    for visitor in visitors:
        ack = visitor.say("after the restart")
        assert ack["ok"] and "conversation" not in ack  # the same conversation, resumed
    answer = operator.say("We are back", conversation_id=conversation_ids[0])
    assert answer["ok"]
    rows = live.query(database_url, "SELECT conversation_id, count(*) FROM messages GROUP BY conversation_id")
    assert sorted(rows) == sorted([(cid, 2) for cid in conversation_ids[1:]] + [(conversation_ids[0], 3)])
    assert live.query(database_url, "SELECT count(*) FROM conversations") == [(VISITORS,)]
    assert live.integrity(database_url) == "ok"


@pytest.mark.parametrize("async_mode", ["eventlet", "gevent"])
def test_a_first_message_resent_after_sigkill_reaches_the_conversation_it_started(start_server, database_url, live,
                                                                                   peers, async_mode):
    port = live.free_port()
    server = start_server(async_mode=async_mode, port=port)
    first = peers(server.url, "/chat").say("My clip export fails", client_msg_id="first-1")
    assert first["ok"]  # acknowledged; the client acts as if this ack were lost

    server.kill()
    live.eventually(lambda: not port_in_use(port))
    start_server(async_mode=async_mode, port=port)
    again = peers(server.url, "/chat").say("My clip export fails", client_msg_id="first-1")

    assert again["ok"] and again["message"] == first["message"]
    assert again["conversation"]["id"] == first["conversation"]["id"]
    assert live.query(database_url, "SELECT count(*) FROM conversations") == [(1,)]
    resumed = peers(server.url, "/chat", auth={"token": again["conversation"]["token"]})
    assert resumed.call("erase")["ok"]  # the new token erases what the first message stored
    assert live.query(database_url, "SELECT count(*) FROM messages") == [(0,)]
