"""Every combination of the RFP list's filters, for a vendor and a buyer, is read on an index
(issue 14; api/services/rfp_listing.py): no request plans a collection scan, whatever the filter,
and each lists exactly the RFPs a plain reading of the filter's documentation selects, in order,
first page and cursor pages alike. SecantusDB used an index only when one held every field a
filter named: a title search, several categories before the deadline range, or deadline bounds
without a status were scans of every RFP of the marketplace."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId

from schema.common import to_global_id
from tests.api.services.plans import Reads
from tests.api.services.test_unhinted_reads import _examined
from tests.api.services.test_windowed_lists import _copies, _template
from tests.conftest import Api, Clock
from tests.helpers import register

LIST = """query($filter: RfpFilter, $order: RfpOrder, $first: Int, $after: String) {
  rfps(filter: $filter, orderBy: $order, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }"""
CATEGORIES = ("CUSTOMER_SUPPORT", "SECURITY_OPERATIONS", "BOOKKEEPING")
TITLES = ("Support desk", "SOC monitoring", "Month-end close support")


async def _marketplace(
    api: Api, clock: Clock, buyer: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The buyer's RFPs of every status, category, title and a spread of deadlines (another buyer
    holds copies of them all): the buyer's documents, and every RFP's (what a vendor may list)."""
    template = await _template(api, buyer)
    now = clock()
    rows = [
        {
            "status": status,
            "category": category,
            "title": title,
            "submissionDeadline": now + timedelta(days=days),
            "createdAt": now - timedelta(minutes=minutes),
        }
        for minutes, (status, category, title, days) in enumerate(
            itertools.product(("OPEN", "CLOSED", "DRAFT", "AWARDED"), CATEGORIES, TITLES, (-2, 3, 10))
        )
    ]
    mine = await _copies(api, template, rows)
    await _copies(api, template, [row | {"buyerId": ObjectId()} for row in rows])
    return await api.store.rfps.find({"_id": {"$in": mine}}).to_list(
        None
    ), await api.store.rfps.find().to_list(None)


def _effective(doc: dict[str, Any], now: datetime) -> str:
    past = doc["submissionDeadline"] <= now
    return "CLOSED" if doc["status"] == "OPEN" and past else str(doc["status"])


def _selects(doc: dict[str, Any], spec: dict[str, Any], now: datetime, vendor: bool) -> bool:
    """The filter as its documentation reads (the test's oracle)."""
    status = _effective(doc, now)
    if vendor and status != "OPEN":
        return False
    return (
        (not spec.get("status") or status in spec["status"])
        and (not spec.get("category") or doc["category"] in spec["category"])
        and ("deadlineAfter" not in spec or doc["submissionDeadline"] >= spec["deadlineAfter"])
        and ("deadlineBefore" not in spec or doc["submissionDeadline"] < spec["deadlineBefore"])
        and ("titleContains" not in spec or spec["titleContains"].lower() in doc["title"].lower())
    )


def _specs(now: datetime, vendor: bool) -> list[dict[str, Any]]:
    statuses: list[list[str] | None] = (
        [None] if vendor else [None, ["OPEN"], ["DRAFT"], ["CLOSED"], ["OPEN", "AWARDED"]]
    )
    specs = []
    for status, category, title, deadline in itertools.product(
        statuses,
        (None, ["BOOKKEEPING"], ["CUSTOMER_SUPPORT", "SECURITY_OPERATIONS"]),
        (None, "SUPPORT"),
        (None, "after", "before", "both"),
    ):
        spec: dict[str, Any] = {}
        if status:
            spec["status"] = status
        if category:
            spec["category"] = category
        if title:
            spec["titleContains"] = title
        if deadline in ("after", "both"):
            spec["deadlineAfter"] = now + timedelta(days=1)
        if deadline in ("before", "both"):
            spec["deadlineBefore"] = now + timedelta(days=5)
        specs.append(spec)
    return specs


def _variables(spec: dict[str, Any]) -> dict[str, Any]:
    return {key: value.isoformat() if isinstance(value, datetime) else value for key, value in spec.items()}


async def test_every_filter_lists_what_it_says_on_an_index(
    explained_api: Api, reads: Reads, clock: Clock
) -> None:
    api = explained_api
    _, buyer = await register(api, "BUYER", "Filtered buyer")
    _, vendor = await register(api, "VENDOR", "Filtering vendor")
    mine, everything = await _marketplace(api, clock, buyer)
    now = clock()
    order = {"field": "TITLE", "direction": "ASC"}
    for key, is_vendor, docs in ((vendor, True, everything), (buyer, False, mine)):
        for spec in _specs(now, is_vendor):
            expected_docs = [doc for doc in docs if _selects(doc, spec, now, is_vendor)]
            expected = [
                to_global_id("Rfp", str(doc["_id"]))
                for doc in sorted(expected_docs, key=lambda doc: (doc["title"], doc["_id"]))
            ]
            reads.commands.clear()
            seen: list[str] = []
            cursor = None
            while True:
                variables = {"filter": _variables(spec), "order": order, "first": 7, "after": cursor}
                page = (await api.data(LIST, variables, key))["rfps"]
                assert page["totalCount"] == len(expected), spec
                seen += [edge["node"]["id"] for edge in page["edges"]]
                if not page["pageInfo"]["hasNextPage"]:
                    break
                cursor = page["pageInfo"]["endCursor"]
            assert seen == expected, spec
            kept = [command for command in reads.commands if command.get("find") == "rfps"]
            assert kept, spec
            await _examined(api, kept)  # asserts neither a hint nor a collection scan


async def test_deadline_order_lists_every_filter_on_an_index(
    explained_api: Api, reads: Reads, clock: Clock
) -> None:
    """The deadline order (read in windows where the filter allows) under the same filters."""
    api = explained_api
    _, buyer = await register(api, "BUYER", "Deadline buyer")
    docs, _ = await _marketplace(api, clock, buyer)
    now = clock()
    order = {"field": "SUBMISSION_DEADLINE", "direction": "DESC"}
    for spec in _specs(now, vendor=False):
        expected_docs = [doc for doc in docs if _selects(doc, spec, now, vendor=False)]
        ordered = sorted(expected_docs, key=lambda doc: (doc["submissionDeadline"], doc["_id"]), reverse=True)
        reads.commands.clear()
        page = (await api.data(LIST, {"filter": _variables(spec), "order": order, "first": 100}, buyer))[
            "rfps"
        ]
        assert page["totalCount"] == len(ordered), spec
        assert [edge["node"]["id"] for edge in page["edges"]] == [
            to_global_id("Rfp", str(doc["_id"])) for doc in ordered[:100]
        ], spec
        await _examined(api, [command for command in reads.commands if command.get("find") == "rfps"])
