"""Hand-picked hostile values (empty strings, huge and odd numbers) through the same HTTP path as
every client: each is invalid input, never a server error."""

from __future__ import annotations

import json
from typing import Any

import pytest

from schema.scalars import CANONICAL_DECIMAL
from tests.api.fuzz.failures import (
    assert_client_error,
    parties,
)
from tests.conftest import Api
from tests.helpers import CREATE_RFP, REGISTER, SUBMIT, open_rfp, proposal_input, register, rfp_input, submit


def _invalid_codes(payload: dict[str, Any]) -> list[str]:
    return sorted({error["code"] for error in payload["userErrors"]})


EMPTY_RFP_FIELDS = ["title", "scope", "currencyCode", "submissionDeadline"]


@pytest.mark.parametrize("name", EMPTY_RFP_FIELDS)
async def test_empty_strings_in_an_rfp_are_invalid(api: Api, name: str) -> None:
    _, buyer = await register(api, "BUYER")
    body = await api(CREATE_RFP, {"input": rfp_input(api.market.now(), **{name: ""})}, buyer)
    assert_client_error(body)
    if "errors" not in body:
        assert _invalid_codes(body["data"]["createRfp"]) == ["INVALID"], body


@pytest.mark.parametrize(("name", "value"), [("name", ""), ("contactEmail", ""), ("name", " ")])
async def test_empty_strings_in_a_registration_are_invalid(api: Api, name: str, value: str) -> None:
    data = {"name": "Empty Co", "kind": "VENDOR", "contactEmail": "ops@example.com", name: value}
    body = await api(REGISTER, {"input": data})
    assert "errors" not in body, body
    assert _invalid_codes(body["data"]["registerOrganization"]) == ["INVALID"], body


async def test_empty_strings_in_a_proposal_are_invalid(api: Api) -> None:
    _, vendor, rfp_id, _ = await parties(api)
    proposal = proposal_input(summary="")
    proposal["pricing"] = {"flatMonthly": {"monthlyFee": {"amount": "", "currencyCode": ""}}}
    body = await api(SUBMIT, {"input": {"rfpId": rfp_id, "proposal": proposal}}, vendor)
    assert_client_error(body)
    if "errors" not in body:
        assert _invalid_codes(body["data"]["submitProposal"]) == ["INVALID"], body


def _refused_by_the_scalar(changes: Any) -> bool:
    """An amount the Decimal scalar refuses (an exponent, NaN, Infinity): a GraphQL request error since
    money became canonical on the wire, before any use case runs (README, "Money canonical")."""
    if isinstance(changes, dict):
        amount = changes.get("amount")
        if isinstance(amount, str) and not CANONICAL_DECIMAL.fullmatch(amount):
            return True
        return any(_refused_by_the_scalar(value) for value in changes.values())
    if isinstance(changes, list):
        return any(_refused_by_the_scalar(value) for value in changes)
    return False


def _assert_refused_by_the_scalar(body: dict[str, Any]) -> None:
    assert_client_error(body, expect_errors=True)
    assert body.get("data") is None and "not canonical" in body["errors"][0]["message"], body


HUGE_RFP_INPUTS: list[tuple[str, dict[str, Any]]] = [
    ("budget 1e400", {"monthlyBudget": {"amount": "1e400", "currencyCode": "USD"}}),
    ("budget NaN", {"monthlyBudget": {"amount": "NaN", "currencyCode": "USD"}}),
    ("budget Infinity", {"monthlyBudget": {"amount": "Infinity", "currencyCode": "USD"}}),
    ("budget -1", {"monthlyBudget": {"amount": "-1", "currencyCode": "USD"}}),
    ("budget 30 digits", {"monthlyBudget": {"amount": "9" * 30, "currencyCode": "USD"}}),
    (
        "target 1e308",
        {"requirements": [{"metric": "CSAT", "comparator": "AT_LEAST", "target": 1e308, "unit": "SCORE_5"}]},
    ),
    ("volume 1e308", {"volume": {"unitName": "tickets", "expected": 1e308}}),
    ("volume negative", {"volume": {"unitName": "tickets", "expected": -5}}),
    ("weights 1e308", {"weights": {"slaQuality": 1e308, "lockIn": 1e308, "cost": 1e308}}),
    ("weights zero", {"weights": {"slaQuality": 0, "lockIn": 0, "cost": 0}}),
    ("evaluationMonths max", {"evaluationMonths": 2**31 - 1}),
    ("evaluationMonths 0", {"evaluationMonths": 0}),
    ("hours 1e308", {"expectedHoursPerMonth": 1e308}),
    ("deadline naive", {"submissionDeadline": "2999-01-01T00:00:00"}),
    ("deadline past", {"submissionDeadline": "2000-01-01T00:00:00+00:00"}),
    (
        "50 requirements+",
        {"requirements": [{"metric": "CSAT", "comparator": "AT_LEAST", "target": 4, "unit": "SCORE_5"}] * 60},
    ),
]


@pytest.mark.parametrize(("label", "changes"), HUGE_RFP_INPUTS, ids=[label for label, _ in HUGE_RFP_INPUTS])
async def test_huge_and_odd_numbers_in_an_rfp_are_invalid(
    api: Api, label: str, changes: dict[str, Any]
) -> None:
    _, buyer = await register(api, "BUYER")
    body = await api(CREATE_RFP, {"input": rfp_input(api.market.now(), **changes)}, buyer)
    if _refused_by_the_scalar(changes):
        _assert_refused_by_the_scalar(body)
        assert await api.store.rfps.count_documents({}) == 0
        return
    assert "errors" not in body, body
    assert _invalid_codes(body["data"]["createRfp"]) == ["INVALID"], body


async def test_the_latest_deadline_allowed_is_accepted_and_served(api: Api) -> None:
    """Deadlines are bounded (before 2100 UTC; year 9999 is refused, see tests/api/test_hygiene.py):
    nothing downstream may overflow at the far end of that range, in the farthest offset."""
    _, buyer = await register(api, "BUYER")
    _, vendor = await register(api, "VENDOR")
    rfp_id = await open_rfp(api, buyer, submissionDeadline="2099-12-31T09:59:59-14:00")
    assert (await submit(api, vendor, rfp_id))["userErrors"] == []
    everything = "query($id: ID!) { rfp(id: $id) { submissionDeadline proposalCount proposals { edges { node "
    everything += "{ score { total } } } } rankedProposals { edges { rank } } } }"
    for key in (buyer, vendor):
        body = await api(everything, {"id": rfp_id}, key)
        assert "errors" not in body, body


REVISE_ERRORS = (
    "mutation($input: ReviseProposalInput!) { reviseProposal(input: $input) { userErrors { code } } }"
)
HUGE_PROPOSAL_INPUTS: list[tuple[str, dict[str, Any]]] = [
    ("fee 1e400", {"pricing": {"flatMonthly": {"monthlyFee": {"amount": "1e400", "currencyCode": "USD"}}}}),
    ("fee -1e400", {"pricing": {"flatMonthly": {"monthlyFee": {"amount": "-1e400", "currencyCode": "USD"}}}}),
    ("fee NaN", {"pricing": {"flatMonthly": {"monthlyFee": {"amount": "NaN", "currencyCode": "USD"}}}}),
    ("fee sNaN", {"pricing": {"flatMonthly": {"monthlyFee": {"amount": "sNaN", "currencyCode": "USD"}}}}),
    ("fee 1e-400", {"pricing": {"flatMonthly": {"monthlyFee": {"amount": "1e-400", "currencyCode": "USD"}}}}),
    (
        "fee 40 digits",
        {"pricing": {"flatMonthly": {"monthlyFee": {"amount": "9" * 40, "currencyCode": "USD"}}}},
    ),
    (
        "unit price 1e300",
        {
            "pricing": {
                "perUnit": {"unitPrice": {"amount": "1e300", "currencyCode": "USD"}, "unitName": "ticket"}
            }
        },
    ),
    (
        "hourly 1e300",
        {
            "pricing": {
                "timeAndMaterials": {
                    "hourlyRate": {"amount": "1e300", "currencyCode": "USD"},
                    "monthlyCap": {"amount": "1e300", "currencyCode": "USD"},
                }
            }
        },
    ),
    (
        "outcome 1e300",
        {
            "pricing": {
                "outcomeBased": {
                    "feePerOutcome": {"amount": "1e300", "currencyCode": "USD"},
                    "outcomeName": "resolution",
                }
            }
        },
    ),
    ("escalation 1e308", {"annualEscalationPercent": 1e308}),
    ("one-time fee 1e400", {"oneTimeFee": {"amount": "1e400", "currencyCode": "USD"}}),
    ("term max", {"terms": {**proposal_input()["terms"], "termMonths": 2**31 - 1}}),
    ("notice negative", {"terms": {**proposal_input()["terms"], "terminationNoticeDays": -(2**31)}}),
    ("exit fee 1e308", {"terms": {**proposal_input()["terms"], "earlyTerminationFeeMonths": 1e308}}),
    (
        "kpi target 1e308",
        {
            "sla": {
                **proposal_input()["sla"],
                "kpis": [{**proposal_input()["sla"]["kpis"][0], "target": 1e308}],
            }
        },
    ),
    (
        "credit 1e308",
        {
            "sla": {
                **proposal_input()["sla"],
                "kpis": [
                    {
                        **proposal_input()["sla"]["kpis"][0],
                        "remedies": [{"type": "SERVICE_CREDIT", "creditPercent": 1e308}],
                    }
                ],
            }
        },
    ),
    ("51 kpis", {"sla": {**proposal_input()["sla"], "kpis": proposal_input()["sla"]["kpis"] * 26}}),
    (
        "escalation hours 1e308",
        {
            "sla": {
                **proposal_input()["sla"],
                "escalationPath": [{"level": 2**31 - 1, "role": "", "responseHours": 1e308}],
            }
        },
    ),
]


@pytest.mark.parametrize(
    ("label", "changes"), HUGE_PROPOSAL_INPUTS, ids=[label for label, _ in HUGE_PROPOSAL_INPUTS]
)
async def test_huge_and_odd_numbers_in_a_proposal_are_invalid(
    api: Api, label: str, changes: dict[str, Any]
) -> None:
    buyer, vendor, rfp_id, proposal_id = await parties(api)
    _, newcomer = await register(api, "VENDOR", "Newcomer Co")
    proposal = proposal_input(**changes)
    submitted = await api(SUBMIT, {"input": {"rfpId": rfp_id, "proposal": proposal}}, newcomer)
    revise = {"input": {"proposalId": proposal_id, "expectedVersion": 1, "proposal": proposal}}
    revised = await api(REVISE_ERRORS, revise, vendor)
    if _refused_by_the_scalar(changes):
        _assert_refused_by_the_scalar(submitted)
        _assert_refused_by_the_scalar(revised)
        assert await api.store.proposals.count_documents({}) == 1  # the vendor's, unrevised
        stored = await api.store.proposals.find_one({})
        assert stored is not None and stored["version"] == 1
    else:
        assert "errors" not in submitted, submitted
        assert _invalid_codes(submitted["data"]["submitProposal"]) == ["INVALID"]
        assert "errors" not in revised and _invalid_codes(revised["data"]["reviseProposal"]) == ["INVALID"]
    preview = "query($id: ID!, $p: ProposalInput!) { scorePreview(rfpId: $id, proposal: $p) { total } }"
    previewed = await api(preview, {"id": rfp_id, "p": proposal}, vendor)
    if _refused_by_the_scalar(changes):
        _assert_refused_by_the_scalar(previewed)
    else:
        assert_client_error(previewed, expect_errors=True)
        assert previewed["errors"][0]["extensions"]["code"] == "INVALID", previewed
    # Nothing of it was stored: the buyer's reads, scores and ranking included, are clean.
    everything = "query($id: ID!) { rfp(id: $id) { proposals { edges { node { version score { total } } } } "
    everything += "rankedProposals { edges { rank score { total } } } } }"
    read = await api(everything, {"id": rfp_id}, buyer)
    assert "errors" not in read, read
    assert [edge["node"]["version"] for edge in read["data"]["rfp"]["proposals"]["edges"]] == [1], read


@pytest.mark.parametrize("literal", ["1e309", "-1e309", "1" + "0" * 400, "2147483648", '"1e400"', "1e400"])
async def test_number_literals_beyond_float_are_graphql_errors(api: Api, literal: str) -> None:
    buyer, _, rfp_id, _ = await parties(api)
    query = f'mutation {{ updateRfpWeights(input: {{rfpId: "{rfp_id}", weights: '
    query += f"{{slaQuality: {literal}, lockIn: 1, cost: 1}}}}) {{ userErrors {{ code }} }} }}"
    body = await api(query, key=buyer)
    assert_client_error(body)
    assert "data" not in body or body["data"]["updateRfpWeights"]["userErrors"], body


async def test_json_numbers_beyond_float_in_variables_are_graphql_errors(api: Api) -> None:
    """json.loads turns 1e400 into inf, which GraphQL's Float must refuse as a variable coercion error."""
    buyer, _, rfp_id, _ = await parties(api)
    query = (
        "mutation($input: UpdateRfpWeightsInput!) { updateRfpWeights(input: $input) { userErrors { code } } }"
    )
    variables = {"input": {"rfpId": rfp_id, "weights": {"slaQuality": "HUGE", "lockIn": 1, "cost": "NAN"}}}
    raw = (
        json.dumps({"query": query, "variables": variables})
        .replace('"HUGE"', "1e400")
        .replace('"NAN"', "NaN")
    )
    response = await api.client.post(
        "/graphql",
        content=raw.encode(),
        headers={"content-type": "application/json", "authorization": f"Bearer {buyer}"},
    )
    assert response.status_code in (200, 400)
    body = response.json()
    assert_client_error(body, expect_errors=True)
    assert "data" not in body, body
