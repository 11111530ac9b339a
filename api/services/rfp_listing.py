"""`rfps(filter:, orderBy:)` as SecantusDB can read it on an index (issue 14).

Its planner uses an index only when one holds every field a filter names, equalities but for the
last of them in the index's order (an `$in` or a range); an `$or` it plans as a scan. So a listing's
filter is split: the conditions an index serves go to the database as a flat filter, equality
fields first, and the others (a title search, several categories beside a status or a range, a
deadline range without a status to lead it, the effective status CLOSED) are checked here, on the
few fields they need, by paging.page_of_keys."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bson import ObjectId

from api.services.paging import SortKey
from api.store.document import Document
from market.lifecycle import effective_rfp_status
from market.listing import RfpFilterSpec, RfpOrderField
from market.records import OrganizationRecord
from market.vocabulary import OrganizationKind, RfpStatus

Check = Callable[[Document], bool]

WINDOWED = SortKey("submissionDeadline", is_datetime=True)
SORT_KEYS = {
    RfpOrderField.CREATED_AT: SortKey("createdAt", is_datetime=True),
    RfpOrderField.SUBMISSION_DEADLINE: WINDOWED,
    RfpOrderField.TITLE: SortKey("title"),
}

# The equality fields of the RFP indexes that range on submissionDeadline next (by_status,
# by_status_category, by_buyer_status): a window is planned on one only when its filter's other
# fields are exactly one of these.
WINDOWED_PREFIXES = (
    frozenset({"status"}),
    frozenset({"status", "category"}),
    frozenset({"buyerId", "status"}),
)


@dataclass(frozen=True)
class ListingFilter:
    """`query`: the flat filter sent to the database; `checks`: the conditions checked here, on the
    stored `fields` they read (none: the query alone selects the listing)."""

    query: Document
    checks: tuple[Check, ...] = ()
    fields: tuple[str, ...] = ()

    def keep(self, doc: Document) -> bool:
        return all(check(doc) for check in self.checks)

    @property
    def windowable(self) -> bool:
        """Whether a window on the deadline keeps the query on an index (see WINDOWED_PREFIXES)."""
        if self.checks:
            return False
        equal = {field for field, value in self.query.items() if not isinstance(value, dict)}
        ranged = {field for field, value in self.query.items() if isinstance(value, dict)}
        return equal in WINDOWED_PREFIXES and ranged <= {WINDOWED.field}


def selects_exactly(wanted: set[RfpStatus]) -> bool:
    """Whether one stored status selects exactly the RFPs of these effective statuses: any status
    or one, other than CLOSED (whose RFPs are stored CLOSED, or OPEN past their deadline)."""
    return len(wanted) <= 1 and RfpStatus.CLOSED not in wanted


def listing_filter(
    viewer: OrganizationRecord, wanted: set[RfpStatus], spec: RfpFilterSpec, now: datetime
) -> ListingFilter:
    """The RFPs `viewer` may list (a buyer its own, a vendor those open for bids now) that match
    `wanted` (effective statuses, none: any) and `spec`."""
    vendor = viewer.kind is OrganizationKind.VENDOR
    query: Document = {} if vendor else {"buyerId": ObjectId(viewer.id)}
    checks: list[Check] = []
    fields: list[str] = []
    lower: tuple[str, datetime] | None = None
    if vendor or selects_exactly(wanted):
        status = RfpStatus.OPEN if vendor else next(iter(wanted), None)
        if status is not None:
            query["status"] = status.value
            lower = ("$gt", now) if status is RfpStatus.OPEN else None
    else:
        stored = wanted | ({RfpStatus.OPEN} if RfpStatus.CLOSED in wanted else set())
        query["status"] = {"$in": sorted(each.value for each in stored)}
        checks.append(lambda doc: _effective(doc, now) in wanted)
        fields += ["status", "submissionDeadline"]
    if spec.deadline_after is not None and (lower is None or spec.deadline_after > lower[1]):
        lower = ("$gte", spec.deadline_after)
    deadline: Document = {lower[0]: lower[1]} if lower else {}
    if spec.deadline_before is not None:
        deadline["$lt"] = spec.deadline_before
    # A deadline range is planned only after an equal status (by_status, by_buyer_status, ...).
    ranged = bool(deadline) and isinstance(query.get("status"), str)
    if ranged:
        query["submissionDeadline"] = deadline
    elif deadline:
        checks.append(lambda doc: _within(doc["submissionDeadline"], deadline))
        fields.append("submissionDeadline")
    if len(spec.categories) == 1:
        query["category"] = spec.categories[0].value
    elif spec.categories and set(query) == {"buyerId"}:  # by_buyer_category, its `$in` last
        query["category"] = {"$in": [category.value for category in spec.categories]}
    elif spec.categories:  # an `$in` before a status, or beside a range: planned as a scan
        categories = {category.value for category in spec.categories}
        checks.append(lambda doc: doc["category"] in categories)
        fields.append("category")
    if spec.title_contains:  # in no index: a title search beside any filter is a scan
        pattern = re.compile(re.escape(spec.title_contains), re.IGNORECASE)
        checks.append(lambda doc: pattern.search(doc["title"]) is not None)
        fields.append("title")
    return ListingFilter(query, tuple(checks), tuple(dict.fromkeys(fields)))


def _effective(doc: Document, now: datetime) -> RfpStatus:
    return effective_rfp_status(RfpStatus(doc["status"]), doc["submissionDeadline"], now)


def _within(value: datetime, bounds: Document) -> bool:
    """`value` within a range of `$gt`/`$gte`/`$lt` bounds, as the database would compare it."""
    return (
        ("$gt" not in bounds or value > bounds["$gt"])
        and ("$gte" not in bounds or value >= bounds["$gte"])
        and ("$lt" not in bounds or value < bounds["$lt"])
    )
