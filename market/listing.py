"""How clients ask for lists: Relay page windows (both ways), RFP filters and orders. Pure values the
schema builds and the services read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from market.vocabulary import InputError, ProposalStatus, RfpStatus, ServiceCategory

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# A title search longer than any title is a mistake or an attack on the regex engine: refused.
MAX_TITLE_SEARCH = 100


class RfpOrderField(str, Enum):
    CREATED_AT = "CREATED_AT"
    SUBMISSION_DEADLINE = "SUBMISSION_DEADLINE"
    TITLE = "TITLE"


class OrderDirection(str, Enum):
    ASC = "ASC"
    DESC = "DESC"


@dataclass(frozen=True)
class PageWindow:
    """`first` items after `after` (forward), or `last` items before `before` (backward)."""

    size: int = DEFAULT_PAGE_SIZE
    cursor: str | None = None
    backward: bool = False

    @classmethod
    def of(
        cls, first: int | None, after: str | None, last: int | None = None, before: str | None = None
    ) -> PageWindow:
        """The window the Relay arguments ask for; BAD_USER_INPUT for sizes out of range or a mix of
        both directions (its meaning is ambiguous, so no client should rely on one)."""
        if last is not None or before is not None:
            if first is not None or after is not None:
                raise InputError("last", "use first/after or last/before, not both")
            return cls(_size("last", last), before, backward=True)
        return cls(_size("first", first), after)

    @property
    def argument(self) -> str:
        """The argument a bad cursor is reported under."""
        return "before" if self.backward else "after"


def _size(argument: str, value: int | None) -> int:
    if value is None:
        return DEFAULT_PAGE_SIZE
    if not 1 <= value <= MAX_PAGE_SIZE:
        raise InputError(argument, f"{argument} must be between 1 and {MAX_PAGE_SIZE}")
    return value


@dataclass(frozen=True)
class RfpFilterSpec:
    statuses: tuple[RfpStatus, ...] = ()
    categories: tuple[ServiceCategory, ...] = ()
    deadline_after: datetime | None = None
    deadline_before: datetime | None = None
    title_contains: str | None = None

    def __post_init__(self) -> None:
        if self.title_contains is not None and len(self.title_contains) > MAX_TITLE_SEARCH:
            raise InputError("filter", f"titleContains is at most {MAX_TITLE_SEARCH} characters")


@dataclass(frozen=True)
class RfpOrderSpec:
    """Default: newest first."""

    field: RfpOrderField = RfpOrderField.CREATED_AT
    direction: OrderDirection = OrderDirection.DESC


@dataclass(frozen=True)
class RfpListing:
    window: PageWindow = field(default_factory=PageWindow)
    filter: RfpFilterSpec = field(default_factory=RfpFilterSpec)
    order: RfpOrderSpec = field(default_factory=RfpOrderSpec)
    counted: bool = True  # False: the client asked for no totalCount, the page's is 0


class ProposalOrderField(str, Enum):
    SUBMITTED_AT = "SUBMITTED_AT"
    UPDATED_AT = "UPDATED_AT"


@dataclass(frozen=True)
class ProposalListing:
    """An RFP's proposals: default oldest submission first (the order they arrived in)."""

    window: PageWindow = field(default_factory=PageWindow)
    statuses: tuple[ProposalStatus, ...] = ()
    order_field: ProposalOrderField = ProposalOrderField.SUBMITTED_AT
    direction: OrderDirection = OrderDirection.ASC
    counted: bool = True  # False: the client asked for no totalCount, the page's is 0
