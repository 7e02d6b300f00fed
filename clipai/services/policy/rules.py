"""The in-force rule: which version applies at an instant, and what comes next."""

from dataclasses import dataclass
from datetime import UTC, datetime

from clipai.storage.policy import PolicyVersion


def parse_instant(value) -> datetime:
    """Read an ISO 8601 instant; a value without an offset is taken as UTC."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and value.strip() and len(value) <= 64:
        parsed = datetime.fromisoformat(value.strip())
    else:
        raise ValueError("not an ISO 8601 instant")
    try:
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)
    except OverflowError:  # e.g. 9999-12-31T23:59:59-01:00 is after the last representable instant
        raise ValueError("instant out of range") from None


def _order(version: PolicyVersion) -> tuple:
    """The order versions take force in (equal instants: the higher number wins)."""
    return (version.effective_from, version.number)


def in_force_at(versions, at: datetime) -> PolicyVersion | None:
    """Return the non-withdrawn version with the greatest ``effective_from`` ≤ ``at``."""
    candidates = [v for v in versions if not v.withdrawn and v.effective_from <= at]
    return max(candidates, key=_order, default=None)


def upcoming_at(versions, at: datetime) -> list[PolicyVersion]:
    """Return the non-withdrawn versions taking effect after ``at``, nearest first."""
    return sorted((v for v in versions if not v.withdrawn and v.effective_from > at), key=_order)


def ever_in_force(versions) -> list[PolicyVersion]:
    """The versions that are, were or will be in force for some instant, in the order they take force.

    Withdrawn versions never are; nor is one sharing its ``effective_from`` with a higher number.
    """
    ordered = sorted((v for v in versions if not v.withdrawn), key=_order)
    return [v for v, later in zip(ordered, ordered[1:] + [None])
            if later is None or later.effective_from != v.effective_from]


def previous_in_force(versions, version: PolicyVersion) -> PolicyVersion | None:
    """The version in force just before ``version`` takes effect: the one a diff pairs it with.

    ``None`` for the first version, and for one that never takes force (withdrawn or overtaken):
    it follows no version in force.
    """
    sequence = ever_in_force(versions)
    numbers = [v.number for v in sequence]
    if version.number not in numbers:
        return None
    index = numbers.index(version.number)
    return sequence[index - 1] if index else None


def scheduled_blocking(versions, effective_from: datetime, at: datetime) -> PolicyVersion | None:
    """The latest scheduled version that a new version taking effect at ``effective_from`` would not follow.

    Effective dates follow version numbers: a new version takes effect after every pending one,
    otherwise the pending one would undo it when it takes force (or never take force itself).
    """
    pending = [v for v in upcoming_at(versions, at) if v.effective_from >= effective_from]
    return max(pending, key=_order, default=None)


@dataclass(frozen=True)
class PolicyState:
    """Every version (without texts) and what is in force and upcoming at one instant."""

    at: datetime
    versions: tuple
    in_force: PolicyVersion | None
    upcoming: PolicyVersion | None

    @property
    def next_switch_over(self) -> datetime | None:
        return self.upcoming.effective_from if self.upcoming else None

    @property
    def public_versions(self) -> list[PolicyVersion]:
        return [v for v in self.versions if not v.withdrawn]

    def get(self, number: int) -> PolicyVersion | None:
        return next((v for v in self.versions if v.number == number), None)

    def previous_in_force(self, version: PolicyVersion) -> PolicyVersion | None:
        return previous_in_force(self.versions, version)

    def status_of(self, version: PolicyVersion) -> str:
        """Return ``in_force``, ``upcoming``, ``past`` or ``withdrawn``."""
        if version.withdrawn:
            return "withdrawn"
        if self.in_force and version.number == self.in_force.number:
            return "in_force"
        return "upcoming" if version.effective_from > self.at else "past"


def state_of(versions, at: datetime) -> PolicyState:
    upcoming = upcoming_at(versions, at)
    return PolicyState(at, tuple(versions), in_force_at(versions, at), upcoming[0] if upcoming else None)
