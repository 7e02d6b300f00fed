"""Operators' reports: conversations started, answered and missed, median response times, ratings.

Every figure comes from what the site stores, and no row describes fewer than ``MIN_GROUP``
conversations: days and languages with fewer are merged into one "other" row, which takes in the
next smallest groups until it has enough; a median needs ``MIN_GROUP`` values too; a range with
fewer conversations in all shows nothing; an average rating needs ``MIN_GROUP`` ratings. So a report never points at one visitor.
"""

from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from statistics import fmean, median

from flask_babel import lazy_gettext as _l

from clipai import storage
from clipai.services.errors import ServiceError
from clipai.storage import statistics

MIN_GROUP = 5
MAX_DAYS = 92
OTHER = "other"


@dataclass(frozen=True)
class Row:
    label: str  # a day (YYYY-MM-DD, UTC), a language code, "other" or "total"
    started: int
    answered: int
    missed: int  # no operator has replied (still waiting, or closed without a reply)
    median_first_response_seconds: float | None
    median_resolution_seconds: float | None
    rated: int  # conversations the visitor rated (1-5 stars)
    average_rating: float | None  # their mean, 1 decimal; None below MIN_GROUP ratings


def parse_range(start: str | None, end: str | None, today: date) -> tuple[date, date]:
    """``from`` and ``to`` (inclusive, YYYY-MM-DD); the last 7 days by default."""
    try:
        last = date.fromisoformat(end) if end else today
        first = date.fromisoformat(start) if start else last - timedelta(days=6)
    except (TypeError, ValueError):
        raise ServiceError("invalid", _l("Dates must look like 2030-01-31.")) from None
    if first > last:
        raise ServiceError("invalid", _l("The first day must not come after the last day."))
    if (last - first).days >= MAX_DAYS:
        raise ServiceError("invalid", _l("A report covers at most %(days)s days.", days=MAX_DAYS))
    return first, last


def build_report(first: date, last: date) -> dict:
    """The report for the days ``first``–``last`` (UTC): a total, rows by day, rows by language."""
    start = datetime.combine(first, time(), UTC)
    with storage.reading() as conn:
        facts = statistics.conversation_facts(conn, start, start + timedelta(days=(last - first).days + 1))
    shown = len(facts) >= MIN_GROUP
    return {
        "from": first.isoformat(), "to": last.isoformat(), "min_group": MIN_GROUP,
        "total": asdict(summarize("total", facts)) if shown else None,
        "by_day": _rows(facts, lambda fact: fact.created_at.date().isoformat()) if shown else [],
        "by_locale": _rows(facts, lambda fact: fact.locale) if shown else [],
    }


def _rows(facts, key) -> list[dict]:
    groups = defaultdict(list)
    for fact in facts:
        groups[key(fact)].append(fact)
    other = []
    # Smallest first: groups under MIN_GROUP go to "other", then the next smallest while it is short.
    for label, members in sorted(groups.items(), key=lambda item: (len(item[1]), item[0])):
        if len(members) < MIN_GROUP or 0 < len(other) < MIN_GROUP:
            other.extend(members)
            groups.pop(label)
    result = [asdict(summarize(label, members)) for label, members in sorted(groups.items())]
    if other:
        result.append(asdict(summarize(OTHER, other)))
    return result


def summarize(label: str, facts) -> Row:
    answered = [fact for fact in facts if fact.answered]
    first_responses = [(fact.first_reply_at - fact.created_at).total_seconds()
                       for fact in answered if fact.first_reply_at]
    resolutions = [(fact.closed_at - fact.created_at).total_seconds() for fact in facts if fact.closed_at]
    stars = [fact.stars for fact in facts if fact.stars is not None]
    return Row(label, len(facts), len(answered), len(facts) - len(answered),
               _median(first_responses), _median(resolutions), len(stars), _enough(fmean, stars))


def _median(values) -> float | None:
    """The median, only over enough values that it describes no single conversation."""
    return _enough(median, values)


def _enough(measure, values) -> float | None:
    """``measure`` of ``values`` (1 decimal), only over enough values that it describes no single conversation."""
    return round(measure(values), 1) if len(values) >= MIN_GROUP else None
