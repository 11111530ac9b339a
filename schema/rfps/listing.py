"""Arguments of the RFP list: `rfps(filter:, orderBy:)` and the Relay page window (both directions)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField

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
from schema.enums import described_enum

RfpOrderFieldEnum = described_enum(
    RfpOrderField,
    "RfpOrderField",
    "What `rfps` is ordered by; ties are broken by id.",
    {
        "CREATED_AT": "When the RFP was created (the default, newest first).",
        "SUBMISSION_DEADLINE": "The submission deadline.",
        "TITLE": "The title, as stored (case-sensitive code-point order).",
    },
)
OrderDirectionEnum = described_enum(
    OrderDirection,
    "OrderDirection",
    "Ascending or descending.",
    {"ASC": "Smallest, earliest or first in order first.", "DESC": "Largest, latest or last first."},
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


ProposalOrderFieldEnum = described_enum(
    ProposalOrderField,
    "ProposalOrderField",
    "What `Rfp.proposals` is ordered by; ties by id.",
    {
        "SUBMITTED_AT": "When the proposal was first submitted (the default, oldest first).",
        "UPDATED_AT": "When the proposal last changed.",
    },
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


def selects(info: Any, name: str) -> bool:
    """Whether the resolved field's selection (fragments included) asks for `name` right below it:
    a connection's totalCount reads every matching document again, so it is read only when asked."""
    below = [each for field in info.selected_fields for each in getattr(field, "selections", ())]
    while below:
        node = below.pop()
        if isinstance(node, SelectedField) and node.name == name:
            return True
        if isinstance(node, FragmentSpread | InlineFragment):
            below.extend(node.selections)
    return False
