"""Supply chain: the private internals of libraries that the site overrides, wraps or patches are still there.

Each test names one place (docs/architecture.md, "Library internals the site relies on"); when a
new release moves that internal, its test fails with the library, its version and what moved, before
the site misbehaves. README "Upgrading dependencies" says what to do then. pyproject.toml bounds
each of these libraries below the next release that may move them.
"""

import importlib.util
import inspect
from importlib.metadata import version
from pathlib import Path

import engineio.socket
import gevent.queue
import simple_websocket
import flask
import flask_limiter
import flask_socketio
import pytest
import socketio
from flask.ctx import RequestContext
from gunicorn.workers.base import Worker
from gunicorn.workers.ggevent import GeventWorker
from limits.storage import MemoryStorage, storage_from_string
from psycopg import Connection, waiting
from socketio import packet as socketio_packet
from werkzeug.test import EnvironBuilder

from clipai.runtime.memory_limits import SWEPT_MEMORY_URI, SweptMemoryStorage
from clipai.runtime.events import EventRequest
from clipai.runtime.message_queue import ResilientRedisManager
from clipai.runtime.packets import JsonPacket
from clipai.runtime.socket_server import FlaskSocketIOMiddleware


def moved(distribution: str, what: str, user: str) -> str:
    """The failure message: which library, at which version, lost what, which file of ours needs it."""
    return (f"{distribution} {version(distribution)} no longer has {what}, which {user}. Adapt that code, "
            "then lift the bound in pyproject.toml (README, 'Upgrading dependencies').")


def parameters(function) -> list[str]:
    return list(inspect.signature(function).parameters)


def source(obj) -> str:
    return inspect.getsource(obj)


# --- python-socketio -------------------------------------------------------------------------


def test_python_socketio_server_dispatches_events_through_handle_event():
    assert parameters(socketio.Server._handle_event) == ["self", "eio_sid", "namespace", "id", "data"], moved(
        "python-socketio", "Server._handle_event(eio_sid, namespace, id, data)",
        "clipai/runtime/socket_server.py replaces per server to drop client events named like lifecycle events")
    assert "self._handle_event(eio_sid" in source(socketio.Server._handle_eio_message), moved(
        "python-socketio", "Server._handle_eio_message calling self._handle_event",
        "clipai/runtime/socket_server.py relies on to see every client event first")


def test_python_socketio_manager_keeps_what_the_rooms_manager_relies_on():
    import re

    from socketio.base_manager import BaseManager

    user = "clipai/runtime/rooms.py's ClientRooms"
    touched = set(re.findall(r"self\.(\w+)", source(BaseManager.basic_disconnect)))
    assert touched == {"rooms", "callbacks", "pending_connect", "pending_disconnect", "basic_leave_room"}, moved(
        "python-socketio", "a BaseManager.basic_disconnect that only leaves rooms and clears callbacks and "
        f"pending lists (it now touches {sorted(touched)})", f"{user} re-implements with a room index")
    assert inspect.isgeneratorfunction(BaseManager.get_participants) and "copy()" in source(
        BaseManager.get_participants), moved(
        "python-socketio", "a get_participants generator over a copy of the room",
        f"{user} pauses between slices of")
    assert "for sid, eio_sid in self.get_participants(" in source(socketio.Manager.emit), moved(
        "python-socketio", "Manager.emit sending while it iterates get_participants",
        f"{user} relies on to pause a large broadcast between sends")
    for method in ("basic_enter_room", "basic_leave_room"):
        assert f"self.{method}(" in source(BaseManager), moved(
            "python-socketio", f"room changes made through BaseManager.{method}", f"{user} indexes through")


def test_python_socketio_server_runs_each_event_through_handle_event_internal():
    expected = ["self", "server", "sid", "eio_sid", "data", "namespace", "id"]
    assert parameters(socketio.Server._handle_event_internal) == expected, moved(
        "python-socketio", "Server._handle_event_internal(server, sid, eio_sid, data, namespace, id)",
        "clipai/runtime/serving.py wraps to count events in flight during a graceful shutdown")
    assert "self._handle_event_internal" in source(socketio.Server._handle_event), moved(
        "python-socketio", "Server._handle_event calling self._handle_event_internal",
        "clipai/runtime/serving.py relies on to see every event (and its ack) through its wrapper")


@pytest.mark.parametrize(("method", "expected"), [
    ("_publish", ["self", "data"]),
    ("_redis_listen_with_retries", ["self"]),
    ("_redis_connect", ["self"]),
    ("_get_redis_module", ["self"]),
])
def test_python_socketio_redis_manager_keeps_the_methods_resilient_redis_manager_overrides_or_calls(method, expected):
    found = getattr(socketio.RedisManager, method, None)
    assert found is not None and parameters(found) == expected, moved(
        "python-socketio", f"RedisManager.{method}({', '.join(expected[1:])})",
        "clipai/runtime/message_queue.py's ResilientRedisManager overrides or calls")


def test_python_socketio_redis_manager_listens_through_listen_with_retries():
    assert "self._redis_listen_with_retries()" in source(socketio.RedisManager._listen), moved(
        "python-socketio", "RedisManager._listen reading self._redis_listen_with_retries()",
        "clipai/runtime/message_queue.py overrides to resubscribe within seconds and resync clients after an outage")
    manager = ResilientRedisManager("redis://127.0.0.1:6379/0", channel="internals-check")
    missing = [name for name in ("redis_url", "redis_options", "pubsub", "channel", "json") if not hasattr(manager, name)]
    assert not missing, moved("python-socketio", f"RedisManager attributes {missing}",
                              "clipai/runtime/message_queue.py's ResilientRedisManager reads")


def test_python_socketio_packet_skips_the_binary_walk_when_told():
    built = JsonPacket(socketio_packet.EVENT, data=["message", b"\x00"])
    assert "uses_binary_events" in vars(socketio_packet.Packet) and built.packet_type == socketio_packet.EVENT, moved(
        "python-socketio", "Packet.uses_binary_events (skipping the walk for binary data in __init__)",
        "clipai/runtime/packets.py's JsonPacket turns off to save half a message's packet cost")
    assert isinstance(built.encode(), list) and built.packet_type == socketio_packet.BINARY_EVENT, moved(
        "python-socketio", "Packet.data_is_binary / BINARY_EVENT encoding",
        "clipai/runtime/packets.py's JsonPacket falls back to when JSON cannot encode a payload")


# --- python-engineio -------------------------------------------------------------------------


def test_python_engineio_server_keeps_its_connections_in_sockets():
    server = socketio.Server(async_mode="threading")
    assert isinstance(getattr(server.eio, "sockets", None), dict), moved(
        "python-engineio", "Server.sockets (the dict of open connections by sid)",
        "clipai/runtime/message_queue.py (close_client_connections), clipai/runtime/garbage.py (the gc freezer) and "
        "clipai/transport_guard.py (closing a session sent an oversize body) read")
    assert "wait" in parameters(engineio.socket.Socket.close), moved(
        "python-engineio", "Socket.close(wait=…)", "clipai/runtime/message_queue.py (shutdown, resync) and clipai/transport_guard.py call with wait=False")


def test_python_engineio_sockets_queue_what_stalled_clients_looks_at():
    server = socketio.Server(async_mode="threading")
    connection = engineio.socket.Socket(server.eio, "internals-check")
    missing = [name for name in ("upgraded", "closed") if not hasattr(connection, name)]
    first, second = (engineio.packet.Packet(engineio.packet.MESSAGE, data=text) for text in ("first", "second"))
    connection.send(first)
    connection.send(second)
    assert not missing and list(connection.queue.queue) == [first, second], moved(
        "python-engineio", f"Socket.queue's deque (.queue) holding each sent packet in order, or Socket.{missing}",
        "clipai/transport_guard.py's StalledClients reads")
    assert connection.poll() == [first, second] and not connection.queue.queue, moved(
        "python-engineio", "Socket.poll taking every queued packet at once",
        "clipai/transport_guard.py's StalledClients relies on (the head stays the same only while the writer is busy)")
    queue = gevent.queue.JoinableQueue()  # the gevent mode's queue
    queue.put("packet")
    assert list(getattr(queue, "queue", ())) == ["packet"], moved(
        "gevent", "JoinableQueue.queue (the deque of waiting items)", "clipai/transport_guard.py's StalledClients reads")
    # The eventlet mode's queue, read rather than imported (importing eventlet here would warn).
    eventlet_queue = Path(importlib.util.find_spec("eventlet").submodule_search_locations[0]) / "queue.py"
    assert "self.queue = collections.deque()" in eventlet_queue.read_text(), moved(
        "eventlet", "LightQueue.queue (the deque of waiting items)", "clipai/transport_guard.py's StalledClients reads")
    assert isinstance(getattr(server, "environ", None), dict), moved(
        "python-socketio", "Server.environ (the WSGI environ by engine.io sid)",
        "clipai/transport_guard.py's StalledClients reads to find a stalled connection's socket")


# --- simple-websocket ------------------------------------------------------------------------


def test_simple_websocket_takes_gunicorns_socket_and_writes_each_frame_with_one_send():
    assert "gunicorn.socket" in source(simple_websocket.ws.Server.__init__), moved(
        "simple-websocket", "Server taking its socket from environ['gunicorn.socket']",
        "clipai/transport_guard.py's WholeSends replaces there")
    assert "self.sock.send(out_data)" in source(simple_websocket.ws.Base.send), (
        f"simple-websocket {version('simple-websocket')} no longer writes a frame with one sock.send(out_data): "
        "if it now sends whole frames itself, remove clipai/transport_guard.py's WholeSends; otherwise adapt it. "
        "Then lift the bound in pyproject.toml (README, 'Upgrading dependencies').")


# --- Flask-SocketIO --------------------------------------------------------------------------


def test_flask_socketio_runs_handlers_through_handle_event_in_the_apps_request_context():
    expected = ["self", "handler", "message", "namespace", "sid", "args"]
    assert parameters(flask_socketio.SocketIO._handle_event) == expected, moved(
        "Flask-SocketIO", "SocketIO._handle_event(handler, message, namespace, sid, *args)",
        "clipai/runtime/socket_server.py overrides to mark a connection's environ before its events run")
    assert "app.request_context(environ)" in source(flask_socketio.SocketIO._handle_event), moved(
        "Flask-SocketIO", "SocketIO._handle_event entering app.request_context(environ)",
        "clipai/runtime/events.py's RealtimeFlask.request_context relies on to keep events out of the HTTP cycle")


def test_flask_socketio_middleware_only_adds_the_flask_app_to_what_engineio_gets():
    """FlaskSocketIOMiddleware replaces Flask-SocketIO's; both must hand engine.io the same environ."""
    seen = {}

    class EngineIO:
        def handle_request(self, environ, start_response):
            seen[middleware_class] = environ
            return []

    flask_app = flask.Flask(__name__)
    theirs = flask_socketio._SocketIOMiddleware(EngineIO(), flask_app, socketio_path="socket.io")
    for middleware_class, middleware in (("theirs", theirs), ("ours", FlaskSocketIOMiddleware(theirs))):
        environ = EnvironBuilder("/socket.io/?EIO=4&transport=polling").get_environ()
        environ["gunicorn.socket"] = object()
        middleware(environ, None)
    ours, theirs_seen = seen["ours"], seen["theirs"]
    assert ours.keys() == theirs_seen.keys() and ours["flask.app"] is theirs_seen["flask.app"] is flask_app, moved(
        "Flask-SocketIO", "a middleware that only adds environ['flask.app'] (and python-engineio's 'eventlet.input')",
        "clipai/runtime/socket_server.py's FlaskSocketIOMiddleware replaces, so gunicorn's requests make no class each")
    for environ in (ours, theirs_seen):
        assert environ["eventlet.input"].get_socket() is environ["gunicorn.socket"]


# --- Flask and Werkzeug ----------------------------------------------------------------------


def test_flask_request_context_takes_a_ready_request_and_session():
    assert parameters(RequestContext.__init__) == ["self", "app", "environ", "request", "session"], moved(
        "Flask", "flask.ctx.RequestContext(app, environ, request=None, session=None)",
        "clipai/runtime/events.py's RealtimeFlask builds for each Socket.IO event")
    assert parameters(flask.Flask.create_url_adapter) == ["self", "request"], moved(
        "Flask", "Flask.create_url_adapter(request)", "clipai/runtime/events.py's RealtimeFlask overrides to skip URL matching")
    assert parameters(flask.Flask.do_teardown_request) == ["self", "exc"], moved(
        "Flask", "Flask.do_teardown_request(exc)", "clipai/runtime/events.py's RealtimeFlask overrides to skip HTTP teardown")


def test_werkzeug_request_sets_only_the_fields_event_request_fills_in_lazily():
    environ = EnvironBuilder("/").get_environ()
    fields = set(vars(flask.Request(environ, populate_request=False))) - {"environ", "shallow"}
    assert fields == EventRequest.HTTP_FIELDS, moved(
        "Werkzeug", f"Request.__init__ setting exactly {sorted(EventRequest.HTTP_FIELDS)} (now {sorted(fields)})",
        "clipai/runtime/events.py's EventRequest defers until a handler reads one")


# --- limits ----------------------------------------------------------------------------------


def test_limits_memory_storage_schedules_its_sweep_through_the_name_mangled_method():
    for name in ("_MemoryStorage__schedule_expiry", "_MemoryStorage__expire_events"):
        assert hasattr(MemoryStorage, name), moved(
            "limits", f"MemoryStorage.{name.replace('_MemoryStorage', '')}",
            "clipai/runtime/memory_limits.py's SweptMemoryStorage replaces with a sweep at most once a second")
    storage = SweptMemoryStorage()
    first_timer = storage.timer
    first_timer.join()  # limits' own __schedule_expiry would now start a new one on the next hit
    for _ in range(3):
        storage.acquire_entry("internals-check", limit=10, expiry=60)
    assert storage.timer is first_timer and set(storage.events) == {"internals-check"}, moved(
        "limits", "MemoryStorage's timer started only by __schedule_expiry, and entries in .events",
        "clipai/runtime/memory_limits.py's SweptMemoryStorage relies on (a thread per hit would come back)")
    assert isinstance(storage_from_string(SWEPT_MEMORY_URI), SweptMemoryStorage), moved(
        "limits", "storage registration by STORAGE_SCHEME",
        "clipai/runtime/memory_limits.py uses to give Flask-Limiter the swept storage for memory://")


# --- gunicorn --------------------------------------------------------------------------------


def test_gunicorn_gevent_worker_closes_its_listeners_before_notifying_after_sigterm():
    run = source(GeventWorker.run)
    after_loop = run.partition("while self.alive:")[2].partition("gevent.sleep(1.0)")[2]
    assert "server.close()" in after_loop and after_loop.index("server.close()") < after_loop.index("self.notify()"), \
        moved("gunicorn", "GeventWorker.run closing its listeners before the first notify() after SIGTERM",
              "deploy/gunicorn.conf.py's ClipaiGeventWorker.notify relies on to close Socket.IO connections")
    assert "self.alive = " in source(Worker.__init__) and "self.wsgi = " in source(Worker.load_wsgi), moved(
        "gunicorn", "Worker.alive and Worker.wsgi", "deploy/gunicorn.conf.py's ClipaiGeventWorker reads")


# --- psycopg ---------------------------------------------------------------------------------


def test_psycopg_connections_wait_through_the_module_attribute_storage_swaps():
    assert parameters(waiting.wait_select)[:2] == ["gen", "fileno"], moved(
        "psycopg", "psycopg.waiting.wait_select(gen, fileno, …)",
        "clipai/runtime/green_db.py installs as psycopg.waiting.wait under eventlet")
    assert "waiting.wait(" in source(Connection.wait), moved(
        "psycopg", "Connection.wait calling waiting.wait through the module",
        "clipai/runtime/green_db.py relies on so that swapping waiting.wait reaches every connection")


# --- Flask-Limiter ---------------------------------------------------------------------------


def test_flask_limiter_keeps_the_dead_storage_flag_that_the_test_fixtures_reset():
    limiter = flask_limiter.Limiter(key_func=lambda: "key")
    assert limiter._storage_dead is False, moved(
        "Flask-Limiter", "Limiter._storage_dead",
        "tests/fixtures/app.py's limiter_storage_alive resets so that one test's Redis outage "
        "does not send later tests' apps to the in-memory fallback")
    assert "_storage_dead" in source(flask_limiter.Limiter), moved(
        "Flask-Limiter", "the _storage_dead switch to the in-memory fallback",
        "tests/fixtures/app.py's limiter_storage_alive resets")
