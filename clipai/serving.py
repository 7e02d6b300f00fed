"""Run the real server for the configured async mode, without client addresses in the log."""

import gc
import logging
import os
import sys

from clipai import signals
from clipai.extensions import socketio

log = logging.getLogger("clipai.server")
ACCESS_LOG_FORMAT = '"%(request_line)s" %(status_code)s %(body_length)s %(wall_seconds).4f'


def freeze_long_lived_objects(app):
    """Keep full garbage collections short when thousands of visitors are connected."""
    interval = app.config["GC_FREEZE_INTERVAL_SECONDS"]
    socketio.sleep(min(interval, 10))
    while True:
        gc.collect(1)
        gc.freeze()
        socketio.sleep(interval)


def configure_logging(app):
    logging.basicConfig(
        level=app.config.get("LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def serve(app, host: str | None = None, port: int | None = None):
    """Serve ``app`` on ``host:port`` (``HOST``/``PORT`` from the environment by default)."""
    configure_logging(app)
    host = host or os.environ.get("HOST", "127.0.0.1")
    port = int(port or os.environ.get("PORT", "5000"))
    mode = app.config["ASYNC_MODE"]
    with app.app_context():
        signals.server_starting.send(app)
    socketio.start_background_task(freeze_long_lived_objects, app)
    log.info("ClipAI serving on http://%s:%d (%s)", host, port, mode)
    if mode == "eventlet":
        _serve_eventlet(app, host, port)
    elif mode == "gevent":
        _serve_gevent(app, host, port)
    else:
        socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True, log_output=False)


def _serve_eventlet(app, host, port):
    import eventlet
    import eventlet.wsgi

    listener = eventlet.listen((host, port))
    eventlet.wsgi.server(
        listener,
        app,
        log=logging.getLogger("clipai.access"),
        log_format=ACCESS_LOG_FORMAT,
        max_size=int(app.config.get("MAX_CONNECTIONS", 50000)),
        keepalive=True,
        socket_timeout=app.config.get("SOCKET_TIMEOUT_SECONDS", 120),
    )


def _serve_gevent(app, host, port):
    from gevent.pywsgi import WSGIServer

    class NoAddressLog:
        def write(self, line):
            logging.getLogger("clipai.access").info(line.rstrip())

    server = WSGIServer((host, port), app, log=None, error_log=NoAddressLog())
    server.serve_forever()
