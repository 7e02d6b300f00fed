"""SIGTERM: the process stops accepting, finishes the acks in progress, and closes its sockets."""

import shutil
import signal
import subprocess
import time

import pytest
import socketio

pytestmark = [pytest.mark.server, pytest.mark.redis, pytest.mark.postgres]


@pytest.fixture(params=["eventlet", "gevent"])
def site(request, live_server, postgres_url, shared_redis, key_prefix, kit):
    settings = kit.settings(key_prefix, shared_redis)
    return [live_server(async_mode=request.param, settings=settings, database_url=postgres_url) for _ in range(2)]


def waiting_on_a_lock(session) -> bool:
    return bool(session.execute(
        "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
    ).fetchone())


def test_sigterm_finishes_the_ack_in_flight_then_the_client_reconnects_elsewhere(site, postgres_url, peers, kit):
    first, second = site
    visitor = peers(first.url, "/chat")
    started = kit.say(visitor, "first question")
    conversation = started["conversation"]

    locker = kit.postgres_session(postgres_url)
    with locker.transaction():
        locker.execute("LOCK TABLE messages IN EXCLUSIVE MODE")  # the next message waits for us
        visitor.emit_recorded("message", {"text": "sent while the server stops", "client_msg_id": "in-flight"})
        watcher = kit.postgres_session(postgres_url)
        assert kit.eventually(lambda: waiting_on_a_lock(watcher)), "the message never reached the database"
        stopping_at = time.monotonic()
        first.process.send_signal(signal.SIGTERM)
        assert kit.eventually(lambda: "shutdown: draining 1 event(s)" in first.log()), first.log()
    # The lock is gone: the write finishes, its ack goes out, and only then is the socket closed.
    ack, before_ack = visitor.next_event("__ack__")
    assert ack["ok"] and ack["message"]["text"] == "sent while the server stops"
    _, before_disconnect = visitor.next_event("__disconnect__")
    disconnected_at = time.monotonic()
    assert ("__disconnect__", None) not in before_ack and not before_disconnect

    back = peers(second.url, "/chat", auth={"token": conversation["token"], "last_seen": started["message"]["id"]})
    reconnected_at = time.monotonic()
    missed, _ = back.next_event("message")
    assert missed["id"] == ack["message"]["id"]
    texts = [message["text"] for message in back.call("history", {"after": 0})["messages"]]
    assert texts == ["first question", "sent while the server stops"]
    assert first.process.wait(kit.WAIT) == 0
    print(f"\nSIGTERM -> disconnect {disconnected_at - stopping_at:.3f}s, "
          f"disconnect -> reconnected elsewhere {reconnected_at - disconnected_at:.3f}s")
    locker.close()
    watcher.close()


def test_sigterm_refuses_new_connections_while_it_drains(site, peers, kit):
    first, _ = site
    visitor = peers(first.url, "/chat")
    first.process.send_signal(signal.SIGTERM)
    visitor.next_event("__disconnect__")
    assert first.process.wait(kit.WAIT) == 0
    with pytest.raises(socketio.exceptions.ConnectionError):
        peers(first.url, "/chat")


def test_an_idle_server_stops_at_once_on_sigterm(site, kit):
    first, _ = site
    first.process.send_signal(signal.SIGTERM)
    assert first.process.wait(kit.WAIT) == 0
    assert "Traceback" not in first.log()


BROWSER_CLIENT = """
const { io } = require(process.argv[2]);
const socket = io(process.argv[3] + "/chat", { transports: ["websocket"], reconnectionDelay: 100 });
socket.on("connect", () => console.log("connected"));
socket.on("disconnect", (reason) => console.log("disconnected: " + reason));
socket.io.on("reconnect_attempt", () => { console.log("reconnecting"); process.exit(0); });
setTimeout(() => process.exit(3), 20000);
"""


def test_the_browser_client_library_reconnects_by_itself_after_sigterm(site, kit, tmp_path):
    node = shutil.which("node")
    library = kit.PROJECT_ROOT / "node_modules" / "socket.io-client"
    if not node or not library.exists():
        kit.missing("node and node_modules/socket.io-client (make install)")
    first, _ = site
    script = tmp_path / "client.js"
    script.write_text(BROWSER_CLIENT)
    client = subprocess.Popen([node, str(script), str(library), first.url], stdout=subprocess.PIPE, text=True)
    try:
        assert client.stdout.readline().strip() == "connected"
        first.process.send_signal(signal.SIGTERM)
        # A transport close, not a Socket.IO disconnect: socket.io-client reconnects on its own.
        assert client.stdout.readline().strip() == "disconnected: transport close"
        assert client.stdout.readline().strip() == "reconnecting"
        assert client.wait(kit.WAIT) == 0
    finally:
        if client.poll() is None:
            client.kill()
            client.wait(kit.WAIT)
        client.stdout.close()
