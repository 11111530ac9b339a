"""RFP lists in deadline order read their page in widening windows of the deadline (issue 14,
api/services/paging.windowed_page): the pages, their cursors both ways, ties on one deadline and
totalCount are those of the plain keyset read, while each request examines about a window of RFPs,
not every match, and never sends a hint."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bson import ObjectId

from schema.common import local_id, to_global_id
from tests.api.services.pages import Connection, forged_cursor, node_ids, walk_pages
from tests.api.services.plans import Reads
from tests.api.services.test_market_reads import _index_and_docs, _rfp_finds
from tests.conftest import Api, Clock
from tests.helpers import open_rfp, register

LIST = """query($first: Int, $after: String, $last: Int, $before: String, $dir: OrderDirection!) {
  rfps(first: $first, after: $after, last: $last, before: $before,
       filter: {status: [OPEN], category: [SECURITY_OPERATIONS]},
       orderBy: {field: SUBMISSION_DEADLINE, direction: $dir}) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { node { id status } } } }"""
# Offsets of the wanted RFPs' deadlines from now: hours apart, weeks apart, past every window
# (1+4+16+64+256 days), and ties (four RFPs on one deadline).
OFFSETS = [
    timedelta(hours=2),
    *[timedelta(days=3)] * 4,
    timedelta(days=3, hours=1),
    timedelta(days=9),
    timedelta(days=40),
    timedelta(days=400),
]


async def _template(api: Api, buyer: str) -> dict[str, Any]:
    """An open security RFP's document, removed from the store (its deadline is the helper's)."""
    rfp_id = ObjectId(local_id(await open_rfp(api, buyer, category="SECURITY_OPERATIONS"), "Rfp"))
    template = await api.store.rfps.find_one_and_delete({"_id": rfp_id})
    assert template is not None
    return template


async def _copies(api: Api, template: dict[str, Any], rows: list[dict[str, Any]]) -> list[ObjectId]:
    documents = [template | {"_id": ObjectId()} | row for row in rows]
    await api.store.rfps.insert_many(documents)
    return [doc["_id"] for doc in documents]


async def _market(api: Api, clock: Clock) -> tuple[str, list[str]]:
    """A vendor and the global ids of the OPEN security RFPs it may list, in deadline-then-id order;
    around them another buyer's drafts, cancelled and closed RFPs of the same category and deadlines
    (never listed), and open RFPs of other categories."""
    _, buyer = await register(api, "BUYER", "Window buyer")
    _, vendor = await register(api, "VENDOR", "Window vendor")
    template = await _template(api, buyer)
    now = clock()
    wanted = await _copies(api, template, [{"submissionDeadline": now + offset} for offset in OFFSETS])
    rival = ObjectId()
    hidden = [
        {"buyerId": rival, "status": status, "submissionDeadline": now + offset}
        for status in ("DRAFT", "CANCELLED", "CLOSED")
        for offset in OFFSETS
    ]
    hidden += [{"category": "CUSTOMER_SUPPORT", "submissionDeadline": now + o} for o in OFFSETS]
    hidden.append({"submissionDeadline": now - timedelta(hours=1)})  # OPEN but past: CLOSED
    await _copies(api, template, hidden)
    stored = await api.store.rfps.find({"_id": {"$in": wanted}}).to_list(None)
    ordered = sorted(stored, key=lambda doc: (doc["submissionDeadline"], doc["_id"]))
    return vendor, [to_global_id("Rfp", str(doc["_id"])) for doc in ordered]


async def _walk(api: Api, vendor: str, direction: str, size: int, backward: bool = False) -> list[str]:
    """Every page of the list, following the cursors both ways; the ids in list order, each page
    checked for its totalCount and for listing only open RFPs."""

    async def read(paging: dict[str, Any]) -> Connection:
        page: Connection = (await api.data(LIST, {"dir": direction} | paging, vendor))["rfps"]
        assert page["totalCount"] == len(OFFSETS)
        assert all(edge["node"]["status"] == "OPEN" for edge in page["edges"])
        return page

    edges, _ = await walk_pages(read, size, backward)
    return node_ids(edges)


async def test_windowed_pages_list_every_open_rfp_once_in_order(api: Api, clock: Clock) -> None:
    vendor, ordered = await _market(api, clock)
    for size in (1, 2, 3, 20):
        assert await _walk(api, vendor, "ASC", size) == ordered, size
        assert await _walk(api, vendor, "ASC", size, backward=True) == ordered, size
        assert await _walk(api, vendor, "DESC", size) == ordered[::-1], size
        assert await _walk(api, vendor, "DESC", size, backward=True) == ordered[::-1], size


async def test_a_page_reads_about_a_window_whatever_lies_beyond(
    explained_api: Api, reads: Reads, clock: Clock
) -> None:
    """One RFP a day for 30 days: the first page of 2 and its next page examine the first windows'
    RFPs, and 100 more RFPs a year out (open, same category) change nothing they examine."""
    _, buyer = await register(explained_api, "BUYER", "Daily buyer")
    _, vendor = await register(explained_api, "VENDOR", "Daily vendor")
    template = await _template(explained_api, buyer)
    now = clock()
    daily = [{"submissionDeadline": now + timedelta(days=day, hours=12)} for day in range(30)]
    await _copies(explained_api, template, daily)
    examined: list[list[tuple[str, int]]] = []
    for grow in (0, 100):
        far = [{"submissionDeadline": now + timedelta(days=365, minutes=n)} for n in range(grow)]
        if far:
            await _copies(explained_api, template, far)
        reads.commands.clear()
        first = (await explained_api.data(LIST, {"first": 2, "dir": "ASC"}, vendor))["rfps"]
        plans = [_index_and_docs(plan) for plan in await _rfp_finds(explained_api, reads)]
        reads.commands.clear()
        after = {"first": 2, "after": first["pageInfo"]["endCursor"], "dir": "ASC"}
        second = (await explained_api.data(LIST, after, vendor))["rfps"]
        plans += [_index_and_docs(plan) for plan in await _rfp_finds(explained_api, reads)]
        assert first["totalCount"] == second["totalCount"] == 30 + grow
        assert len(first["edges"]) == len(second["edges"]) == 2
        assert {index for index, _ in plans} == {"by_status_category"}
        # Windows of 1 then 4 days: at most 5 daily RFPs per page, never the other 25 or the 100.
        assert sum(docs for _, docs in plans) <= 10
        examined.append(plans)
    assert examined[0] == examined[1]


async def test_hostile_cursors_are_refused(api: Api, clock: Clock) -> None:
    vendor, _ = await _market(api, clock)
    newest = await api.data("{ rfps(first: 1) { pageInfo { endCursor } } }", key=vendor)
    foreign = newest["rfps"]["pageInfo"]["endCursor"]  # a cursor of the createdAt order
    for cursor in ("garbage", foreign, "cmZwczpzdWJtaXNzaW9uRGVhZGxpbmU6QVNDOm5vdC1hLWRhdGU="):
        for variables in ({"first": 2, "after": cursor}, {"last": 2, "before": cursor}):
            body = await api(LIST, variables | {"dir": "ASC"}, vendor)
            assert body["data"] is None or body["data"]["rfps"] is None, body
            assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body


def _forged(value: str, order: str = "submissionDeadline:ASC") -> str:
    return forged_cursor("rfps", order, value)


async def test_forged_cursor_times_never_fail_the_request(api: Api, clock: Clock) -> None:
    """Times a careless or hostile client may put in a cursor: a naive time reads as UTC, the ends
    of the calendar give a page or BAD_USER_INPUT (never a 500 from date arithmetic)."""
    vendor, ordered = await _market(api, clock)
    naive = (clock() + timedelta(days=3)).replace(tzinfo=None).isoformat()
    page = (await api.data(LIST, {"first": 20, "after": _forged(naive), "dir": "ASC"}, vendor))["rfps"]
    # After (3 days, a newer id than any RFP): the 2-hour one and the four ties on 3 days are before.
    assert [edge["node"]["id"] for edge in page["edges"]] == ordered[5:]
    for value in ("9999-12-31T23:59:59.999999+00:00", "0001-01-01T00:00:00+00:00"):
        for direction in ("ASC", "DESC"):
            cursor = _forged(value, f"submissionDeadline:{direction}")
            for variables in ({"first": 2, "after": cursor}, {"last": 2, "before": cursor}):
                body = await api(LIST, variables | {"dir": direction}, vendor)
                if "errors" in body:
                    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body
                else:
                    assert isinstance(body["data"]["rfps"]["edges"], list)


async def test_a_buyers_own_list_in_deadline_order_pages_through_every_status(
    explained_api: Api, reads: Reads, clock: Clock
) -> None:
    """A buyer's list (drafts included, no status filter) in deadline order: its cursor pages are
    windows too, read on an index, and a rival buyer's RFPs on the same deadlines never appear."""
    _, buyer = await register(explained_api, "BUYER", "Own list buyer")
    _, rival = await register(explained_api, "BUYER", "Own list rival")
    template = await _template(explained_api, buyer)
    now = clock()
    rows = [
        {"submissionDeadline": now + offset, "status": status}
        for offset in OFFSETS
        for status in ("DRAFT", "OPEN")
    ]
    mine = await _copies(explained_api, template, rows)
    await _copies(explained_api, template, [row | {"buyerId": ObjectId()} for row in rows])
    stored = await explained_api.store.rfps.find({"_id": {"$in": mine}}).to_list(None)
    ordered = [
        to_global_id("Rfp", str(doc["_id"]))
        for doc in sorted(stored, key=lambda doc: (doc["submissionDeadline"], doc["_id"]))
    ]
    drafts = {to_global_id("Rfp", str(doc["_id"])) for doc in stored if doc["status"] == "DRAFT"}
    query = """query($after: String) { rfps(first: 3, after: $after, %s
      orderBy: {field: SUBMISSION_DEADLINE, direction: ASC}) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }"""
    # Its drafts are windows on by_buyer_status; the list of every status (no index fits a window
    # there) keeps the unwindowed read: both list exactly what they did.
    for status, expected in (("status: DRAFT,", [id for id in ordered if id in drafts]), ("", ordered)):
        seen: list[str] = []
        cursor: str | None = None
        while True:
            reads.commands.clear()
            page = (await explained_api.data(query % status, {"after": cursor}, buyer))["rfps"]
            if status:
                plans = [_index_and_docs(plan) for plan in await _rfp_finds(explained_api, reads)]
                assert {index for index, _ in plans} == {"by_buyer_status"}
            assert page["totalCount"] == len(expected)
            seen += [edge["node"]["id"] for edge in page["edges"]]
            if not page["pageInfo"]["hasNextPage"]:
                break
            cursor = page["pageInfo"]["endCursor"]
        assert seen == expected
        rival_page = (await explained_api.data(query % status, {"after": cursor}, rival))["rfps"]
        assert rival_page["edges"] == [] and rival_page["totalCount"] == 0
