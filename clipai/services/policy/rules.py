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


def in_force_at(versions, at: datetime) -> PolicyVersion | None:
    """Return the non-withdrawn version with the greatest ``effective_from`` ≤ ``at``."""
    # Equal effective instants: the later publication wins.
    candidates = [v for v in versions if not v.withdrawn and v.effective_from <= at]
    return max(candidates, key=lambda v: (v.effective_from, v.number), default=None)


def upcoming_at(versions, at: datetime) -> list[PolicyVersion]:
    """Return the non-withdrawn versions taking effect after ``at``, nearest first."""
    return sorted((v for v in versions if not v.withdrawn and v.effective_from > at),
                  key=lambda v: (v.effective_from, v.number))


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
