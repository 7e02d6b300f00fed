"""Run the real server for the configured async mode, without client addresses in the log.

Two production commands share what happens here (deploy/README.md):

- eventlet: ``python wsgi.py`` — :func:`serve` runs eventlet's own WSGI server;
- gevent: ``gunicorn -c deploy/gunicorn.conf.py wsgi:app`` — the config's ``post_worker_init``
  hook calls :func:`start_background_work` and its worker calls :func:`close_realtime_connections`
  once it stopped accepting.

On SIGTERM both stop accepting connections, let the events being handled finish (their acks go
out), then close every Socket.IO connection so clients reconnect — through the proxy, to another
process — and resync from the database.
"""

import logging
import os
import signal
import socket
import time
from functools import wraps

from clipai import logs, signals
from clipai.extensions import socketio
from clipai.runtime.garbage import manage_garbage_collection, set_collection_thresholds
from clipai.runtime.message_queue import close_client_connections

log = logging.getLogger("clipai.server")
ACCESS_LOG_FORMAT = '"%(request_line)s" %(status_code)s %(body_length)s %(wall_seconds).4f'
EXTENSION_KEY = "clipai.serving"
DRAIN_SECONDS = 5  # longest wait for events in progress before connections are closed
SHUTDOWN_SECONDS = 15  # after this, a stuck shutdown exits anyway
ANONYMOUS_PEER = ("-", 0)  # what the servers' own log lines name instead of the client's address


class InFlight:
    """Counts the Socket.IO events being handled, so shutdown can wait for their acks."""

    def __init__(self):
        self.count = 0

    def track(self, handler):
        @wraps(handler)
        def tracked(*args, **kwargs):
            self.count += 1
            try:
                return handler(*args, **kwargs)
            finally:
                self.count -= 1

        return tracked


def start_background_work(app) -> InFlight:
    """Announce the server start and start the periodic tasks, once per app and process."""
    state = app.extensions.get(EXTENSION_KEY)
    if state is not None:
        return state
    state = app.extensions[EXTENSION_KEY] = InFlight()
    logs.configure(app.config)
    set_collection_thresholds(app.config["GC_THRESHOLDS"])
    # python-socketio runs every event through this method, then sends the event's ack.
    socketio.server._handle_event_internal = state.track(socketio.server._handle_event_internal)
    with app.app_context():
        signals.server_starting.send(app)
    socketio.start_background_task(manage_garbage_collection, app)
    return state


def close_realtime_connections(app):
    """Wait for events in progress (bounded), then close every Socket.IO connection of this process."""
    in_flight = start_background_work(app)
    deadline = time.monotonic() + DRAIN_SECONDS
    socketio.sleep(0)  # let events already received start
    log.info("shutdown: draining %d event(s) in progress", in_flight.count)
    while in_flight.count and time.monotonic() < deadline:
        socketio.sleep(0.02)
    if in_flight.count:
        log.warning("shutdown: %d event(s) still running after %ds; closing anyway", in_flight.count, DRAIN_SECONDS)
    closed = close_client_connections(socketio.server)
    with app.app_context():
        signals.server_stopping.send(app)
    log.info("shutdown: closed %d Socket.IO connection(s)", closed)


def serve(app, host: str | None = None, port: int | None = None):
    """Serve ``app`` on ``host:port`` (``HOST``/``PORT`` from the environment by default)."""
    host = host or os.environ.get("HOST", "127.0.0.1")
    port = int(port or os.environ.get("PORT", "5000"))
    mode = app.config["ASYNC_MODE"]
    start_background_work(app)
    log.info("ClipAI serving on http://%s:%d (%s)", host, port, mode)
    if mode == "eventlet":
        _serve_eventlet(app, host, port)
    elif mode == "gevent":
        _serve_gevent(app, host, port)
    else:
        socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True, log_output=False)
    log.info("ClipAI stopped")


def _exit_if_stuck():
    socketio.sleep(SHUTDOWN_SECONDS)
    log.error("shutdown: still running after %ds; exiting", SHUTDOWN_SECONDS)
    logging.shutdown()
    os._exit(1)


class _StopAccepting(Exception):
    """Thrown into the accept loop of eventlet's WSGI server to pause it for a graceful stop."""


class DrainingListener:
    """The listening socket, as eventlet's WSGI server sees it, with a graceful way out.

    eventlet's own way out (SystemExit in its accept loop) closes WebSocket connections at once,
    before their acks; so the loop is paused first, the socket closed, the connections drained
    and closed by us, and only then is the loop ended.
    """

    def __init__(self, sock):
        import eventlet.event

        self.sock = sock
        self.drained = eventlet.event.Event()

    def accept(self):
        try:
            return self.sock.accept()
        except _StopAccepting:
            self.sock.close()  # connections are refused from now on, not queued
            self.drained.wait()
            raise SystemExit from None

    def __getattr__(self, name):
        return getattr(self.sock, name)


def _on_sigterm(run):
    """Run ``run`` in a green thread as soon as SIGTERM arrives.

    A Python signal handler only runs between bytecodes, and the hub may be asleep in epoll until
    its next timer (up to the ping interval): the handler writes to a socket pair, which wakes
    the hub and the green thread waiting on the other end.
    """
    import eventlet

    wake_reader, wake_writer = socket.socketpair()
    wake_writer.setblocking(False)

    def wait_for_signal():
        wake_reader.recv(1)
        run()

    eventlet.spawn_n(wait_for_signal)
    signal.signal(signal.SIGTERM, lambda *_: wake_writer.send(b"\0"))


class EventletServerLog:
    """eventlet's WSGI server log, routed to ``logging``; its debug lines are dropped.

    Every debug line eventlet writes itself names the client's address ("accepted", "connection
    reset by peer", "timed out"); its info and error lines reach the client only through
    :func:`_no_address_protocol`'s ``get_client_address``.
    """

    def __init__(self, logger):
        self.logger = logger

    def info(self, message, *args, **kwargs):
        self.logger.info(message, *args)

    def warning(self, message, *args, **kwargs):
        self.logger.warning(message, *args)

    def error(self, message, *args, **kwargs):
        self.logger.error(message, *args)

    def debug(self, message, *args, **kwargs):
        pass


def _no_address_protocol():
    """eventlet's HTTP protocol, naming no client in the lines it logs about refused requests, and
    leaving no reference cycle behind when a connection ends."""
    import eventlet.wsgi

    class NoAddressProtocol(eventlet.wsgi.HttpProtocol):
        def get_client_address(self):
            # eventlet's error lines name the client through this; REMOTE_ADDR (hashed for rate
            # limits) comes from client_address, which stays as it is.
            return ANONYMOUS_PEER

        def log_message(self, format, *args):
            # http.server writes each refused request ("code 400, message Bad request syntax")
            # to stderr, prefixed with the client's address.
            logging.getLogger("clipai.access").info("refused: %s", format % args)

        def finish(self):
            # The last request's environ holds eventlet's ``set_idle``, whose closure holds this
            # protocol, which holds the environ: a reference cycle with the connection's socket,
            # buffers and headers (34 objects). The freezer freezes a long connection's, and only a
            # full collection would free them once it closed (docs/benchmarks.md, change 47).
            try:
                super().finish()
            finally:
                self.environ = None

    return NoAddressProtocol


def _serve_eventlet(app, host, port):
    import eventlet
    import eventlet.wsgi
    from eventlet import hubs

    socket_ = eventlet.listen((host, port))
    # Accepted sockets inherit this: without it a page waits for the client's delayed ACK (~40 ms).
    socket_.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    listener = DrainingListener(socket_)
    accept_loop = eventlet.getcurrent()

    def shut_down():
        log.info("shutdown: SIGTERM received; no new connections")
        eventlet.spawn_n(_exit_if_stuck)
        hubs.get_hub().schedule_call_global(0, accept_loop.throw, _StopAccepting())
        close_realtime_connections(app)
        listener.drained.send()

    _on_sigterm(shut_down)
    eventlet.wsgi.server(
        listener,
        app,
        log=EventletServerLog(logging.getLogger("clipai.access")),
        log_format=ACCESS_LOG_FORMAT,
        protocol=_no_address_protocol(),
        max_size=int(app.config.get("MAX_CONNECTIONS", 50000)),
        keepalive=True,
        socket_timeout=app.config.get("SOCKET_TIMEOUT_SECONDS", 120),
        debug=False,  # never send a traceback to a client
    )


def _serve_gevent(app, host, port):
    """gevent's WSGI server, for ``python wsgi.py``; production uses gunicorn (see deploy/)."""
    import gevent
    from gevent.pywsgi import WSGIServer

    class NoAddressLog:
        def write(self, line):
            logging.getLogger("clipai.access").info(line.rstrip())

    server = WSGIServer((host, port), app, log=None, error_log=NoAddressLog())

    def shut_down():
        log.info("shutdown: SIGTERM received; no new connections")
        gevent.spawn(_exit_if_stuck)
        server.close()
        close_realtime_connections(app)
        server.stop(timeout=DRAIN_SECONDS)

    gevent.signal_handler(signal.SIGTERM, lambda: gevent.spawn(shut_down))
    server.serve_forever()
