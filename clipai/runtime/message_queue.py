"""Socket.IO settings shared by every feature namespace, and the Redis message queue.

With ``MESSAGE_QUEUE = "redis://…"`` several processes serve one site: an event emitted in one
process reaches the clients of all of them through a Redis channel. Redis being down never stops
the site: each process keeps delivering to its own clients, and once the channel is back every
client of a process that missed events is disconnected so it reconnects and resyncs from the
database (``last_seen`` / ``history`` with ``after``).
"""

import logging
import time

import redis
import socketio
from flask import current_app

from clipai.runtime.rooms import ClientRooms, RoomsManager

log = logging.getLogger(__name__)
REDIS_KEY = "clipai.redis"
REDIS_TIMEOUT_SECONDS = 1.0
PUBLISH_PAUSE_SECONDS = 1.0  # after a failed publish, deliver locally only for this long
SUBSCRIBE_RETRY_SECONDS = (0.25, 2.0)  # first and longest wait between attempts to resubscribe
RESYNC_BATCH = 200  # clients disconnected at a time after an outage, so they do not all return at once


def message_queue(config):
    """The client manager for ``MESSAGE_QUEUE``: this process's rooms only, or a Redis channel."""
    url = config["MESSAGE_QUEUE"]
    if not url:
        return RoomsManager()
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError("MESSAGE_QUEUE must be a redis://, rediss:// or unix:// URL")
    return ResilientRedisManager(url, channel=f"{config['RATELIMIT_KEY_PREFIX']}-socketio")


class ResilientRedisManager(ClientRooms, socketio.RedisManager):
    """python-socketio's Redis manager, made to survive Redis outages.

    The stock manager already delivers to this process's clients before publishing; here a failed
    publish does not retry on every emit, the subscriber retries within seconds (not up to a
    minute), and when the subscription comes back after an outage this process's clients are
    disconnected so they reconnect and fetch what they missed from the database.
    """

    def __init__(self, url, channel):
        options = {"socket_connect_timeout": REDIS_TIMEOUT_SECONDS, "socket_keepalive": True}
        super().__init__(url, channel=channel, redis_options=options)
        self.publisher = None
        self.publish_paused_until = 0.0
        self.subscribed = False
        self.missed_events = False  # this process's clients may lack events sent during an outage

    def _publish(self, data):
        if time.monotonic() < self.publish_paused_until:
            return
        try:
            if self.publisher is None:
                self.publisher = self._get_redis_module().Redis.from_url(
                    self.redis_url, socket_timeout=REDIS_TIMEOUT_SECONDS, **self.redis_options)
            self.publisher.publish(self.channel, self.json.dumps(data))
        except Exception as error:  # the emit already reached this process's clients
            self.publisher = None
            self.publish_paused_until = time.monotonic() + PUBLISH_PAUSE_SECONDS
            log.warning("message queue: publish failed (%s); other processes miss events until Redis is back",
                        type(error).__name__)

    def _redis_listen_with_retries(self):
        delay = SUBSCRIBE_RETRY_SECONDS[0]
        while True:
            try:
                self._redis_connect()
                self.pubsub.subscribe(self.channel)
                self._subscription_up()
                delay = SUBSCRIBE_RETRY_SECONDS[0]
                yield from self.pubsub.listen()
            except Exception as error:
                self._subscription_down(error)
                self._close_subscriber()
                self.server.sleep(delay)
                delay = min(delay * 2, SUBSCRIBE_RETRY_SECONDS[1])

    def _subscription_up(self):
        self.subscribed = True
        if self.missed_events:
            self.missed_events = False
            log.warning("message queue: Redis is back; clients of this process reconnect to resync")
            self.server.start_background_task(self.resync_clients)

    def _subscription_down(self, error):
        if self.subscribed or not self.missed_events:
            log.warning("message queue: subscription lost (%s); delivering within this process only",
                        type(error).__name__)
        self.subscribed = False
        self.missed_events = True
        self.publish_paused_until = 0.0  # let the next emit find out for itself

    def _close_subscriber(self):
        try:
            self.pubsub.close()
        except Exception:  # the connection is already gone; nothing to release
            pass

    def resync_clients(self):
        """Close every client connection of this process, a batch at a time."""
        close_client_connections(self.server, batch=RESYNC_BATCH)


def close_client_connections(server, batch: int | None = None) -> int:
    """Close the engine.io connections of this process; return how many were closed.

    A transport close, not a Socket.IO disconnect: socket.io-client then reconnects on its own.
    Nothing waits for a connection's queue to drain (a client that vanished never would); its
    writer still sends what was queued — the acks of finished events — before the close.
    ``batch``: pause briefly after that many, so clients do not all come back at the same instant.
    """
    eio = server.eio
    closed = 0
    for sid, connection in list(eio.sockets.items()):
        connection.close(wait=False)
        eio.sockets.pop(sid, None)
        closed += 1
        if batch and closed % batch == 0:
            server.sleep(0.1)
    return closed


def redis_client(url: str):
    """A Redis client for ``url`` with short timeouts, shared by the current app."""
    clients = current_app.extensions.setdefault(REDIS_KEY, {})
    if url not in clients:
        clients[url] = redis.Redis.from_url(url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
                                            socket_timeout=REDIS_TIMEOUT_SECONDS, socket_keepalive=True)
    return clients[url]


def is_redis_url(url) -> bool:
    return isinstance(url, str) and url.startswith(("redis://", "rediss://", "unix://"))


def redis_answers(url: str) -> bool:
    """True when the Redis server at ``url`` answers a ping."""
    try:
        return bool(redis_client(url).ping())
    except Exception:
        return False

