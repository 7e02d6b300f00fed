"""The one source of "now", replaceable in tests through the ``CLOCK`` setting."""

from datetime import UTC, datetime

from flask import current_app, has_app_context


def now() -> datetime:
    """Return the current UTC instant (timezone-aware)."""
    clock = current_app.config.get("CLOCK") if has_app_context() else None
    return clock() if clock else datetime.now(UTC)


def iso(instant: datetime, timespec: str = "milliseconds") -> str:
    """An instant in UTC as ISO 8601 with ``Z``: milliseconds for clients (``<time datetime>`` takes
    at most three digits), ``timespec="microseconds"`` where the stored value must survive whole."""
    return instant.astimezone(UTC).isoformat(timespec=timespec).replace("+00:00", "Z")
