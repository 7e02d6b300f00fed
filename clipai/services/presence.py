"""Which operators are online, counted in this process.

Kept in one small module on purpose: with a message queue several processes serve the site,
and this is the one place to change when presence moves to shared storage (Redis).
"""

from flask import current_app
from flask_babel import lazy_gettext as _l

from clipai import signals
from clipai.services.errors import ServiceError

EXTENSION_KEY = "clipai.presence"
STATUSES = ("online", "away")


class Presence:
    """Each connected console socket with its operator and status."""

    def __init__(self):
        self.sockets: dict[str, tuple[int, str, str]] = {}  # sid -> (user id, alias, status)

    def operators(self) -> list[dict]:
        """One entry per operator: online when any of their sockets is online."""
        merged: dict[int, dict] = {}
        for user_id, alias, status in self.sockets.values():
            entry = merged.setdefault(user_id, {"id": user_id, "alias": alias, "status": "away"})
            if status == "online":
                entry["status"] = "online"
        return sorted(merged.values(), key=lambda entry: (entry["alias"].lower(), entry["id"]))

    def online_count(self) -> int:
        return len({user_id for user_id, _, status in self.sockets.values() if status == "online"})


def _presence() -> Presence:
    return current_app.extensions.setdefault(EXTENSION_KEY, Presence())


def _changing(update) -> bool:
    """Apply ``update``; announce the new presence and return True when anyone's state changed."""
    presence = _presence()
    before, online_before = presence.operators(), presence.online_count()
    update(presence.sockets)
    after = presence.operators()
    if after != before:
        signals.presence_changed.send(
            current_app._get_current_object(),
            operators=after,
            operators_online=presence.online_count(),
            previous_online=online_before,
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
