"""Proposal.debrief and configureDebriefs through HTTP: rank of N, the winner's criteria without its
prices or name until the award is published, the buyer's comment; with the abuse cases."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api, Clock
from tests.helpers import codes, open_rfp, proposal_input, proposal_mutation, register, rfp_mutation, submit

DEBRIEF = """query($id: ID!) { node(id: $id) { ... on Proposal { status debrief {
  rank of score { total slaQuality costScore } winnerSlaQuality winnerLockInExposure winnerCostScore
  winnerName winnerTotal comment } } } }"""
CONFIGURE = """mutation($input: ConfigureDebriefsInput!) { configureDebriefs(input: $input) {
  rfp { debriefsPublished awardPublished } userErrors { field message code } } }"""
AWARD = """mutation($input: AwardProposalInput!) { awardProposal(input: $input) { userErrors { code } } }"""


async def debrief(api: Api, key: str | None, proposal_id: str) -> Any:
    node = (await api.data(DEBRIEF, {"id": proposal_id}, key))["node"]
    return node["debrief"] if node else None


async def configure(api: Api, key: str | None, rfp_id: str, **settings: Any) -> dict[str, Any]:
    payload: dict[str, Any] = (await api.data(CONFIGURE, {"input": {"rfpId": rfp_id, **settings}}, key))[
        "configureDebriefs"
    ]
    return payload


async def awarded_tender(api: Api, clock: Clock) -> tuple[dict[str, str], str, dict[str, str]]:
    keys: dict[str, str] = {}
    _, keys["buyer"] = await register(api, "BUYER", "Northwind")
    _, keys["other_buyer"] = await register(api, "BUYER", "Contoso")
    for role, name in (("winner", "Acme Support"), ("second", "Globex Care"), ("third", "Initech")):
        _, keys[role] = await register(api, "VENDOR", name)
    rfp_id = await open_rfp(api, keys["buyer"])
    ids = {}
    for role, fee in (("winner", "12000.00"), ("second", "14000.00"), ("third", "17000.00")):
        ids[role] = (await submit(api, keys[role], rfp_id, proposal_input(fee)))["proposal"]["id"]
    return keys, rfp_id, ids


async def award(api: Api, keys: dict[str, str], rfp_id: str, proposal_id: str) -> None:
    assert (await rfp_mutation(api, "closeRfp", rfp_id, keys["buyer"]))["userErrors"] == []
    result = await api.data(AWARD, {"input": {"proposalId": proposal_id}}, keys["buyer"])
    assert result["awardProposal"]["userErrors"] == []


async def test_each_vendor_reads_its_own_debrief_once_awarded(api: Api, clock: Clock) -> None:
    keys, rfp_id, ids = await awarded_tender(api, clock)
    assert await debrief(api, keys["second"], ids["second"]) is None  # not before the award
    set_comment = await configure(api, keys["buyer"], rfp_id, comment="Thank you; pricing decided it.")
    assert set_comment["userErrors"] == []
    await award(api, keys, rfp_id, ids["winner"])
    winner_view = await debrief(api, keys["winner"], ids["winner"])
    second = await debrief(api, keys["second"], ids["second"])
    third = await debrief(api, keys["third"], ids["third"])
    assert (winner_view["rank"], second["rank"], third["rank"]) == (1, 2, 3)
    assert {winner_view["of"], second["of"], third["of"]} == {3}
    assert second["winnerSlaQuality"] == winner_view["score"]["slaQuality"]
    assert second["comment"] == "Thank you; pricing decided it."
    # The budget is undisclosed: no cost criterion of the winner; no name or total until published.
    assert second["winnerCostScore"] is None and second["score"]["costScore"] == 0
    assert second["winnerName"] is None and second["winnerTotal"] is None
    assert (await configure(api, keys["buyer"], rfp_id, publishAward=True))["rfp"]["awardPublished"] is True
    published = await debrief(api, keys["third"], ids["third"])
    assert published["winnerName"] == "Acme Support" and published["winnerTotal"] is not None
    # The buyer reads every debrief, with the budget-derived figures.
    buyer_view = await debrief(api, keys["buyer"], ids["third"])
    assert buyer_view["winnerCostScore"] is not None and buyer_view["score"]["costScore"] > 0


async def test_the_buyer_may_withhold_debriefs(api: Api, clock: Clock) -> None:
    keys, rfp_id, ids = await awarded_tender(api, clock)
    withheld = await configure(api, keys["buyer"], rfp_id, published=False)
    assert withheld["rfp"] == {"debriefsPublished": False, "awardPublished": False}
    await award(api, keys, rfp_id, ids["winner"])
    assert await debrief(api, keys["second"], ids["second"]) is None
    assert (await debrief(api, keys["buyer"], ids["second"]))["rank"] == 2


async def test_a_withdrawn_proposal_did_not_compete(api: Api, clock: Clock) -> None:
    keys, rfp_id, ids = await awarded_tender(api, clock)
    assert (await proposal_mutation(api, "withdrawProposal", ids["third"], keys["third"]))["userErrors"] == []
    await award(api, keys, rfp_id, ids["winner"])
    assert await debrief(api, keys["third"], ids["third"]) is None
    assert (await debrief(api, keys["second"], ids["second"]))["of"] == 2


async def test_abuse_competitors_careless_clients_and_anonymous_callers(api: Api, clock: Clock) -> None:
    keys, rfp_id, ids = await awarded_tender(api, clock)
    await award(api, keys, rfp_id, ids["winner"])
    # A vendor cannot read a competitor's debrief (the proposal itself is not theirs to see).
    assert await debrief(api, keys["second"], ids["winner"]) is None
    assert await debrief(api, keys["other_buyer"], ids["second"]) is None
    assert await debrief(api, None, ids["second"]) is None
    # Only the buyer configures debriefs; careless settings are refused naming the path.
    for key in (keys["second"], keys["other_buyer"], None):
        assert codes(await configure(api, key, rfp_id, publishAward=True)) == ["NOT_FOUND"]
    assert [e["field"] for e in (await configure(api, keys["buyer"], rfp_id, comment=" "))["userErrors"]] == [
        ["input", "comment"]
    ]
    assert codes(await configure(api, keys["buyer"], rfp_id)) == ["INVALID"]
    assert (await debrief(api, keys["third"], ids["third"]))["winnerName"] is None
