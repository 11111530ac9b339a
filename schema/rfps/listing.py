"""Arguments of the RFP list: `rfps(filter:, orderBy:)` and the Relay page window (both directions)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from market.listing import (
    MAX_TITLE_SEARCH,
    OrderDirection,
    PageWindow,
    ProposalListing,
    ProposalOrderField,
    RfpFilterSpec,
    RfpListing,
    RfpOrderField,
    RfpOrderSpec,
)
from market.vocabulary import InputError, ProposalStatus, RfpStatus, ServiceCategory
from schema import enums  # noqa: F401  (registers the enums used below)
from schema.common import client_error

RfpOrderFieldEnum = strawberry.enum(
    RfpOrderField,
    name="RfpOrderField",
    description="What `rfps` is ordered by; ties are broken by id.",
)
OrderDirectionEnum = strawberry.enum(
    OrderDirection, name="OrderDirection", description="Ascending or descending."
)


@strawberry.input(description="Narrows `rfps`; every condition given must hold (AND).")
class RfpFilter:
    status: list[RfpStatus] | None = strawberry.field(
        default=None, description="Any of these effective statuses (an OPEN RFP past its deadline is CLOSED)."
    )
    category: list[ServiceCategory] | None = strawberry.field(
        default=None, description="Any of these service categories."
    )
    deadline_after: datetime | None = strawberry.field(
        default=None, description="Submission deadline at or after this instant (ISO 8601 with offset)."
    )
    deadline_before: datetime | None = strawberry.field(
        default=None, description="Submission deadline strictly before this instant (ISO 8601 with offset)."
    )
    title_contains: str | None = strawberry.field(
        default=None,
        description=f"Case-insensitive literal text in the title, at most {MAX_TITLE_SEARCH} characters.",
    )


@strawberry.input(description="The order of `rfps`. Default: CREATED_AT DESC (newest first).")
class RfpOrder:
    field: RfpOrderField = strawberry.field(description="The field to order by.")
    direction: OrderDirection = strawberry.field(description="ASC or DESC.")


def window(first: int | None, after: str | None, last: int | None, before: str | None) -> PageWindow:
    """The Relay window; a bad size or a mix of directions is a top-level BAD_USER_INPUT error."""
    try:
        return PageWindow.of(first, after, last, before)
    except InputError as error:
        raise client_error(error.message, [error.argument]) from None


def rfp_listing(page: PageWindow, filter: RfpFilter | None, order_by: RfpOrder | None) -> RfpListing:
    try:
        spec = (
            RfpFilterSpec(
                statuses=tuple(filter.status or ()),
                categories=tuple(filter.category or ()),
                deadline_after=filter.deadline_after,
                deadline_before=filter.deadline_before,
                title_contains=filter.title_contains,
            )
            if filter
            else RfpFilterSpec()
        )
    except InputError as error:
        raise client_error(error.message, ["filter", "titleContains"]) from None
    order = RfpOrderSpec(order_by.field, order_by.direction) if order_by else RfpOrderSpec()
    return RfpListing(page, spec, order)


ProposalOrderFieldEnum = strawberry.enum(
    ProposalOrderField,
    name="ProposalOrderField",
    description="What `Rfp.proposals` is ordered by; ties by id.",
)


@strawberry.input(description="Narrows `Rfp.proposals`.")
class ProposalFilter:
    status: list[ProposalStatus] | None = strawberry.field(default=None, description="Any of these statuses.")


@strawberry.input(description="The order of `Rfp.proposals`. Default: SUBMITTED_AT ASC (as they arrived).")
class ProposalOrder:
    field: ProposalOrderField = strawberry.field(description="The field to order by.")
    direction: OrderDirection = strawberry.field(description="ASC or DESC.")


def proposal_listing(
    page: PageWindow, filter: ProposalFilter | None, order_by: ProposalOrder | None
) -> ProposalListing:
    statuses = tuple(filter.status or ()) if filter else ()
    if order_by is None:
        return ProposalListing(page, statuses)
    return ProposalListing(page, statuses, order_by.field, order_by.direction)
