"""The bench's load generator speaks Socket.IO in raw frames: against the real site, every message
it sends is acked, stored and delivered to the operator once, and what it counts says so."""

import asyncio
import json

import pytest

from bench import socket_load, socket_runs
from bench.raw_socketio import RawClient, Refused
from tests.fixtures.own_loop import run_on_own_loop

pytestmark = pytest.mark.server

WAIT = 10  # seconds; an upper bound for a loaded machine, never a measured timing
UNLIMITED = "100000 per minute"
SETTINGS = {name: UNLIMITED for name in ("CHAT_MESSAGE_LIMITS", "CHAT_NEW_CONVERSATION_LIMITS", "CHAT_CONNECT_LIMITS",
                                         "SOCKETIO_HANDSHAKE_LIMITS", "CHAT_EVENT_LIMITS", "CONSOLE_EVENT_LIMITS")}


@pytest.mark.parametrize("async_mode", ["eventlet", "gevent"])
def test_a_relay_run_counts_every_message_acked_stored_and_delivered_once(live_server, database_url,
                                                                           issue_operator_token, capsys, async_mode):
    server = live_server(async_mode=async_mode, settings=SETTINGS, database_url=database_url)
    spec = {"scenario": "relay", "url": server.url, "visitor_ns": "/chat", "operator_ns": "/console",
            "operator_auth": {"token": issue_operator_token("bench.operator", "Bench")}, "first_message": True, "visitors": 4,
            "rates": [60], "seconds": 1, "saturate_seconds": 1, "window": 2, "warmup_rate": 40,
            "warmup_seconds": 0.5, "drain": WAIT, "prefix": f"test-{async_mode}"}
    run_on_own_loop(lambda: socket_load.relay(spec))
    results = json.loads(capsys.readouterr().out.splitlines()[-1])

    saturation, [fixed] = results["saturation"], results["runs"]
    assert saturation["sustained"] > 0 and fixed["sent"] == 60
    for run in (saturation, fixed):
        assert run["acked"] == run["sent"] == run["delivered"], run
        assert (run["lost"], run["duplicated"], run["unanswered"], run["failed"]) == (0, 0, 0, {})
        assert run["delivery_p50_ms"] is not None and run["ack_p50_ms"] is not None
    stored = socket_runs.stored_check(database_url.removeprefix("sqlite:///"), results)
    assert stored == {"acked": saturation["acked"] + fixed["acked"], "not_stored": 0, "stored_twice": 0}


def test_a_held_client_answers_pings_and_a_refused_namespace_raises(live_server, database_url):
    server = live_server(settings={**SETTINGS, "SOCKETIO_PING_INTERVAL": 0.5, "SOCKETIO_PING_TIMEOUT": 1},
                         database_url=database_url)

    async def scenario():
        session = socket_load.new_session()
        try:
            with pytest.raises(Refused):
                await RawClient.connect(session, server.url, "/console", {"token": "not-a-token"})
            gone = []
            held = await RawClient.connect(session, server.url, "/chat", on={"disconnect": gone.append})
            await asyncio.sleep(3)  # six pings; an unanswered one closes the connection after a second
            answered = asyncio.get_running_loop().create_future()
            await held.emit("message", {"text": "still here?", "client_msg_id": "held-1"}, answered.set_result)
            ack = await asyncio.wait_for(answered, WAIT)
            await held.disconnect()
            return gone, ack
        finally:
            await session.close()

    gone, ack = run_on_own_loop(scenario)
    assert ack["ok"] and ack["message"]["text"] == "still here?"
    assert gone == ["transport close"]  # only when the client itself left
