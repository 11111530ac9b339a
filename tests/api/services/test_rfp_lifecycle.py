"""createRfp, publishRfp, closeRfp, cancelRfp, updateRfpWeights: success paths and every error code."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.conftest import Api, Clock
from tests.helpers import CREATE_RFP, codes, create_rfp, open_rfp, register, rfp_input, rfp_mutation

UPDATE_WEIGHTS = """
mutation($input: UpdateRfpWeightsInput!) {
  updateRfpWeights(input: $input) {
    rfp { id weights { slaQuality lockIn cost } } userErrors { field message code }
  }
}"""


async def test_create_publish_close(api: Api) -> None:
    _, buyer = await register(api, "BUYER")
    rfp = await create_rfp(api, buyer, sealed=True)
    assert rfp["status"] == "DRAFT" and rfp["sealed"] is True and rfp["proposalCount"] == 0
    assert rfp["monthlyBudget"] == {"amount": "15000.00", "currencyCode": "USD"}
    assert rfp["volume"] == {"unitName": "tickets", "expected": 9000.0, "low": 7000.0, "high": 12000.0}
    published = await rfp_mutation(api, "publishRfp", rfp["id"], buyer)
    assert published == {"rfp": {"id": rfp["id"], "status": "OPEN"}, "userErrors": []}
    closed = await rfp_mutation(api, "closeRfp", rfp["id"], buyer)
    assert closed["rfp"]["status"] == "CLOSED"


async def test_defaults_apply(api: Api) -> None:
    _, buyer = await register(api, "BUYER")
    data = rfp_input(api.market.now(), volume={"unitName": "tickets", "expected": 100})
    for name in ("evaluationMonths", "weights", "requirements"):
        data.pop(name)
    result = await api.data(CREATE_RFP, {"input": data}, buyer)
    rfp = result["createRfp"]["rfp"]
    assert rfp["evaluationMonths"] == 12 and rfp["sealed"] is False and rfp["requirements"] == []
    assert rfp["weights"] == {"slaQuality": 0.4, "lockIn": 0.25, "cost": 0.35}
    assert rfp["volume"]["low"] == 100 and rfp["volume"]["high"] == 100


async def test_only_buyers_create_rfps(api: Api) -> None:
    _, vendor = await register(api, "VENDOR")
    for key in (vendor, None):
        result = await api.data(CREATE_RFP, {"input": rfp_input(api.market.now())}, key)
        assert codes(result["createRfp"]) == ["FORBIDDEN"]
    assert await api.store.rfps.count_documents({}) == 0


def _kpi_requirements(count: int) -> list[dict[str, Any]]:
    return [{"metric": "CSAT", "comparator": "AT_LEAST", "target": 4, "unit": "SCORE_5"}] * count


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, ["input", "title"]),
        ({"scope": "   "}, ["input", "scope"]),
        ({"currencyCode": "XYZ"}, ["input", "currencyCode"]),
        ({"volume": {"unitName": "tickets", "expected": -5}}, ["input", "volume", "expected"]),
        ({"volume": {"unitName": "tickets", "expected": 10, "low": 20}}, ["input", "volume", "low"]),
        ({"volume": {"unitName": "tickets", "expected": 10, "high": 5}}, ["input", "volume", "high"]),
        ({"weights": {"slaQuality": -1, "lockIn": 1, "cost": 1}}, ["input", "weights", "slaQuality"]),
        ({"weights": {"slaQuality": 0, "lockIn": 0, "cost": 0}}, ["input", "weights"]),
        ({"monthlyBudget": {"amount": "-1", "currencyCode": "USD"}}, ["input", "monthlyBudget", "amount"]),
        ({"monthlyBudget": {"amount": "100", "currencyCode": "EUR"}}, ["input", "monthlyBudget"]),
        ({"evaluationMonths": 0}, ["input", "evaluationMonths"]),
        ({"expectedHoursPerMonth": -3}, ["input", "expectedHoursPerMonth"]),
        (
            {"requirements": [{"metric": "CSAT", "comparator": "AT_LEAST", "target": 7, "unit": "SCORE_5"}]},
            ["input", "requirements", "0", "target"],
        ),
        (
            {
                "requirements": [
                    {"metric": "UPTIME", "comparator": "AT_LEAST", "target": 140, "unit": "PERCENT"}
                ]
            },
            ["input", "requirements", "0", "target"],
        ),
        ({"requirements": _kpi_requirements(51)}, ["input", "requirements"]),
    ],
)
async def test_invalid_rfp_input_names_the_field_and_writes_nothing(
    api: Api, changes: dict[str, Any], field: list[str]
) -> None:
    _, buyer = await register(api, "BUYER")
    result = await api.data(CREATE_RFP, {"input": rfp_input(api.market.now(), **changes)}, buyer)
    payload = result["createRfp"]
    assert payload["rfp"] is None
    assert {"INVALID"} == set(codes(payload))
    assert field in [error["field"] for error in payload["userErrors"]], payload
    assert await api.store.rfps.count_documents({}) == 0


async def test_deadline_in_the_past_is_invalid(api: Api) -> None:
    _, buyer = await register(api, "BUYER")
    past = (api.market.now() - timedelta(minutes=1)).isoformat()
    result = await api.data(
        CREATE_RFP, {"input": rfp_input(api.market.now(), submissionDeadline=past)}, buyer
    )
    assert result["createRfp"]["userErrors"][0]["field"] == ["input", "submissionDeadline"]


async def test_publish_errors(api: Api, clock: Clock) -> None:
    _, buyer = await register(api, "BUYER")
    _, other_buyer = await register(api, "BUYER", "Other Buyer")
    rfp = await create_rfp(api, buyer)
    assert codes(await rfp_mutation(api, "publishRfp", rfp["id"], other_buyer)) == ["NOT_FOUND"]
    assert codes(await rfp_mutation(api, "publishRfp", "not-an-id", buyer)) == ["NOT_FOUND"]
    assert (await rfp_mutation(api, "publishRfp", rfp["id"], buyer))["userErrors"] == []
    assert codes(await rfp_mutation(api, "publishRfp", rfp["id"], buyer)) == ["INVALID_STATE"]
    late = await create_rfp(api, buyer)
    clock.advance(days=15)
    assert codes(await rfp_mutation(api, "publishRfp", late["id"], buyer)) == ["DEADLINE_PASSED"]


async def test_open_rfp_reads_closed_after_its_deadline(api: Api, clock: Clock) -> None:
    _, buyer = await register(api, "BUYER")
    rfp_id = await open_rfp(api, buyer)
    clock.advance(days=14, seconds=1)
    data = await api.data("query($id: ID!) { rfp(id: $id) { status } }", {"id": rfp_id}, buyer)
    assert data["rfp"]["status"] == "CLOSED"
    listed = await api.data("{ rfps(status: CLOSED) { totalCount edges { node { id status } } } }", key=buyer)
    assert listed["rfps"]["totalCount"] == 1
    assert codes(await rfp_mutation(api, "closeRfp", rfp_id, buyer)) == ["INVALID_STATE"]


async def test_close_and_cancel_errors(api: Api) -> None:
    _, buyer = await register(api, "BUYER")
    rfp = await create_rfp(api, buyer)
    assert codes(await rfp_mutation(api, "closeRfp", rfp["id"], buyer)) == ["INVALID_STATE"]
    cancelled = await rfp_mutation(api, "cancelRfp", rfp["id"], buyer)
    assert cancelled["rfp"]["status"] == "CANCELLED"
    assert codes(await rfp_mutation(api, "cancelRfp", rfp["id"], buyer)) == ["INVALID_STATE"]
    _, vendor = await register(api, "VENDOR")
    assert codes(await rfp_mutation(api, "cancelRfp", rfp["id"], vendor)) == ["NOT_FOUND"]


async def test_update_weights(api: Api) -> None:
    _, buyer = await register(api, "BUYER")
    _, other = await register(api, "BUYER", "Other")
    rfp_id = await open_rfp(api, buyer)
    weights = {"slaQuality": 2, "lockIn": 1, "cost": 1}
    result = await api.data(UPDATE_WEIGHTS, {"input": {"rfpId": rfp_id, "weights": weights}}, buyer)
    assert result["updateRfpWeights"]["rfp"]["weights"] == {"slaQuality": 2.0, "lockIn": 1.0, "cost": 1.0}
    bad = {"slaQuality": -2, "lockIn": 1, "cost": 1}
    result = await api.data(UPDATE_WEIGHTS, {"input": {"rfpId": rfp_id, "weights": bad}}, buyer)
    assert result["updateRfpWeights"]["userErrors"][0]["field"] == ["input", "weights", "slaQuality"]
    result = await api.data(UPDATE_WEIGHTS, {"input": {"rfpId": rfp_id, "weights": weights}}, other)
    assert codes(result["updateRfpWeights"]) == ["NOT_FOUND"]
