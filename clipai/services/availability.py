"""What a visitor is told about support's availability: who is online, office hours, reply time."""

from flask import current_app

from clipai import clock
from clipai.clock import iso
from clipai.services import office_hours, presence
from clipai.services.conversations.response_times import usual_reply_seconds
from clipai.services.errors import ServiceError


def for_visitors(operators_online: int | None = None) -> dict:
    """The ``status`` payload: ``{operators_online, opens_at, reply_seconds}``.

    ``opens_at`` is the next opening (ISO instant) while support is outside its office hours, else
    null; ``reply_seconds`` the median first response of the last 14 days, or null with too few
    answered conversations. The browser formats both in the visitor's language and time zone.
    """
    opens_at = office_hours.opens_at(current_app, clock.now())
    try:
        reply_seconds = usual_reply_seconds()
    except ServiceError:  # the database is down: the status is still worth sending
        reply_seconds = None
    return {
        "operators_online": presence.operators_online() if operators_online is None else operators_online,
        "opens_at": iso(opens_at) if opens_at else None,
        "reply_seconds": reply_seconds,
    }
