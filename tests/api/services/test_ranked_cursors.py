"""Ranked pages never lie: a page after an old cursor shows the current ranks, and a what-if cursor is
good only under its own weights and while its proposal is still ranked."""

from __future__ import annotations

from tests.api.services.test_ranking import RANKED, _market_with_bids, _ranking
from tests.conftest import Api
from tests.helpers import open_rfp, proposal_input, proposal_mutation, register, submit

WEIGHTS = {"slaQuality": 1, "lockIn": 1, "cost": 1}


async def test_a_page_after_an_old_cursor_shows_the_current_ranks(api: Api) -> None:
    rfp_id, buyer, ids = await _market_with_bids(api, ["12000.00", "12500.00", "13000.00", "13500.00"])
    first = await _ranking(api, rfp_id, buyer, first=2)
    assert [(edge["rank"], edge["node"]["id"]) for edge in first["edges"]] == [(1, ids[0]), (2, ids[1])]
    _, newcomer = await register(api, "VENDOR", "Cheaper")
    assert (await submit(api, newcomer, rfp_id, proposal_input("11000.00")))["userErrors"] == []
    second = await _ranking(api, rfp_id, buyer, first=2, after=first["pageInfo"]["endCursor"])
    assert [(edge["rank"], edge["node"]["id"]) for edge in second["edges"]] == [(4, ids[2]), (5, ids[3])]


async def test_what_if_cursors_are_bound_to_their_weights_and_to_the_current_order(api: Api) -> None:
    _, buyer = await register(api, "BUYER")
    rfp_id = await open_rfp(api, buyer)
    keys, ids = [], []
    for index, fee in enumerate(["12000.00", "12500.00", "13000.00"]):
        _, key = await register(api, "VENDOR", f"Vendor {index}")
        keys.append(key)
        ids.append((await submit(api, key, rfp_id, proposal_input(fee)))["proposal"]["id"])
    first = await _ranking(api, rfp_id, buyer, first=1, weights=WEIGHTS)
    cursor = first["pageInfo"]["endCursor"]
    other = {"slaQuality": 0, "lockIn": 0, "cost": 1}
    body = await api(RANKED, {"id": rfp_id, "first": 1, "after": cursor, "weights": other}, buyer)
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": ["after"]}
    assert "other weights" in body["errors"][0]["message"]
    _, newcomer = await register(api, "VENDOR", "Cheaper")
    await submit(api, newcomer, rfp_id, proposal_input("11000.00"))
    rest = await _ranking(api, rfp_id, buyer, first=5, after=cursor, weights=WEIGHTS)
    assert [(edge["rank"], edge["node"]["id"]) for edge in rest["edges"]] == [(3, ids[1]), (4, ids[2])]
    # The proposal the cursor ended on is withdrawn: the client is told to start again.
    await proposal_mutation(api, "withdrawProposal", ids[0], keys[0])
    gone = await api(RANKED, {"id": rfp_id, "first": 1, "after": cursor, "weights": WEIGHTS}, buyer)
    assert gone["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "start from the first page" in gone["errors"][0]["message"]


async def test_a_bad_ranked_cursor_fails_that_field_not_the_rfp(api: Api) -> None:
    rfp_id, buyer, _ = await _market_with_bids(api, ["12000.00"])
    query = 'query($id: ID!) { rfp(id: $id) { id title rankedProposals(after: "junk") { totalCount } } }'
    body = await api(query, {"id": rfp_id}, buyer)
    assert body["data"]["rfp"]["id"] == rfp_id and body["data"]["rfp"]["rankedProposals"]["totalCount"] == 0
    (error,) = body["errors"]
    assert error["path"] == ["rfp", "rankedProposals"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": ["after"]}
