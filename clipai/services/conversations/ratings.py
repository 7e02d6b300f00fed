"""The visitor's rating of a closed conversation: 1-5 stars and an optional comment.

One rating per conversation. While the conversation stays closed the visitor may change it (the
new one replaces the old); once it is reopened the rating stays as it is until the next close.
"""

from flask_babel import lazy_gettext as _l

from clipai import clock, signals
from clipai.services.conversations.posting import redact_in
from clipai.services.conversations.transactions import app, write
from clipai.services.conversations.validation import NOT_FOUND, clean_text, invalid
from clipai.services.errors import ServiceError
from clipai.storage import chat as store
from clipai.storage.chat import Rating

STARS_RULE = _l("Choose from 1 to 5 stars.")
NOT_CLOSED = _l("You can rate the conversation once it is closed.")


def _stars(value) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
        raise invalid(STARS_RULE)
    return value


def _comment(value) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    return clean_text(value)


def rate(conversation_id: int, stars, comment=None, *, origin_sid: str | None = None) -> Rating:
    """Record the visitor's rating of their closed conversation; operators see it at once."""
    stars, comment = _stars(stars), _comment(comment)

    def work(conn):
        state = store.conversation_state(conn, conversation_id)
        if state is None:
            raise ServiceError("not_found", NOT_FOUND)
        if state.status != "closed":
            raise ServiceError("not_closed", NOT_CLOSED)
        redaction = redact_in(state.locale, comment) if comment else None
        rating = store.save_rating(conn, conversation_id, stars=stars, comment=redaction.text if redaction else "",
                                   redacted=tuple(redaction.kinds) if redaction else (), now=clock.now())
        return rating, store.conversation(conn, conversation_id)

    rating, summary = write(work)
    signals.conversation_changed.send(app(), conversation=summary, change="rated", origin_sid=origin_sid)
    return rating
