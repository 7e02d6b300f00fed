"""The bare baselines, served exactly like the site, so every row has a ceiling from the same run.

    python -m bench.baseline_app                                   # eventlet, HOST/PORT
    CLIPAI_ASYNC_MODE=gevent gunicorn -c deploy/gunicorn.conf.py bench.baseline_app:app

- ``GET /bare`` — a bare route answering ``CLIPAI_BENCH_BODY_BYTES`` bytes of HTML (the bench
  sets it to the size of ``/privacy``), with nothing else: no database, locale or headers;
- ``/hold`` — a bare Flask-SocketIO namespace with no handlers (held visitors);
- ``/visitor`` and ``/operator`` — a bare relay: a visitor's ``message`` is emitted to the
  operators' room and acked, nothing stored;
- ``/echo`` — a bare echo: a ``message`` is acked with what it carried.
"""

import os

ASYNC_MODE = os.environ.get("CLIPAI_ASYNC_MODE", "eventlet")

if ASYNC_MODE == "eventlet":
    import eventlet

    eventlet.monkey_patch()
elif ASYNC_MODE == "gevent":
    from gevent import monkey

    monkey.patch_all()

from flask import Flask, Response  # noqa: E402  (must follow monkey-patching)
from flask_socketio import Namespace, join_room  # noqa: E402

from clipai.config import Defaults  # noqa: E402
from clipai.extensions import socketio  # noqa: E402  (the singleton clipai.runtime.serving drives)
from clipai.runtime.socket_server import socketio_options  # noqa: E402

OPERATORS_ROOM = "operators"


class VisitorRelay(Namespace):
    def on_message(self, data):
        socketio.emit("message", data, to=OPERATORS_ROOM, namespace="/operator")
        return {"ok": True}


class OperatorRelay(Namespace):
    def on_connect(self, auth=None):
        join_room(OPERATORS_ROOM)


class Echo(Namespace):
    def on_message(self, data):
        return {"ok": True, "message": data}


def settings() -> dict:
    """The site's socket and server settings, so only the application code differs."""
    port = os.environ.get("PORT", "5000")
    return {
        "ASYNC_MODE": ASYNC_MODE,
        "MESSAGE_QUEUE": None,
        "ALLOWED_ORIGINS": [f"http://127.0.0.1:{port}", f"http://localhost:{port}"],
        "RATELIMIT_KEY_PREFIX": "clipai-bench-baseline",
        "SOCKETIO_MAX_HTTP_BUFFER_SIZE": Defaults.SOCKETIO_MAX_HTTP_BUFFER_SIZE,
        "SOCKETIO_PING_INTERVAL": Defaults.SOCKETIO_PING_INTERVAL,
        "SOCKETIO_PING_TIMEOUT": Defaults.SOCKETIO_PING_TIMEOUT,
        "GC_FREEZE_INTERVAL_SECONDS": Defaults.GC_FREEZE_INTERVAL_SECONDS,
        "GC_FREEZE_AFTER_CONNECTIONS": Defaults.GC_FREEZE_AFTER_CONNECTIONS,
        "GC_FULL_COLLECTION_INTERVAL_SECONDS": float(os.environ.get(  # the held rows set it, for both servers
            "CLIPAI_GC_FULL_COLLECTION_INTERVAL_SECONDS", Defaults.GC_FULL_COLLECTION_INTERVAL_SECONDS)),
        "GC_FULL_COLLECTION_QUIET_CONNECTIONS": Defaults.GC_FULL_COLLECTION_QUIET_CONNECTIONS,
        "GC_FULL_COLLECTION_LATEST_SECONDS": Defaults.GC_FULL_COLLECTION_LATEST_SECONDS,
        "GC_THRESHOLDS": Defaults.GC_THRESHOLDS,
        "LOG_LEVEL": os.environ.get("CLIPAI_LOG_LEVEL", "INFO"),
    }


def create_baseline_app() -> Flask:
    app = Flask(__name__)
    app.config.update(settings())
    body = b"<!doctype html><title>bare</title>" + b"x" * max(0, int(os.environ.get("CLIPAI_BENCH_BODY_BYTES", "10000")) - 34)

    @app.get("/bare")
    def bare():
        return Response(body, mimetype="text/html")

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    # Stock python-socketio packets: the baseline is bare Flask-SocketIO, not the site's transport.
    socketio.init_app(app, **{**socketio_options(app.config), "serializer": "default"})
    socketio.on_namespace(Namespace("/hold"))
    socketio.on_namespace(VisitorRelay("/visitor"))
    socketio.on_namespace(OperatorRelay("/operator"))
    socketio.on_namespace(Echo("/echo"))
    return app


app = create_baseline_app()

if __name__ == "__main__":
    from clipai.runtime.serving import serve

    serve(app)
