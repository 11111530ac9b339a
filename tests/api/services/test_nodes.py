"""`nodes(ids:)`: many objects by global id in one call, in order, null where the caller may not look."""

from __future__ import annotations

from tests.conftest import Api
from tests.helpers import create_rfp, open_rfp, register, submit

NODES = """
query($ids: [ID!]!) {
  nodes(ids: $ids) { __typename id ... on Rfp { title } ... on Proposal { status } }
}"""


async def test_nodes_answers_in_order_and_hides_what_the_caller_may_not_see(api: Api) -> None:
    buyer_id, buyer = await register(api, "BUYER")
    _, vendor = await register(api, "VENDOR", "Acme")
    _, rival = await register(api, "VENDOR", "Rival")
    rfp_id = await open_rfp(api, buyer)
    draft_id = (await create_rfp(api, buyer))["id"]
    proposal_id = (await submit(api, vendor, rfp_id))["proposal"]["id"]
    ids = [proposal_id, rfp_id, "garbage", draft_id, buyer_id]

    own = (await api.data(NODES, {"ids": ids}, vendor))["nodes"]
    assert [node and node["id"] for node in own] == [proposal_id, rfp_id, None, None, buyer_id]
    assert own[0] == {"__typename": "Proposal", "id": proposal_id, "status": "SUBMITTED"}
    # A competitor and an anonymous caller learn nothing of the proposal or the draft.
    competitor = (await api.data(NODES, {"ids": ids}, rival))["nodes"]
    assert [node and node["id"] for node in competitor] == [None, rfp_id, None, None, buyer_id]
    anonymous = (await api.data(NODES, {"ids": ids}))["nodes"]
    assert anonymous[0] is None and anonymous[3] is None
    mine = (await api.data(NODES, {"ids": [draft_id, proposal_id]}, buyer))["nodes"]
    assert [node["id"] for node in mine] == [draft_id, proposal_id]


async def test_nodes_is_capped(api: Api) -> None:
    body = await api(NODES, {"ids": ["x"] * 101})
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": ["ids"]}
    assert (await api.data(NODES, {"ids": []}))["nodes"] == []
