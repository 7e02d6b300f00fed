"""``GET /metrics``: the Prometheus text format, for an admin's token or a scraper on loopback.

Each process reports its own registry (docs: deploy/README.md, Metrics). Gauges are read when
scraped; the message counter and the batch histogram follow signals. No label names a visitor:
labels are Socket.IO namespaces, message authors' kinds (visitor, operator, system) and Redis
services.
"""

import hmac
import ipaddress

from flask import Blueprint, Response, current_app, request
from flask_babel import lazy_gettext as _l
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import text

from clipai import signals, storage
from clipai.auth.bearer import bearer_token, current_user
from clipai.errors import APIError
from clipai.extensions import socketio
from clipai.health import redis_checks
from clipai.security import client_address
from clipai.services import presence
from clipai.storage import statistics

EXTENSION_KEY = "clipai.metrics"
BATCH_BUCKETS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)

bp = Blueprint("metrics", __name__)


class LiveGauges:
    """Gauges read at each scrape: connections, operators online, waiting conversations, health."""

    def __init__(self, app):
        self.app = app

    def collect(self):
        connections = GaugeMetricFamily("clipai_socketio_connections",
                                        "Socket.IO connections this process holds, by namespace "
                                        "(/chat: visitors, /console: operators' consoles)", labels=["namespace"])
        for namespace, count in sorted(_connections_by_namespace().items()):
            connections.add_metric([namespace], count)
        yield connections
        with self.app.app_context():
            yield from self._site_gauges()

    def _site_gauges(self):
        yield GaugeMetricFamily("clipai_operators_online", "Operators online on the whole site "
                                "(this process's alone while Redis is down)", value=presence.operators_online())
        database_up = _database_up()
        yield GaugeMetricFamily("clipai_database_up", "1 when the database answers", value=int(database_up))
        if database_up:
            with storage.reading() as conn:
                waiting = statistics.count_waiting(conn)
            yield GaugeMetricFamily("clipai_waiting_conversations",
                                    "Open conversations no operator has answered yet", value=waiting)
        redis = GaugeMetricFamily("clipai_redis_up", "1 when the Redis service answers", labels=["service"])
        for service, state in sorted(redis_checks().items()):
            redis.add_metric([service], int(state == "up"))
        yield redis


def _connections_by_namespace() -> dict[str, int]:
    manager = socketio.server.manager if socketio.server else None
    if manager is None:
        return {}
    return {namespace: sum(1 for _ in manager.get_participants(namespace, None))
            for namespace in manager.get_namespaces()}


def _database_up() -> bool:
    try:
        with storage.reading() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:  # any driver error: the database does not answer
        return False
    return True


def build_registry(app) -> CollectorRegistry:
    """The app's registry; the counters follow the signals this app sends."""
    registry = CollectorRegistry()
    registry.register(LiveGauges(app))
    messages = Counter("clipai_messages", "Chat messages stored by this process, by author kind",
                       ["author"], registry=registry)
    batches = Histogram("clipai_group_commit_batch_size", "Writes committed together in one transaction",
                        buckets=BATCH_BUCKETS, registry=registry)
    stalled = Counter("clipai_socketio_stalled_connections_closed", "Socket.IO connections this process closed "
                      "because their client did not read what was sent for SOCKETIO_SEND_TIMEOUT seconds", registry=registry)

    def count_message(_app, message=None, **_extra):
        messages.labels(author=message.author).inc()

    def observe_batch(_app, size=0, **_extra):
        batches.observe(size)

    def count_stalled(_app, **_extra):
        stalled.inc()

    signals.message_stored.connect(count_message, sender=app)
    signals.writes_committed.connect(observe_batch, sender=app)
    signals.connection_stalled.connect(count_stalled, sender=app)
    app.extensions[EXTENSION_KEY] = (registry, count_message, observe_batch, count_stalled)  # receivers live with the app
    return registry


def allowed_to_scrape() -> bool:
    """A maintainer's token, the METRICS_TOKEN, or a request from this machine not relayed by a proxy."""
    token = bearer_token()
    if token:
        configured = current_app.config["METRICS_TOKEN"]
        if configured and hmac.compare_digest(token.encode(), str(configured).encode()):
            return True
        user = current_user()
        return user is not None and "maintainer" in user.roles
    return _from_loopback()


def _from_loopback() -> bool:
    """True for a scraper on this machine; never for a request a proxy relayed.

    Behind a proxy on the same machine every request arrives from loopback: with
    ``TRUSTED_PROXIES = 0`` a request carrying ``X-Forwarded-For`` is therefore refused, and with
    trusted proxies the address they forwarded is the one judged.
    """
    if not current_app.config["TRUSTED_PROXIES"] and "X-Forwarded-For" in request.headers:
        return False
    try:
        return ipaddress.ip_address(client_address(request.environ).split("%")[0]).is_loopback
    except ValueError:
        return False


@bp.get("/metrics")
def metrics():
    if not allowed_to_scrape():
        raise APIError(403, "forbidden", _l("Metrics are served to an administrator's token or on this machine only."))
    registry = current_app.extensions[EXTENSION_KEY][0]
    return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST,
                    headers={"Cache-Control": "no-store"})


def init_app(app):
    build_registry(app)
    app.register_blueprint(bp)
