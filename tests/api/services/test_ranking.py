"""Scores through the API: stored snapshots, rankedProposals, what-if weights, scorePreview."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api, Clock
from tests.helpers import open_rfp, poor_proposal_input, proposal_input, proposal_mutation, register, submit

RANKED = """
query($id: ID!, $first: Int, $after: String, $weights: ScoringWeightsInput) {
  rfp(id: $id) {
    rankedProposals(first: $first, after: $after, weights: $weights) {
      totalCount rankStability
      pageInfo { hasNextPage endCursor }
      edges { cursor rank node { id vendor { name } } score { total meetsRequirements findings { code }
              components { criterion value weight contribution explanation } } }
    }
  }
}"""

PREVIEW = """
query($rfpId: ID!, $proposal: ProposalInput!) {
  scorePreview(rfpId: $rfpId, proposal: $proposal) {
    total slaQuality lockInExposure costScore meetsRequirements scoringVersion
    normalizedMonthlyCost { amount currencyCode } findings { code path }
  }
}"""

UPDATE_WEIGHTS = """
mutation($input: UpdateRfpWeightsInput!) { updateRfpWeights(input: $input) { userErrors { code } } }"""


async def _market_with_bids(api: Api, fees: list[str]) -> tuple[str, str, list[str]]:
    """(rfp id, buyer key, proposal ids in submission order)."""
    _, buyer = await register(api, "BUYER")
    rfp_id = await open_rfp(api, buyer)
    ids = []
    for index, fee in enumerate(fees):
        _, vendor = await register(api, "VENDOR", f"Vendor {index}")
        ids.append((await submit(api, vendor, rfp_id, proposal_input(fee)))["proposal"]["id"])
    return rfp_id, buyer, ids


async def _ranking(api: Api, rfp_id: str, key: str, **variables: Any) -> dict[str, Any]:
    data = await api.data(RANKED, {"id": rfp_id, **variables}, key)
    ranked: dict[str, Any] = data["rfp"]["rankedProposals"]
    return ranked


async def test_ranking_orders_by_total_and_explains_it(api: Api) -> None:
    rfp_id, buyer, ids = await _market_with_bids(api, ["14500.00", "12000.00", "13000.00"])
    ranked = await _ranking(api, rfp_id, buyer)
    assert ranked["totalCount"] == 3
    assert [edge["node"]["id"] for edge in ranked["edges"]] == [ids[1], ids[2], ids[0]]
    assert [edge["rank"] for edge in ranked["edges"]] == [1, 2, 3]
    for edge in ranked["edges"]:
        components = edge["score"]["components"]
        assert {c["criterion"] for c in components} == {"slaQuality", "lockIn", "cost"}
        assert abs(sum(c["contribution"] for c in components) - edge["score"]["total"]) < 1e-9
        assert all(c["explanation"] for c in components)
    assert 0 <= ranked["rankStability"] <= 1


async def test_proposals_missing_requirements_rank_last(api: Api) -> None:
    _, buyer = await register(api, "BUYER")
    rfp_id = await open_rfp(api, buyer)
    _, cheap_poor = await register(api, "VENDOR", "Cheap but poor")
    _, good = await register(api, "VENDOR", "Good")
    poor_id = (await submit(api, cheap_poor, rfp_id, poor_proposal_input("9000.00")))["proposal"]["id"]
    good_id = (await submit(api, good, rfp_id, proposal_input("14900.00")))["proposal"]["id"]
    ranked = await _ranking(api, rfp_id, buyer)
    assert [edge["node"]["id"] for edge in ranked["edges"]] == [good_id, poor_id]
    assert ranked["edges"][1]["score"]["meetsRequirements"] is False


async def test_pages_continue_the_rank_numbers(api: Api) -> None:
    fees = [f"{12000 + 250 * i}.00" for i in range(5)]
    rfp_id, buyer, ids = await _market_with_bids(api, fees)
    seen: list[tuple[int, str]] = []
    after = None
    while True:
        page = await _ranking(api, rfp_id, buyer, first=2, after=after)
        seen += [(edge["rank"], edge["node"]["id"]) for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == list(enumerate(ids, start=1))  # cheapest first, ranks 1..5 across pages


async def test_what_if_weights_rerank_without_storing(api: Api) -> None:
    _, buyer = await register(api, "BUYER")
    rfp_id = await open_rfp(api, buyer)
    _, cheap = await register(api, "VENDOR", "Cheap, locks you in")
    _, free = await register(api, "VENDOR", "Dearer, easy to leave")
    lock_in_terms = poor_proposal_input("9000.00")["terms"]
    cheap_id = (await submit(api, cheap, rfp_id, proposal_input("9000.00", terms=lock_in_terms)))["proposal"][
        "id"
    ]
    free_id = (await submit(api, free, rfp_id, proposal_input("14900.00")))["proposal"]["id"]
    before = await api.store.proposals.find({}, {"score": 1, "ranking": 1}).to_list(None)

    cost_only = await _ranking(api, rfp_id, buyer, weights={"slaQuality": 0, "lockIn": 0, "cost": 1})
    lock_in_only = await _ranking(api, rfp_id, buyer, weights={"slaQuality": 0, "lockIn": 1, "cost": 0})
    assert [edge["node"]["id"] for edge in cost_only["edges"]] == [cheap_id, free_id]
    assert [edge["node"]["id"] for edge in lock_in_only["edges"]] == [free_id, cheap_id]
    for edge in cost_only["edges"]:
        weights = {c["criterion"]: c["weight"] for c in edge["score"]["components"]}
        assert weights == {"slaQuality": 0, "lockIn": 0, "cost": 1}
    assert await api.store.proposals.find({}, {"score": 1, "ranking": 1}).to_list(None) == before
    body = await api(RANKED, {"id": rfp_id, "weights": {"slaQuality": -1, "lockIn": 0, "cost": 1}}, buyer)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_what_if_pages_continue(api: Api) -> None:
    rfp_id, buyer, ids = await _market_with_bids(api, ["12000.00", "12500.00", "13000.00"])
    weights = {"slaQuality": 1, "lockIn": 1, "cost": 1}
    first = await _ranking(api, rfp_id, buyer, first=2, weights=weights)
    rest = await _ranking(api, rfp_id, buyer, first=2, weights=weights, after=first["pageInfo"]["endCursor"])
    assert [edge["rank"] for edge in first["edges"] + rest["edges"]] == [1, 2, 3]
    assert [edge["node"]["id"] for edge in first["edges"] + rest["edges"]] == ids


async def test_update_weights_gives_every_read_the_new_totals(api: Api) -> None:
    rfp_id, buyer, _ = await _market_with_bids(api, ["12000.00", "14000.00"])
    before = {
        edge["node"]["id"]: edge["score"]["total"] for edge in (await _ranking(api, rfp_id, buyer))["edges"]
    }
    variables = {"input": {"rfpId": rfp_id, "weights": {"slaQuality": 0, "lockIn": 0, "cost": 1}}}
    assert (await api.data(UPDATE_WEIGHTS, variables, buyer))["updateRfpWeights"]["userErrors"] == []
    # Stored scores stay as they were written; every read totals them under the RFP's weights.
    query = "query($id: ID!) { node(id: $id) { ... on Proposal { score { total costScore } } } }"
    ranked = await _ranking(api, rfp_id, buyer)
    for edge in ranked["edges"]:
        assert edge["score"]["total"] != before[edge["node"]["id"]]
        single = (await api.data(query, {"id": edge["node"]["id"]}, buyer))["node"]["score"]
        assert edge["score"]["total"] == single["total"] == single["costScore"]
    assert [edge["score"]["total"] for edge in ranked["edges"]] == sorted(
        (edge["score"]["total"] for edge in ranked["edges"]), reverse=True
    )
    rfp = await api.store.rfps.find_one({})
    assert rfp is not None and rfp["rankField"] == "keyB" and "reweighing" not in rfp


async def test_withdrawn_proposals_leave_the_ranking(api: Api) -> None:
    _, buyer = await register(api, "BUYER")
    rfp_id = await open_rfp(api, buyer)
    _, vendor = await register(api, "VENDOR")
    proposal_id = (await submit(api, vendor, rfp_id))["proposal"]["id"]
    await proposal_mutation(api, "withdrawProposal", proposal_id, vendor)
    ranked = await _ranking(api, rfp_id, buyer)
    assert ranked["totalCount"] == 0 and ranked["edges"] == [] and ranked["rankStability"] is None


async def test_abnormally_low_price_is_flagged_at_ranking_time(api: Api) -> None:
    rfp_id, buyer, ids = await _market_with_bids(api, ["14000.00", "13500.00", "14200.00", "3000.00"])
    ranked = await _ranking(api, rfp_id, buyer)
    flagged = {
        edge["node"]["id"]
        for edge in ranked["edges"]
        if {"code": "ABNORMALLY_LOW_PRICE"} in edge["score"]["findings"]
    }
    assert flagged == {ids[3]}


async def test_only_the_buyer_ranks_and_scores_stay_private(api: Api, clock: Clock) -> None:
    _, buyer = await register(api, "BUYER")
    rfp_id = await open_rfp(api, buyer)
    _, vendor = await register(api, "VENDOR", "Vendor A")
    _, rival = await register(api, "VENDOR", "Vendor B")
    proposal_id = (await submit(api, vendor, rfp_id))["proposal"]["id"]
    await submit(api, rival, rfp_id)
    for key in (vendor, rival):
        assert (await _ranking(api, rfp_id, key))["totalCount"] == 0
    score_of = "query($id: ID!) { node(id: $id) { ... on Proposal { score { total } } } }"
    assert (await api.data(score_of, {"id": proposal_id}, vendor))["node"]["score"] is not None
    assert (await api.data(score_of, {"id": proposal_id}, rival))["node"] is None


async def test_score_preview_scores_without_storing(api: Api) -> None:
    _, buyer = await register(api, "BUYER")
    rfp_id = await open_rfp(api, buyer)
    _, vendor = await register(api, "VENDOR")
    for key in (vendor, buyer):
        preview = (await api.data(PREVIEW, {"rfpId": rfp_id, "proposal": proposal_input()}, key))[
            "scorePreview"
        ]
        assert preview["meetsRequirements"] is True and 0 <= preview["total"] <= 100
        assert preview["normalizedMonthlyCost"] == {"amount": "14000.00", "currencyCode": "USD"}
    assert await api.store.proposals.count_documents({}) == 0
    poor = (await api.data(PREVIEW, {"rfpId": rfp_id, "proposal": poor_proposal_input("9000.00")}, vendor))[
        "scorePreview"
    ]
    assert {"GAMEABLE_METRIC", "NO_OUTCOME_METRIC", "NO_REMEDIES"} <= {f["code"] for f in poor["findings"]}


async def test_score_preview_errors_are_client_errors(api: Api) -> None:
    _, buyer = await register(api, "BUYER")
    _, other_buyer = await register(api, "BUYER", "Other")
    _, vendor = await register(api, "VENDOR")
    rfp_id = await open_rfp(api, buyer)
    body = await api(PREVIEW, {"rfpId": rfp_id, "proposal": proposal_input(summary="")}, vendor)
    assert body["errors"][0]["extensions"] == {"code": "INVALID", "field": ["proposal", "summary"]}
    body = await api(PREVIEW, {"rfpId": rfp_id, "proposal": proposal_input(currency="EUR")}, vendor)
    assert body["errors"][0]["extensions"]["code"] == "CURRENCY_MISMATCH"
    for key in (other_buyer, None):
        body = await api(PREVIEW, {"rfpId": rfp_id, "proposal": proposal_input()}, key)
        assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def _walk(api: Api, rfp_id: str, key: str, first: int) -> list[tuple[int, str]]:
    seen: list[tuple[int, str]] = []
    after = None
    while True:
        page = await _ranking(api, rfp_id, key, first=first, after=after)
        seen += [(edge["rank"], edge["node"]["id"]) for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return seen
        after = page["pageInfo"]["endCursor"]


async def test_pages_across_fences_and_with_stale_fences_walk_the_whole_ranking(api: Api) -> None:
    from api.cli.synthetic import seed_synthetic
    from api.store.rankings import FENCE_SPACING
    from schema.common import to_global_id

    count = FENCE_SPACING * 2 + 37
    seeded = await seed_synthetic(api.market, proposals=count, seed=11)
    rfp_id = to_global_id("Rfp", seeded.rfp_ids[0])
    entries = await api.store.rankings.find({}).sort("key", 1).to_list(None)
    expected = [(rank, to_global_id("Proposal", str(entry["_id"]))) for rank, entry in enumerate(entries, 1)]
    rfp = await api.store.rfps.find_one({})
    assert rfp is not None and len(rfp["rankingDigest"]["fences"]) == 2
    assert await _walk(api, rfp_id, seeded.buyer_api_key, 100) == expected
    # Fences that no longer match the entries (as when writes outran the digest) cost a second
    # read, never a wrong or short page.
    stale = [entries[10]["key"], entries[20]["key"]]
    await api.store.rfps.update_one({}, {"$set": {"rankingDigest.fences": stale}})
    assert await _walk(api, rfp_id, seeded.buyer_api_key, 100) == expected


async def test_a_burst_of_submissions_is_ranked_and_flagged_as_soon_as_it_is_read(api: Api) -> None:
    import asyncio

    _, buyer = await register(api, "BUYER")
    rfp_id = await open_rfp(api, buyer)
    keys = [(await register(api, "VENDOR", f"Burst {index}"))[1] for index in range(8)]
    fees = [f"{14000 + 100 * index}.00" for index in range(7)] + ["2000.00"]
    await asyncio.gather(
        *(submit(api, key, rfp_id, proposal_input(fee)) for key, fee in zip(keys, fees, strict=True))
    )
    ranked = await _ranking(api, rfp_id, buyer)  # no wait: the read settles the digest refresh
    assert ranked["totalCount"] == 8
    flagged = [
        edge for edge in ranked["edges"] if {"code": "ABNORMALLY_LOW_PRICE"} in edge["score"]["findings"]
    ]
    assert len(flagged) == 1
    rfp = await api.store.rfps.find_one({})
    assert rfp is not None and rfp["rankingDigest"]["count"] == 8
