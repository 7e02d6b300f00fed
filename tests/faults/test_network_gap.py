"""A visitor's network goes away for a while (no FIN, no RST), others keep talking, the network comes
back: the visitor's client reconnects by itself and gets everything it missed, once, in order."""

import pytest

pytestmark = pytest.mark.server

GAP_SECONDS = 4  # longer than the ping interval plus timeout below, so both sides notice
SETTINGS = {"SOCKETIO_PING_INTERVAL": 1, "SOCKETIO_PING_TIMEOUT": 1}


@pytest.fixture
def proxy(live):
    made = []

    def make(port):
        made.append(live.GapProxy(port))
        return made[-1]

    yield make
    for item in made:
        item.close()


def test_resync_after_a_network_gap_delivers_the_missed_messages_once_in_order(start_server, database_url, live,
                                                                              peers, proxy):
    port = live.free_port()
    network = proxy(port)
    server = start_server(port=port, settings={**SETTINGS, "ALLOWED_ORIGINS": [f"http://127.0.0.1:{port}",
                                                                              network.url]})
    _, token = live.create_account(database_url, "olga.k", alias="Olga")
    resume = {}
    visitor = peers(network.url, "/chat", auth=lambda: resume, reconnection=True)
    opening = visitor.say("hello, anyone?")
    resume.update(token=opening["conversation"]["token"], last_seen=opening["message"]["id"])
    operator = peers(server.url, "/console", auth={"token": token})
    conversation_id = opening["conversation"]["id"]
    assert operator.say("Hi! One moment.", conversation_id=conversation_id)["ok"]
    first_reply, _ = visitor.next_event("message")
    resume["last_seen"] = first_reply["id"]

    network.cut.set()
    visitor.next_event("__disconnect__", timeout=GAP_SECONDS + live.WAIT)  # the client noticed the silence
    missed = [operator.say(f"while you were away {n}", conversation_id=conversation_id)["message"]["id"]
              for n in range(5)]
    network.cut.clear()

    _, before = visitor.next_event("__connect__", timeout=live.WAIT + GAP_SECONDS)  # reconnected by itself
    delivered = [payload["id"] for event, payload in before if event == "message"]
    assert delivered == missed
    assert visitor.say("I am back")["ok"] and "conversation" not in visitor.say("same conversation?")
    later = [payload["id"] for event, payload in visitor.drain() if event == "message"]
    assert later == []  # nothing came twice
    assert live.query(database_url, "SELECT count(*) FROM conversations") == [(1,)]
