"""Which operators are online, across every process that serves the site.

Each process keeps its own console sockets in memory. With a Redis message queue
(``MESSAGE_QUEUE = "redis://…"``) it also mirrors them into Redis — one hash per process, listed
in a sorted set with an expiry that a heartbeat pushes forward — so every process counts the
operators of all the others. A process that dies stops beating; the first survivor to notice
removes its entries and announces the change. While Redis is down (or not configured) presence
is counted in this process only, and a process that comes back announces its operators again.
"""

import json
import logging
import time
import uuid

from flask import current_app
from flask_babel import lazy_gettext as _l

from clipai import signals
from clipai.runtime.message_queue import is_redis_url, redis_client
from clipai.services.errors import ServiceError

log = logging.getLogger(__name__)

EXTENSION_KEY = "clipai.presence"
STATUSES = ("online", "away")
HEARTBEAT_SECONDS = 5
PROCESS_TTL_SECONDS = 15  # a process that has not beaten for this long no longer counts
KEEP_SECONDS = 120  # a dead process's hash outlives its registration, so the reaper can read it
RETRY_AFTER_FAILURE_SECONDS = 2  # after a Redis error, count locally for this long before trying again


def merge(entries) -> list[dict]:
    """One entry per operator: online when any of their sockets is online."""
    merged: dict[int, dict] = {}
    for user_id, alias, status in entries:
        entry = merged.setdefault(user_id, {"id": user_id, "alias": alias, "status": "away"})
        if status == "online":
            entry["status"] = "online"
    return sorted(merged.values(), key=lambda entry: (entry["alias"].lower(), entry["id"]))


def count_online(operators: list[dict]) -> int:
    return sum(1 for operator in operators if operator["status"] == "online")


class SharedPresence:
    """This process's sockets mirrored into Redis, and the other live processes' sockets read back."""

    def __init__(self, client, prefix: str):
        self.client = client
        self.process = uuid.uuid4().hex
        self.registry = f"{prefix}:presence:processes"
        self.hash_prefix = f"{prefix}:presence:process:"
        self.paused_until = 0.0

    def _available(self) -> bool:
        return time.monotonic() >= self.paused_until

    def _failed(self, error: Exception):
        if self._available():
            log.warning("presence: Redis unavailable (%s); counting this process's operators only",
                        type(error).__name__)
        self.paused_until = time.monotonic() + RETRY_AFTER_FAILURE_SECONDS

    def others(self) -> list[tuple]:
        """The sockets of every other live process; empty while Redis is unavailable."""
        if not self._available():
            return []
        try:
            live = [name.decode() for name in self.client.zrangebyscore(self.registry, time.time(), "+inf")]
            live = [name for name in live if name != self.process]
            pipe = self.client.pipeline(transaction=False)
            for name in live:
                pipe.hgetall(self.hash_prefix + name)
            return [tuple(json.loads(raw)) for found in pipe.execute() for raw in found.values()]
        except Exception as error:
            self._failed(error)
            return []

    def store(self, sockets: dict) -> bool:
        """Write this process's sockets and beat; True when other processes had not counted it."""
        if not self._available():
            return False
        key = self.hash_prefix + self.process
        try:
            pipe = self.client.pipeline(transaction=True)
            pipe.delete(key)
            if sockets:
                pipe.hset(key, mapping={sid: json.dumps(list(entry)) for sid, entry in sockets.items()})
            pipe.expire(key, KEEP_SECONDS)
            pipe.zadd(self.registry, {self.process: time.time() + PROCESS_TTL_SECONDS})
            return pipe.execute()[-1] == 1
        except Exception as error:
            self._failed(error)
            return False

    def reap(self) -> list[tuple]:
        """Remove processes that stopped beating; return the sockets of those this process removed."""
        if not self._available():
            return []
        try:
            departed = []
            for name in self.client.zrangebyscore(self.registry, "-inf", time.time()):
                if self.client.zrem(self.registry, name):  # only one survivor wins each removal
                    key = self.hash_prefix + name.decode()
                    departed += [tuple(json.loads(raw)) for raw in self.client.hgetall(key).values()]
                    self.client.delete(key)
            return departed
        except Exception as error:
            self._failed(error)
            return []

    def withdraw(self):
        """Stop counting this process (it is shutting down)."""
        try:
            self.client.zrem(self.registry, self.process)
            self.client.delete(self.hash_prefix + self.process)
        except Exception as error:
            self._failed(error)


class Presence:
    """Each connected console socket of this process with its operator and status."""

    def __init__(self, shared: SharedPresence | None = None):
        self.sockets: dict[str, tuple[int, str, str]] = {}  # sid -> (user id, alias, status)
        self.shared = shared

    def others(self) -> list[tuple]:
        return self.shared.others() if self.shared else []

    def operators(self) -> list[dict]:
        return merge([*self.sockets.values(), *self.others()])

    def online_count(self) -> int:
        return count_online(self.operators())


def presence_of(app) -> "Presence | None":
    """The app's presence record, once anything asked for it."""
    return app.extensions.get(EXTENSION_KEY)


def _presence() -> Presence:
    presence = current_app.extensions.get(EXTENSION_KEY)
    if presence is None:
        url = current_app.config["MESSAGE_QUEUE"]
        shared = SharedPresence(redis_client(url), current_app.config["RATELIMIT_KEY_PREFIX"]) \
            if is_redis_url(url) else None
        presence = current_app.extensions[EXTENSION_KEY] = Presence(shared)
    return presence


def _changing(update, departed=()) -> bool:
    """Apply ``update``; announce the new presence and return True when anyone's state changed."""
    presence = _presence()
    others = presence.others()
    before = merge([*presence.sockets.values(), *others, *departed])
    update(presence.sockets)
    if presence.shared and presence.shared.store(presence.sockets):
        before = merge([*others, *departed])  # the other processes did not count this one until now
    after = merge([*presence.sockets.values(), *others])
    if after != before:
        signals.presence_changed.send(
            current_app._get_current_object(),
            operators=after,
            operators_online=count_online(after),
            previous_online=count_online(before),
        )
    return after != before


def set_status(sid: str, user, status: str) -> bool:
    """Record the status of an operator's socket (``online`` or ``away``); True when presence changed."""
    if status not in STATUSES:
        raise ServiceError("invalid", _l("The status must be online or away."))
    return _changing(lambda sockets: sockets.__setitem__(sid, (user.id, user.alias, status)))


def drop(sid: str) -> bool:
    """Forget a socket that disconnected."""
    return _changing(lambda sockets: sockets.pop(sid, None))


def operators() -> list[dict]:
    return _presence().operators()


def operators_online() -> int:
    return _presence().online_count()


def beat() -> bool:
    """Keep this process counted and remove processes that stopped; True when presence changed."""
    presence = _presence()
    if presence.shared is None:
        return False
    return _changing(lambda sockets: None, departed=presence.shared.reap())


def keep_shared(app, sleep) -> None:
    """Beat every few seconds for as long as the server runs (with a Redis message queue only)."""
    while True:
        try:
            with app.app_context():
                beat()
        except Exception:  # the next beat tries again; presence must never stop the server
            log.exception("presence: heartbeat failed")
        sleep(HEARTBEAT_SECONDS)


def withdraw() -> None:
    """Take this process out of the shared presence before it exits."""
    presence = _presence()
    if presence.shared is not None:
        presence.shared.withdraw()
