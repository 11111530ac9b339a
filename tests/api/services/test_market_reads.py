"""The RFP lists (a buyer's dashboard, the vendor market list) read only the RFPs their filter
matches, planned by the server on the index that fits, whatever the marketplace holds (issue 14).

SecantusDB walks a hinted index whole and plans an `$and`/`$or` as a scan, so these reads send a
flat filter without `hint`; the explain of each find pins the index and the documents examined."""

from __future__ import annotations

from typing import Any

from bson import ObjectId

from schema.common import local_id
from tests.api.services.plans import Reads
from tests.conftest import Api, Clock
from tests.helpers import create_rfp, open_rfp, register, submit

DASHBOARD = "{ rfps(first: 20, status: OPEN) { totalCount edges { node { id status } } } }"
DRAFTS = "{ rfps(first: 20, status: DRAFT) { totalCount edges { node { id status } } } }"
MARKET = """{ rfps(first: 20, filter: {status: [OPEN], category: [SECURITY_OPERATIONS]},
  orderBy: {field: SUBMISSION_DEADLINE, direction: ASC}) { totalCount edges { node { id } } } }"""


async def _grow_marketplace(api: Api, template_id: str, copies: int) -> None:
    """Other buyers' OPEN RFPs in every category but the one the market test filters on, and some
    of their drafts: what a read that scales with the marketplace would walk."""
    template = await api.store.rfps.find_one({"_id": ObjectId(template_id)})
    assert template is not None
    others = [ObjectId() for _ in range(5)]
    documents = [
        template
        | {
            "_id": ObjectId(),
            "buyerId": others[index % len(others)],
            "status": "DRAFT" if index % 7 == 0 else "OPEN",
            "category": "IT_MANAGED_SERVICES" if index % 2 else "CUSTOMER_SUPPORT",
        }
        for index in range(copies)
    ]
    if documents:
        await api.store.rfps.insert_many(documents)


async def _rfp_finds(api: Api, reads: Reads) -> list[dict[str, Any]]:
    """The executionStats of every find on `rfps` the last request sent (and the command itself)."""
    explained = []
    for command in reads.commands:
        if command.get("find") != "rfps":
            continue
        assert "hint" not in command, command  # a hinted index is walked whole by SecantusDB
        db = api.market.store.db
        plan = await db.command(
            {"explain": command, "verbosity": "executionStats"}, codec_options=db.codec_options
        )
        explained.append(plan)
    assert explained, "the request read no RFP list"
    return explained


def _index_and_docs(plan: dict[str, Any]) -> tuple[str, int]:
    stage = plan["queryPlanner"]["winningPlan"]
    while "indexName" not in stage:
        assert "inputStage" in stage, f"no index in the plan: {plan['queryPlanner']['winningPlan']}"
        stage = stage["inputStage"]
    return stage["indexName"], plan["executionStats"]["totalDocsExamined"]


async def _read(api: Api, reads: Reads, query: str, key: str) -> tuple[Any, list[tuple[str, int]]]:
    reads.commands.clear()
    data = await api.data(query, key=key)
    return data, [_index_and_docs(plan) for plan in await _rfp_finds(api, reads)]


async def test_a_buyers_dashboard_reads_its_own_matching_rfps_only(explained_api: Api, reads: Reads) -> None:
    _, buyer = await register(explained_api, "BUYER", "Dashboard")
    opened = [await open_rfp(explained_api, buyer) for _ in range(2)]
    drafts = [(await create_rfp(explained_api, buyer))["id"] for _ in range(3)]
    for copies in (0, 60):
        await _grow_marketplace(explained_api, local_id(opened[0], "Rfp"), copies)
        data, plans = await _read(explained_api, reads, DASHBOARD, buyer)
        assert {edge["node"]["id"] for edge in data["rfps"]["edges"]} == set(opened)
        assert data["rfps"]["totalCount"] == 2
        # Its OPEN RFPs only: neither its drafts nor the 60 RFPs of other buyers are read.
        assert plans == [("by_buyer_status", 2)]
        data, plans = await _read(explained_api, reads, DRAFTS, buyer)
        assert {edge["node"]["id"] for edge in data["rfps"]["edges"]} == set(drafts)
        assert plans == [("by_buyer_status", 3)]


async def test_the_market_list_reads_the_open_rfps_of_its_category_only(
    explained_api: Api, reads: Reads, clock: Clock
) -> None:
    _, buyer = await register(explained_api, "BUYER", "Security buyer")
    _, vendor = await register(explained_api, "VENDOR", "Market reader")
    wanted = [await open_rfp(explained_api, buyer, category="SECURITY_OPERATIONS") for _ in range(3)]
    await create_rfp(explained_api, buyer, category="SECURITY_OPERATIONS")  # a draft: not listed
    for copies in (0, 60):
        await _grow_marketplace(explained_api, local_id(wanted[0], "Rfp"), copies)
        data, plans = await _read(explained_api, reads, MARKET, vendor)
        assert [edge["node"]["id"] for edge in data["rfps"]["edges"]] == wanted[::-1] or {
            edge["node"]["id"] for edge in data["rfps"]["edges"]
        } == set(wanted)
        # Windows of the deadline (widened until they hold the page): each on the category's index,
        # together reading the 3 wanted RFPs and nothing of the other 60.
        assert {index for index, _ in plans} == {"by_status_category"}
        assert sum(docs for _, docs in plans) == 3


async def test_a_passed_deadline_is_not_listed_as_open(
    explained_api: Api, reads: Reads, clock: Clock
) -> None:
    """The flat filter keeps the effective status: an OPEN RFP past its deadline reads CLOSED and
    leaves the OPEN dashboard and the market list (a careless client sees no stale bids)."""
    _, buyer = await register(explained_api, "BUYER", "Deadline buyer")
    _, vendor = await register(explained_api, "VENDOR", "Late vendor")
    await open_rfp(explained_api, buyer, category="SECURITY_OPERATIONS")
    clock.advance(days=30)
    for query, key in ((DASHBOARD, buyer), (MARKET, vendor)):
        data, _ = await _read(explained_api, reads, query, key)
        assert data["rfps"] == {"totalCount": 0, "edges": []}
    closed = await explained_api.data("{ rfps(first: 5, status: CLOSED) { totalCount } }", key=buyer)
    assert closed["rfps"]["totalCount"] == 1


async def test_a_rival_buyer_sees_none_of_anothers_rfps(explained_api: Api, reads: Reads) -> None:
    _, buyer = await register(explained_api, "BUYER", "Owner")
    _, rival = await register(explained_api, "BUYER", "Rival")
    await open_rfp(explained_api, buyer)
    data, plans = await _read(explained_api, reads, DASHBOARD, rival)
    assert data["rfps"] == {"totalCount": 0, "edges": []}
    assert plans == [("by_buyer_status", 0)]
    anonymous = await explained_api(DASHBOARD)
    assert anonymous["data"] is None or anonymous["data"]["rfps"]["edges"] == []


async def test_the_list_is_counted_only_when_the_client_asks(explained_api: Api, reads: Reads) -> None:
    """The count reads every matching RFP again: a page without totalCount sends none; asked for,
    directly or through a fragment, it is there and right."""
    _, buyer = await register(explained_api, "BUYER", "Counting buyer")
    opened = [await open_rfp(explained_api, buyer) for _ in range(3)]

    def counts() -> int:
        return sum(1 for command in reads.commands if command.get("aggregate") == "rfps")

    reads.commands.clear()
    page = await explained_api.data("{ rfps(first: 2, status: OPEN) { edges { node { id } } } }", key=buyer)
    assert len(page["rfps"]["edges"]) == 2 and counts() == 0
    for query in (
        "{ rfps(first: 2, status: OPEN) { totalCount } }",
        "{ rfps(first: 2) { ...Counted } } fragment Counted on RfpConnection { totalCount }",
        "{ rfps(first: 2) { ... on RfpConnection { edges { cursor } totalCount } } }",
    ):
        reads.commands.clear()
        data = await explained_api.data(query, key=buyer)
        assert data["rfps"]["totalCount"] == len(opened) and counts() == 1, query


async def test_an_rfps_proposals_are_counted_only_when_asked(explained_api: Api, reads: Reads) -> None:
    _, buyer = await register(explained_api, "BUYER", "Proposal counter")
    rfp_id = await open_rfp(explained_api, buyer)
    vendors = [(await register(explained_api, "VENDOR", f"Bidder {n}"))[1] for n in range(2)]
    for vendor in vendors:
        await submit(explained_api, vendor, rfp_id)

    def counts() -> int:
        return sum(1 for command in reads.commands if command.get("aggregate") == "proposals")

    query = "query($id: ID!) { rfp(id: $id) { proposals(first: 1) { %s edges { node { id } } } } }"
    reads.commands.clear()
    data = await explained_api.data(query % "", {"id": rfp_id}, vendors[0])
    assert len(data["rfp"]["proposals"]["edges"]) == 1 and counts() == 0
    reads.commands.clear()
    data = await explained_api.data(query % "totalCount", {"id": rfp_id}, vendors[0])
    assert data["rfp"]["proposals"]["totalCount"] == 1 and counts() == 1  # its own only, not its rival's
