"""`viewer.proposals`: a vendor's own proposals across RFPs, both ways, and nobody else's."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api, Clock
from tests.helpers import open_rfp, proposal_mutation, register, submit

OWN = """
query($first: Int, $after: String, $last: Int, $before: String, $filter: ProposalFilter,
      $orderBy: ProposalOrder) {
  viewer {
    proposals(first: $first, after: $after, last: $last, before: $before, filter: $filter,
              orderBy: $orderBy) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { id status rfp { id } vendor { name } } }
    }
  }
}"""


async def _own(api: Api, key: str, **variables: Any) -> dict[str, Any]:
    body = await api(OWN, variables, key)
    assert "errors" not in body, body
    connection: dict[str, Any] = body["data"]["viewer"]["proposals"]
    return connection


def _ids(connection: dict[str, Any]) -> list[str]:
    return [edge["node"]["id"] for edge in connection["edges"]]


async def _bids(api: Api, clock: Clock) -> tuple[str, str, list[str], list[str]]:
    """(buyer key, vendor key, rfp ids, the vendor's proposal ids in submission order)."""
    _, buyer = await register(api, "BUYER", "Own Buyer")
    _, vendor = await register(api, "VENDOR", "Own Vendor")
    rfp_ids, ids = [], []
    for _ in range(3):
        rfp_id = await open_rfp(api, buyer)
        clock.advance(minutes=1)
        rfp_ids.append(rfp_id)
        ids.append((await submit(api, vendor, rfp_id))["proposal"]["id"])
    return buyer, vendor, rfp_ids, ids


async def test_a_vendor_pages_its_own_proposals_across_rfps_both_ways(api: Api, clock: Clock) -> None:
    _, vendor, rfp_ids, ids = await _bids(api, clock)
    everything = await _own(api, vendor)
    assert everything["totalCount"] == 3
    assert _ids(everything) == ids[::-1]  # the latest submission first
    assert [edge["node"]["rfp"]["id"] for edge in everything["edges"]] == rfp_ids[::-1]
    assert {edge["node"]["vendor"]["name"] for edge in everything["edges"]} == {"Own Vendor"}
    first = await _own(api, vendor, first=2)
    assert _ids(first) == [ids[2], ids[1]] and first["pageInfo"]["hasNextPage"]
    rest = await _own(api, vendor, first=2, after=first["pageInfo"]["endCursor"])
    assert _ids(rest) == [ids[0]] and not rest["pageInfo"]["hasNextPage"]
    back = await _own(api, vendor, last=2, before=rest["pageInfo"]["startCursor"])
    assert _ids(back) == [ids[2], ids[1]] and not back["pageInfo"]["hasPreviousPage"]
    oldest = await _own(api, vendor, orderBy={"field": "SUBMITTED_AT", "direction": "ASC"})
    assert _ids(oldest) == ids
    await proposal_mutation(api, "withdrawProposal", ids[1], vendor)
    withdrawn = await _own(api, vendor, filter={"status": ["WITHDRAWN"]})
    assert _ids(withdrawn) == [ids[1]] and withdrawn["totalCount"] == 1


async def test_nobody_sees_another_vendors_proposals_there(api: Api, clock: Clock) -> None:
    """A competitor, the RFPs' buyer and an anonymous caller: none of them lists the vendor's bids."""
    buyer, vendor, rfp_ids, _ = await _bids(api, clock)
    _, rival = await register(api, "VENDOR", "Own Rival")
    assert (await _own(api, rival))["totalCount"] == 0
    mine = (await submit(api, rival, rfp_ids[0]))["proposal"]["id"]
    assert _ids(await _own(api, rival)) == [mine]
    assert (await _own(api, vendor))["totalCount"] == 3  # the rival's bid is not the vendor's
    buyer_view = await _own(api, buyer)
    assert buyer_view["totalCount"] == 0 and buyer_view["edges"] == []  # a buyer submits none
    anonymous = await api(OWN, {})
    assert anonymous["data"] == {"viewer": None}


async def test_another_lists_cursor_fails_only_that_field(api: Api, clock: Clock) -> None:
    """A careless client pastes an `Rfp.proposals` cursor: refused, and `viewer` still reads."""
    buyer, vendor, rfp_ids, _ = await _bids(api, clock)
    rfp_list = await api.data(
        "query($id: ID!) { rfp(id: $id) { proposals { pageInfo { endCursor } } } }", {"id": rfp_ids[0]}, buyer
    )
    foreign = rfp_list["rfp"]["proposals"]["pageInfo"]["endCursor"]
    query = (
        "query($after: String) { viewer { organization { name } proposals(after: $after) { totalCount } } }"
    )
    body = await api(query, {"after": foreign}, vendor)
    assert body["data"]["viewer"]["organization"]["name"] == "Own Vendor"
    assert body["data"]["viewer"]["proposals"]["totalCount"] == 0
    (error,) = body["errors"]
    assert error["path"] == ["viewer", "proposals"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": ["after"]}
