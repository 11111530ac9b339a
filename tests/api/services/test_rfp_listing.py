"""`rfps(filter:, orderBy:)` with Relay pages both ways, and the stale or foreign cursors a careless
client sends."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.conftest import Api, Clock
from tests.helpers import create_rfp, open_rfp, proposal_mutation, register, submit

LIST = """
query($first: Int, $after: String, $last: Int, $before: String, $filter: RfpFilter, $orderBy: RfpOrder,
      $status: RfpStatus) {
  rfps(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $orderBy,
       status: $status) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { title category status } }
  }
}"""


async def _list(api: Api, key: str | None, **variables: Any) -> dict[str, Any]:
    connection: dict[str, Any] = (await api.data(LIST, variables, key))["rfps"]
    return connection


def _titles(connection: dict[str, Any]) -> list[str]:
    return [edge["node"]["title"] for edge in connection["edges"]]


async def _market(api: Api, clock: Clock) -> tuple[str, str]:
    _, buyer = await register(api, "BUYER")
    _, vendor = await register(api, "VENDOR")
    now = api.market.now()
    for n, (title, category) in enumerate(
        [("Alpha support desk", "CUSTOMER_SUPPORT"), ("Bravo SOC", "SECURITY_OPERATIONS"),
         ("Charlie books", "BOOKKEEPING"), ("Delta support line", "CUSTOMER_SUPPORT")]
    ):  # fmt: skip
        deadline = (now + timedelta(days=30 - n)).isoformat()
        await open_rfp(api, buyer, title=title, category=category, submissionDeadline=deadline)
        clock.advance(seconds=1)
    await create_rfp(api, buyer, title="Echo draft support")
    return buyer, vendor


async def test_default_order_is_newest_first_and_pages_go_both_ways(api: Api, clock: Clock) -> None:
    buyer, _ = await _market(api, clock)
    everything = await _list(api, buyer)
    assert _titles(everything) == ["Echo draft support", "Delta support line", "Charlie books", "Bravo SOC",
                                   "Alpha support desk"]  # fmt: skip
    first = await _list(api, buyer, first=2)
    assert _titles(first) == ["Echo draft support", "Delta support line"]
    assert first["pageInfo"]["hasNextPage"] and not first["pageInfo"]["hasPreviousPage"]
    second = await _list(api, buyer, first=2, after=first["pageInfo"]["endCursor"])
    assert _titles(second) == ["Charlie books", "Bravo SOC"]
    back = await _list(api, buyer, last=2, before=second["pageInfo"]["startCursor"])
    assert _titles(back) == _titles(first)
    assert back["pageInfo"]["hasNextPage"] and not back["pageInfo"]["hasPreviousPage"]
    tail = await _list(api, buyer, last=2)
    assert _titles(tail) == ["Bravo SOC", "Alpha support desk"] and tail["pageInfo"]["hasPreviousPage"]


async def test_filters_and_orders(api: Api, clock: Clock) -> None:
    buyer, vendor = await _market(api, clock)
    support = {"category": ["CUSTOMER_SUPPORT"], "titleContains": "SUPPORT"}
    assert _titles(await _list(api, buyer, filter=support)) == [
        "Echo draft support", "Delta support line", "Alpha support desk"
    ]  # fmt: skip
    drafts = await _list(api, buyer, filter={**support, "status": ["DRAFT"]})
    assert _titles(drafts) == ["Echo draft support"] and drafts["totalCount"] == 1
    by_deadline = await _list(api, buyer, orderBy={"field": "SUBMISSION_DEADLINE", "direction": "ASC"},
                              filter={"status": ["OPEN"]})  # fmt: skip
    assert _titles(by_deadline) == ["Delta support line", "Charlie books", "Bravo SOC", "Alpha support desk"]
    by_title = await _list(api, buyer, first=2, orderBy={"field": "TITLE", "direction": "DESC"})
    assert _titles(by_title) == ["Echo draft support", "Delta support line"]
    rest = await _list(api, buyer, first=2, after=by_title["pageInfo"]["endCursor"],
                       orderBy={"field": "TITLE", "direction": "DESC"})  # fmt: skip
    assert _titles(rest) == ["Charlie books", "Bravo SOC"]
    soon = (api.market.now() + timedelta(days=28, hours=12)).isoformat()
    assert _titles(await _list(api, buyer, filter={"deadlineBefore": soon, "status": ["OPEN"]})) == [
        "Delta support line", "Charlie books"
    ]  # fmt: skip
    # A vendor browses open RFPs only, filtered alike; drafts never show, whatever it asks.
    assert _titles(await _list(api, vendor, filter={"titleContains": "support"})) == [
        "Delta support line", "Alpha support desk"
    ]  # fmt: skip
    assert (await _list(api, vendor, filter={"status": ["DRAFT"]}))["totalCount"] == 0
    assert (await _list(api, None))["totalCount"] == 0  # anonymous: nothing


async def test_careless_and_hostile_arguments_are_bad_user_input(api: Api, clock: Clock) -> None:
    buyer, _ = await _market(api, clock)
    newest = await _list(api, buyer, first=1)
    cursor = newest["pageInfo"]["endCursor"]
    cases: list[tuple[dict[str, Any], list[str]]] = [
        ({"first": 1, "last": 1}, ["last"]),
        ({"last": 0}, ["last"]),
        ({"first": 1, "after": cursor, "orderBy": {"field": "TITLE", "direction": "ASC"}}, ["after"]),
        ({"last": 1, "before": "garbage"}, ["before"]),
        ({"filter": {"titleContains": "x" * 101}}, ["filter", "titleContains"]),
    ]
    for variables, field in cases:
        body = await api(LIST, variables, buyer)
        assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": field}, variables
    # Regex characters are matched literally, never run as a pattern.
    assert (await _list(api, buyer, filter={"titleContains": ".*"}))["totalCount"] == 0


PROPOSALS = """
query($id: ID!, $first: Int, $after: String, $last: Int, $before: String, $filter: ProposalFilter,
      $orderBy: ProposalOrder) {
  rfp(id: $id) {
    proposals(first: $first, after: $after, last: $last, before: $before, filter: $filter,
              orderBy: $orderBy) {
      totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { node { vendor { name } status } }
    }
  }
}"""


async def test_an_rfps_proposals_filter_order_and_page_both_ways(api: Api, clock: Clock) -> None:
    _, buyer = await register(api, "BUYER")
    rfp_id = await open_rfp(api, buyer, sealed=False)
    vendors = {}
    for name in ("V1", "V2", "V3"):
        _, vendors[name] = await register(api, "VENDOR", name)
        assert (await submit(api, vendors[name], rfp_id))["userErrors"] == []
        clock.advance(seconds=1)
    withdrawn = await api.data(PROPOSALS, {"id": rfp_id}, vendors["V2"])
    own_id = await _own_proposal_id(api, rfp_id, vendors["V2"])
    await proposal_mutation(api, "withdrawProposal", own_id, vendors["V2"])
    assert withdrawn["rfp"]["proposals"]["totalCount"] == 1  # a vendor sees only its own

    async def names(key: str, **variables: Any) -> list[str]:
        data = await api.data(PROPOSALS, {"id": rfp_id, **variables}, key)
        return [edge["node"]["vendor"]["name"] for edge in data["rfp"]["proposals"]["edges"]]

    assert await names(buyer) == ["V1", "V2", "V3"]
    assert await names(buyer, orderBy={"field": "SUBMITTED_AT", "direction": "DESC"}) == ["V3", "V2", "V1"]
    assert await names(buyer, filter={"status": ["SUBMITTED"]}) == ["V1", "V3"]
    assert await names(buyer, last=2) == ["V2", "V3"]
    page = (await api.data(PROPOSALS, {"id": rfp_id, "last": 1}, buyer))["rfp"]["proposals"]
    assert await names(buyer, last=2, before=page["pageInfo"]["startCursor"]) == ["V1", "V2"]
    # A competitor asking for withdrawn proposals sees only its own; a bad cursor fails that field only.
    assert await names(vendors["V1"], filter={"status": ["WITHDRAWN", "SUBMITTED"]}) == ["V1"]
    body = await api(PROPOSALS, {"id": rfp_id, "after": "nonsense"}, buyer)
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": ["after"]}


async def _own_proposal_id(api: Api, rfp_id: str, key: str) -> str:
    data = await api.data(
        "query($id: ID!) { rfp(id: $id) { proposals { edges { node { id } } } } }", {"id": rfp_id}, key
    )
    proposal_id: str = data["rfp"]["proposals"]["edges"][0]["node"]["id"]
    return proposal_id
