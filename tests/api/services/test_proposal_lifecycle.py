"""submitProposal, reviseProposal, withdrawProposal, shortlistProposal, awardProposal."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.conftest import Api, Clock
from tests.helpers import (
    REVISE,
    codes,
    create_rfp,
    open_rfp,
    proposal_input,
    proposal_mutation,
    register,
    rfp_mutation,
    submit,
)

AWARD = """
mutation($input: AwardProposalInput!) {
  awardProposal(input: $input) { rfp { id status } userErrors { field message code } }
}"""

PROPOSALS_OF = """
query($id: ID!) {
  rfp(id: $id) { proposalCount proposals(first: 10) { totalCount edges { node { id status } } } }
}
"""


async def revise(
    api: Api, key: str, proposal_id: str, version: int, proposal: dict[str, Any]
) -> dict[str, Any]:
    data = await api.data(
        REVISE, {"input": {"proposalId": proposal_id, "expectedVersion": version, "proposal": proposal}}, key
    )
    payload: dict[str, Any] = data["reviseProposal"]
    return payload


async def test_submit_stores_the_proposal_with_its_score(api: Api) -> None:
    vendor_id, vendor = await register(api, "VENDOR", "Acme Support")
    _, buyer = await register(api, "BUYER")
    rfp_id = await open_rfp(api, buyer)
    payload = await submit(api, vendor, rfp_id)
    assert payload["userErrors"] == []
    proposal = payload["proposal"]
    assert proposal["status"] == "SUBMITTED" and proposal["version"] == 1
    assert proposal["vendor"] == {"id": vendor_id, "name": "Acme Support"}
    assert proposal["rfp"] == {"id": rfp_id}
    assert proposal["pricing"] == {
        "__typename": "FlatMonthlyPricing",
        "monthlyFee": {"amount": "14000.00", "currencyCode": "USD"},
    }
    assert proposal["annualEscalationPercent"] == 0
    score = proposal["score"]
    assert score["meetsRequirements"] is True
    assert score["normalizedMonthlyCost"] == {"amount": "14000.00", "currencyCode": "USD"}
    doc = await api.store.proposals.find_one({})
    assert doc is not None and doc["score"]["scoring_version"] == score["scoringVersion"]
    counted = await api.data(PROPOSALS_OF, {"id": rfp_id}, buyer)
    assert counted["rfp"]["proposalCount"] == 1


async def test_submit_errors(api: Api, clock: Clock) -> None:
    _, vendor = await register(api, "VENDOR")
    _, buyer = await register(api, "BUYER")
    draft = await create_rfp(api, buyer)
    assert codes(await submit(api, vendor, draft["id"])) == ["NOT_FOUND"]
    assert codes(await submit(api, vendor, "bm90LWFuLWlk")) == ["NOT_FOUND"]
    assert codes(await submit(api, buyer, draft["id"])) == ["FORBIDDEN"]
    rfp_id = await open_rfp(api, buyer)
    mismatch = await submit(api, vendor, rfp_id, proposal_input(currency="EUR"))
    assert codes(mismatch) == ["CURRENCY_MISMATCH"]
    field = ["input", "proposal", "pricing", "flatMonthly", "monthlyFee", "currencyCode"]
    assert mismatch["userErrors"][0]["field"] == field
    assert (await submit(api, vendor, rfp_id))["userErrors"] == []
    assert codes(await submit(api, vendor, rfp_id)) == ["ALREADY_SUBMITTED"]
    closed_id = await open_rfp(api, buyer)
    await rfp_mutation(api, "closeRfp", closed_id, buyer)
    assert codes(await submit(api, vendor, closed_id)) == ["INVALID_STATE"]
    late_id = await open_rfp(api, buyer)
    clock.advance(days=15)
    assert codes(await submit(api, vendor, late_id)) == ["DEADLINE_PASSED"]
    assert await api.store.proposals.count_documents({}) == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"summary": ""}, ["input", "proposal", "summary"]),
        (
            {"pricing": {"flatMonthly": {"monthlyFee": {"amount": "-5", "currencyCode": "USD"}}}},
            ["input", "proposal", "pricing", "flatMonthly", "monthlyFee", "amount"],
        ),
        (
            {"pricing": {"flatMonthly": {"monthlyFee": {"amount": "5", "currencyCode": "ZZZ"}}}},
            ["input", "proposal", "pricing", "flatMonthly", "monthlyFee", "currencyCode"],
        ),
        (
            {
                "sla": {
                    "kpis": [{"metric": "CSAT", "comparator": "AT_LEAST", "target": 7, "unit": "SCORE_5"}],
                    "reportingCadence": "MONTHLY",
                }
            },
            ["input", "proposal", "sla", "kpis", "0", "target"],
        ),
        (
            {
                "sla": {
                    "kpis": [{"metric": "UPTIME", "comparator": "AT_LEAST", "target": 99, "unit": "PERCENT"}]
                    * 51,
                    "reportingCadence": "MONTHLY",
                }
            },
            ["input", "proposal", "sla", "kpis"],
        ),
        ({"annualEscalationPercent": -1}, ["input", "proposal", "annualEscalationPercent"]),
    ],
)
async def test_invalid_proposal_names_the_field_and_writes_nothing(
    api: Api, changes: dict[str, Any], field: list[str]
) -> None:
    _, vendor = await register(api, "VENDOR")
    _, buyer = await register(api, "BUYER")
    rfp_id = await open_rfp(api, buyer)
    payload = await submit(api, vendor, rfp_id, proposal_input(**changes))
    assert set(codes(payload)) == {"INVALID"}
    assert field in [error["field"] for error in payload["userErrors"]], payload
    assert await api.store.proposals.count_documents({}) == 0
    rfp = await api.store.rfps.find_one({})
    assert rfp is not None and rfp["proposalCount"] == 0


async def test_outcome_based_bids_need_the_rfps_expected_outcomes(api: Api) -> None:
    _, vendor = await register(api, "VENDOR")
    _, buyer = await register(api, "BUYER")
    rfp_id = await open_rfp(api, buyer)  # states no expectedOutcomesPerMonth
    fee = {"amount": "1.50", "currencyCode": "USD"}
    outcome_based = proposal_input(
        pricing={"outcomeBased": {"feePerOutcome": fee, "outcomeName": "resolved ticket"}}
    )
    payload = await submit(api, vendor, rfp_id, outcome_based)
    assert codes(payload) == ["INVALID"]
    assert payload["userErrors"][0]["field"] == ["input", "proposal", "pricing", "outcomeBased"]
    with_outcomes = await open_rfp(api, buyer, expectedOutcomesPerMonth=8000)
    assert (await submit(api, vendor, with_outcomes, outcome_based))["userErrors"] == []


async def test_pricing_must_choose_exactly_one_model(api: Api) -> None:
    _, vendor = await register(api, "VENDOR")
    _, buyer = await register(api, "BUYER")
    rfp_id = await open_rfp(api, buyer)
    fee = {"amount": "10", "currencyCode": "USD"}
    both = proposal_input(
        pricing={"flatMonthly": {"monthlyFee": fee}, "perUnit": {"unitPrice": fee, "unitName": "t"}}
    )
    body = await api(
        "mutation($input: SubmitProposalInput!) { submitProposal(input: $input) { proposal { id } } }",
        {"input": {"rfpId": rfp_id, "proposal": both}},
        vendor,
    )
    assert body.get("data") is None and "exactly one" in body["errors"][0]["message"].lower()


async def test_revise_bumps_the_version_and_records_what_changed(api: Api) -> None:
    _, vendor = await register(api, "VENDOR")
    _, buyer = await register(api, "BUYER")
    rfp_id = await open_rfp(api, buyer)
    proposal_id = (await submit(api, vendor, rfp_id))["proposal"]["id"]
    payload = await revise(api, vendor, proposal_id, 1, proposal_input("13500.00", summary="Now cheaper."))
    assert payload["userErrors"] == []
    assert payload["proposal"]["version"] == 2 and payload["proposal"]["summary"] == "Now cheaper."
    trail = await api.data(
        """query($id: ID!) {
          node(id: $id) { ... on Proposal { auditTrail { action changedFields actor { name } } } }
        }""",
        {"id": proposal_id},
        vendor,
    )
    events = trail["node"]["auditTrail"]
    assert [event["action"] for event in events] == ["submitted", "revised"]
    assert events[1]["changedFields"] == ["pricing.flatMonthly.monthlyFee", "summary"]
    assert events[1]["actor"]["name"] == "Vendor Co"


async def test_revise_errors(api: Api) -> None:
    _, vendor = await register(api, "VENDOR")
    _, rival = await register(api, "VENDOR", "Rival")
    _, buyer = await register(api, "BUYER")
    rfp_id = await open_rfp(api, buyer)
    proposal_id = (await submit(api, vendor, rfp_id))["proposal"]["id"]
    assert codes(await revise(api, vendor, proposal_id, 7, proposal_input())) == ["CONFLICT"]
    assert codes(await revise(api, rival, proposal_id, 1, proposal_input())) == ["NOT_FOUND"]
    assert codes(await revise(api, vendor, proposal_id, 1, proposal_input(summary=""))) == ["INVALID"]
    await rfp_mutation(api, "closeRfp", rfp_id, buyer)
    assert codes(await revise(api, vendor, proposal_id, 1, proposal_input())) == ["INVALID_STATE"]


async def test_concurrent_revisions_have_exactly_one_winner(api: Api) -> None:
    _, vendor = await register(api, "VENDOR")
    _, buyer = await register(api, "BUYER")
    rfp_id = await open_rfp(api, buyer)
    proposal_id = (await submit(api, vendor, rfp_id))["proposal"]["id"]
    fees = [f"{13000 + i}.00" for i in range(20)]
    results = await asyncio.gather(
        *(revise(api, vendor, proposal_id, 1, proposal_input(fee)) for fee in fees)
    )
    winners = [r for r in results if r["userErrors"] == []]
    assert len(winners) == 1
    assert sorted(codes(r)[0] for r in results if r["userErrors"]) == ["CONFLICT"] * 19
    doc = await api.store.proposals.find_one({})
    assert doc is not None and doc["version"] == 2
    winning_fee = winners[0]["proposal"]["pricing"]["monthlyFee"]["amount"]
    assert str(doc["terms"]["pricing"]["monthly_fee"]["amount"]) == winning_fee
    events = api.store.audit_events.find({"subjectId": doc["_id"]}).sort("at", 1)
    assert [event["action"] async for event in events] == ["submitted", "revised"]


async def test_withdraw(api: Api) -> None:
    _, vendor = await register(api, "VENDOR")
    _, rival = await register(api, "VENDOR", "Rival")
    _, buyer = await register(api, "BUYER")
    rfp_id = await open_rfp(api, buyer)
    proposal_id = (await submit(api, vendor, rfp_id))["proposal"]["id"]
    assert codes(await proposal_mutation(api, "withdrawProposal", proposal_id, rival)) == ["NOT_FOUND"]
    assert codes(await proposal_mutation(api, "withdrawProposal", proposal_id, buyer)) == ["NOT_FOUND"]
    withdrawn = await proposal_mutation(api, "withdrawProposal", proposal_id, vendor)
    assert withdrawn["proposal"]["status"] == "WITHDRAWN"
    assert codes(await proposal_mutation(api, "withdrawProposal", proposal_id, vendor)) == ["INVALID_STATE"]
    counted = await api.data(PROPOSALS_OF, {"id": rfp_id}, buyer)
    assert counted["rfp"]["proposalCount"] == 0
    again = await submit(api, vendor, rfp_id)  # the refusal never advises a revision that is refused too
    assert codes(again) == ["ALREADY_SUBMITTED"] and "withdrew" in again["userErrors"][0]["message"]
    assert "revise that" not in again["userErrors"][0]["message"]


async def test_shortlist_and_award(api: Api) -> None:
    _, first = await register(api, "VENDOR", "First")
    _, second = await register(api, "VENDOR", "Second")
    _, third = await register(api, "VENDOR", "Third")
    _, buyer = await register(api, "BUYER")
    _, other_buyer = await register(api, "BUYER", "Other")
    rfp_id = await open_rfp(api, buyer)
    ids = [(await submit(api, key, rfp_id))["proposal"]["id"] for key in (first, second, third)]
    await proposal_mutation(api, "withdrawProposal", ids[2], third)

    assert codes(await proposal_mutation(api, "shortlistProposal", ids[0], first)) == ["NOT_FOUND"]
    assert codes(await proposal_mutation(api, "shortlistProposal", ids[0], other_buyer)) == ["NOT_FOUND"]
    shortlisted = await proposal_mutation(api, "shortlistProposal", ids[0], buyer)
    assert shortlisted["proposal"]["status"] == "SHORTLISTED"
    assert codes(await proposal_mutation(api, "shortlistProposal", ids[0], buyer)) == ["INVALID_STATE"]

    award = {"input": {"proposalId": ids[0]}}
    assert codes((await api.data(AWARD, award, buyer))["awardProposal"]) == ["INVALID_STATE"]  # still OPEN
    await rfp_mutation(api, "closeRfp", rfp_id, buyer)
    assert codes((await api.data(AWARD, award, other_buyer))["awardProposal"]) == ["NOT_FOUND"]
    awarded = (await api.data(AWARD, award, buyer))["awardProposal"]
    assert awarded == {"rfp": {"id": rfp_id, "status": "AWARDED"}, "userErrors": []}
    listed = await api.data(PROPOSALS_OF, {"id": rfp_id}, buyer)
    statuses = {edge["node"]["id"]: edge["node"]["status"] for edge in listed["rfp"]["proposals"]["edges"]}
    assert statuses == {ids[0]: "AWARDED", ids[1]: "REJECTED", ids[2]: "WITHDRAWN"}
    assert codes((await api.data(AWARD, award, buyer))["awardProposal"]) == ["INVALID_STATE"]
