"""gunicorn settings for the gevent async mode: ``gunicorn -c deploy/gunicorn.conf.py wsgi:app``.

One worker per process (Socket.IO clients must stay on the process that holds their session);
run several processes behind nginx to use more cores (deploy/README.md). Access lines carry the
request, status, size and duration — never the client address or agent.
"""

import os

# Before gevent is first imported: every Socket.IO event runs in a new greenlet, and recording
# each one's spawning stack and tree cost ~5 % of the server under a chat load (make bench).
os.environ.setdefault("GEVENT_TRACK_GREENLET_TREE", "false")

from gunicorn.glogging import Logger  # noqa: E402
from gunicorn.workers.ggevent import GeventWorker  # noqa: E402  (imports gevent)

from clipai.config import INSTANCE_PATH, configured_settings  # noqa: E402  (standard library only)
from clipai.logs import formatter  # noqa: E402  (standard library only)

SETTINGS = configured_settings(INSTANCE_PATH)

raw_env = ["CLIPAI_ASYNC_MODE=gevent"]
workers = 1  # Socket.IO needs sticky clients; scale out with more processes behind the proxy
worker_connections = int(os.environ.get("CLIPAI_MAX_CONNECTIONS", "50000"))
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
accesslog = "-"
access_log_format = '"%(r)s" %(s)s %(b)s %(M)sms'
errorlog = "-"
loglevel = str(SETTINGS["LOG_LEVEL"]).lower()
graceful_timeout = 20  # the app drains events and closes Socket.IO connections well within this
timeout = 60
keepalive = 5
control_socket_disable = True  # several gunicorn processes run side by side; none is steered at runtime


class ClipaiLogger(Logger):
    """gunicorn's error and access lines in the site's ``LOG_FORMAT`` (plain or JSON), with their time."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(formatter(SETTINGS["LOG_FORMAT"]))


logger_class = ClipaiLogger


class ClipaiGeventWorker(GeventWorker):
    """gunicorn's gevent worker that closes Socket.IO connections once it stopped accepting.

    Without this, open WebSocket connections keep the worker alive until ``graceful_timeout``
    and are then cut; clients reconnect either way, but later and without their last acks.
    """

    closing = None

    def handle_error(self, req, client, addr, exc):
        # gunicorn logs a request it cannot parse (a URL over 4,094 bytes, a bad Content-Length or
        # header name) as "Invalid request from ip=<address>"; nothing else uses addr here.
        super().handle_error(req, client, ("-", 0), exc)

    def notify(self):
        super().notify()
        # After SIGTERM, run() closes the listening sockets before its first notify(): from then
        # on no new connection arrives, and the ones left can be closed.
        if not self.alive and self.closing is None:
            import gevent

            from clipai.runtime.serving import close_realtime_connections  # imported after monkey-patching

            self.closing = gevent.spawn(close_realtime_connections, self.wsgi)


worker_class = ClipaiGeventWorker


def post_worker_init(worker):
    """Start what ``python wsgi.py`` starts too: the retention purge, gc.freeze, shared presence."""
    from clipai.runtime.serving import start_background_work

    start_background_work(worker.wsgi)
