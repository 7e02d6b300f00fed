"""Reading the versions: the one state source of every policy page, API answer and command."""

import time

from flask import current_app

from clipai import clock, signals, storage
from clipai.services.policy.rules import PolicyState, state_of
from clipai.storage import policy as policy_store
from clipai.storage.policy import PolicyVersion

VERSIONS_KEY = "clipai.policy.versions_read"
# Another process's publication (``clipai policy publish`` on the server) shows within this.
VERSIONS_FRESH_SECONDS = 1.0


def current_state(at=None) -> PolicyState:
    """Evaluate the in-force rule at ``at`` (default: now) over every version's metadata.

    The versions are read at most once a second (always while testing: tests write behind the
    service's back); the rule is still evaluated at this instant, so a switch-over shows at once.
    A publication or withdrawal in this process empties the memo through ``policy_changed``.
    """
    return state_of(_versions(), at or clock.now())


def _versions() -> tuple[PolicyVersion, ...]:
    app = current_app._get_current_object()
    read = app.extensions.get(VERSIONS_KEY)
    if read is not None and not app.testing and time.monotonic() - read[0] < VERSIONS_FRESH_SECONDS:
        return read[1]
    versions = read_versions()
    app.extensions[VERSIONS_KEY] = (time.monotonic(), versions)
    return versions


def read_versions() -> tuple[PolicyVersion, ...]:
    """Read every version's metadata (no texts) from the database, oldest first."""
    with storage.reading() as conn:
        return tuple(policy_store.list_versions(conn))


def forget_versions(app, **_change):
    """Read the versions again at the next request: this process published or withdrew one."""
    app.extensions.pop(VERSIONS_KEY, None)


signals.policy_changed.connect(forget_versions)


def in_force(at=None) -> PolicyVersion | None:
    return current_state(at).in_force


def get_version(number: int, with_texts: bool = True) -> PolicyVersion | None:
    with storage.reading() as conn:
        return policy_store.version_by_number(conn, number, with_texts=with_texts)


def has_versions() -> bool:
    with storage.reading() as conn:
        return policy_store.version_count(conn) > 0
