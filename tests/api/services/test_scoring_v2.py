"""Scoring version 2 through the public API: each principle's bad case named by its input path in
scorePreview, eligibility in ProposalScore and the ranking, money canonical per currency, and no
ranking that mixes scoring versions."""

from __future__ import annotations

import copy
import logging
from typing import Any

import pytest

import scoring
from api.settings import Settings
from tests.conftest import Api, MakeApp
from tests.helpers import SUBMIT, open_rfp, proposal_input, register, submit

PREVIEW = """
query($rfpId: ID!, $proposal: ProposalInput!) {
  scorePreview(rfpId: $rfpId, proposal: $proposal) {
    total eligible meetsRequirements scoringVersion
    normalizedMonthlyCost { amount currencyCode } exitCost { amount }
    findings { code path message }
    components { criterion explanation }
  }
}"""

RANKED = """
query($id: ID!, $weights: ScoringWeightsInput) {
  rfp(id: $id) {
    rankedProposals(first: 20, weights: $weights) {
      edges { rank node { id } score { total eligible meetsRequirements scoringVersion findings { code } } }
    }
  }
}"""


def _kpi(index: int, proposal: dict[str, Any], **changes: Any) -> dict[str, Any]:
    changed = copy.deepcopy(proposal)
    changed["sla"]["kpis"][index].update(changes)
    return changed


def _extra_kpi(proposal: dict[str, Any], kpi: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(proposal)
    changed["sla"]["kpis"].append(kpi)
    return changed


UPTIME_WRONG_WAY = {
    "metric": "UPTIME",
    "comparator": "AT_MOST",
    "target": 100,
    "unit": "PERCENT",
    "measurementMethod": "Pingdom",
    "measurementWindow": "MONTHLY",
    "remedies": [{"type": "SERVICE_CREDIT", "creditPercent": 10}],
}


def honest_input(fee: str = "14000.00") -> dict[str, Any]:
    """The primer's desk with full stakes: 10% credits on both required KPIs."""
    proposal = proposal_input(fee)
    for kpi in proposal["sla"]["kpis"]:
        kpi["remedies"][0]["creditPercent"] = 10
    return proposal


def _bad_cases() -> list[tuple[str, dict[str, Any], str, list[str]]]:
    good = honest_input()
    slow = copy.deepcopy(good)
    slow["sla"]["escalationPath"] = [{"level": 1, "role": "Director", "responseHours": 1000}]
    long_breach = _kpi(1, good, remedies=[{"type": "TERMINATION_RIGHT", "afterConsecutiveBreaches": 13}])
    return [
        (
            "token credit",
            _kpi(0, good, remedies=[{"type": "SERVICE_CREDIT", "creditPercent": 0.01}]),
            "WEAK_REMEDY",
            ["sla", "kpis", "0", "remedies", "0", "creditPercent"],
        ),
        (
            "fee at risk of no size",
            _kpi(0, good, remedies=[{"type": "FEE_AT_RISK"}]),
            "WEAK_REMEDY",
            ["sla", "kpis", "0", "remedies", "0", "creditPercent"],
        ),
        (
            "corrective-action plan alone",
            _kpi(0, good, remedies=[{"type": "CORRECTIVE_ACTION_PLAN"}]),
            "WEAK_REMEDY",
            ["sla", "kpis", "0", "remedies", "0", "type"],
        ),
        (
            "termination right beyond the term",
            long_breach,
            "WEAK_REMEDY",
            ["sla", "kpis", "1", "remedies", "0", "afterConsecutiveBreaches"],
        ),
        (
            "TBD method",
            _kpi(1, good, measurementMethod="TBD"),
            "MISSING_MEASUREMENT_METHOD",
            ["sla", "kpis", "1", "measurementMethod"],
        ),
        (
            "NONE window",
            _kpi(1, good, measurementWindow="NONE"),
            "MISSING_MEASUREMENT_METHOD",
            ["sla", "kpis", "1", "measurementWindow"],
        ),
        (
            "uptime at most 100%",
            _extra_kpi(good, UPTIME_WRONG_WAY),
            "METRIC_NOT_MEANINGFUL",
            ["sla", "kpis", "2", "comparator"],
        ),
        (
            "CSAT at least 0",
            _extra_kpi(
                good,
                {
                    **UPTIME_WRONG_WAY,
                    "metric": "CSAT",
                    "comparator": "AT_LEAST",
                    "target": 0,
                    "unit": "SCORE_5",
                },
            ),
            "METRIC_NOT_MEANINGFUL",
            ["sla", "kpis", "2", "target"],
        ),
        (
            "100% uptime",
            _extra_kpi(good, {**UPTIME_WRONG_WAY, "comparator": "AT_LEAST"}),
            "IMPLAUSIBLE_TARGET",
            ["sla", "kpis", "2", "target"],
        ),
        ("a repeated KPI", _extra_kpi(good, good["sla"]["kpis"][0]), "DUPLICATE_KPI", ["sla", "kpis", "2"]),
        ("slow escalation", slow, "SLOW_ESCALATION", ["sla", "escalationPath", "0", "responseHours"]),
        (
            "unenforceable requirement",
            _kpi(1, good, remedies=[]),
            "REQUIREMENT_NOT_MET",
            ["sla", "kpis", "1", "remedies"],
        ),
        ("over budget", proposal_input("15000.01"), "OVER_BUDGET", ["pricing"]),
        (
            "T&M on the vendor's estimate",
            proposal_input(
                pricing={
                    "timeAndMaterials": {
                        "hourlyRate": {"amount": "40.00", "currencyCode": "USD"},
                        "monthlyCap": {"amount": "14000.00", "currencyCode": "USD"},
                        "estimatedHoursPerMonth": 100,
                    }
                }
            ),
            "HOURS_NOT_FROM_RFP",
            ["pricing", "timeAndMaterials", "estimatedHoursPerMonth"],
        ),
        (
            "per-unit with a high-volume risk",
            proposal_input(
                pricing={
                    "perUnit": {"unitPrice": {"amount": "1.50", "currencyCode": "USD"}, "unitName": "ticket"}
                }
            ),
            "HIGH_VOLUME_OVER_BUDGET",
            ["pricing"],
        ),
    ]


@pytest.mark.parametrize(("case", "proposal", "code", "path"), _bad_cases(), ids=[c[0] for c in _bad_cases()])
async def test_score_preview_names_the_input_path_of_each_bad_case(
    api: Api, case: str, proposal: dict[str, Any], code: str, path: list[str]
) -> None:
    _, buyer = await register(api, "BUYER")
    _, vendor = await register(api, "VENDOR")
    # Disclosed, so the vendor's preview shows the budget findings too (hidden, they are left out:
    # tests/api/test_visibility.py).
    rfp_id = await open_rfp(api, buyer, budgetDisclosed=True)
    preview = (await api.data(PREVIEW, {"rfpId": rfp_id, "proposal": proposal}, vendor))["scorePreview"]
    assert {"code": code, "path": path} in [
        {"code": f["code"], "path": f["path"]} for f in preview["findings"]
    ], case
    honest = (await api.data(PREVIEW, {"rfpId": rfp_id, "proposal": honest_input()}, vendor))["scorePreview"]
    assert {"code": code, "path": path} not in [
        {"code": f["code"], "path": f["path"]} for f in honest["findings"]
    ]
    assert honest["eligible"]


async def test_a_cap_below_the_rfps_workload_is_flagged(api: Api) -> None:
    _, buyer = await register(api, "BUYER")
    _, vendor = await register(api, "VENDOR")
    rfp_id = await open_rfp(api, buyer, expectedHoursPerMonth=400)
    capped = proposal_input(
        pricing={
            "timeAndMaterials": {
                "hourlyRate": {"amount": "40.00", "currencyCode": "USD"},
                "monthlyCap": {"amount": "1600.00", "currencyCode": "USD"},  # a tenth of 400 hours
            }
        }
    )
    preview = (await api.data(PREVIEW, {"rfpId": rfp_id, "proposal": capped}, vendor))["scorePreview"]
    [flag] = [f for f in preview["findings"] if f["code"] == "CAP_BELOW_WORKLOAD"]
    assert flag["path"] == ["pricing", "timeAndMaterials", "monthlyCap"] and "40.0 of" in flag["message"]


@pytest.mark.parametrize(
    ("pricing", "field"),
    [
        (
            {"perUnit": {"unitPrice": {"amount": "0.50", "currencyCode": "USD"}, "unitName": "minutes"}},
            ["proposal", "pricing", "perUnit", "unitName"],
        ),
        (
            {
                "outcomeBased": {
                    "feePerOutcome": {"amount": "9.00", "currencyCode": "USD"},
                    "outcomeName": "resolved ticket",
                }
            },
            ["proposal", "pricing", "outcomeBased"],
        ),
    ],
)
async def test_a_price_the_rfp_cannot_multiply_is_refused_naming_the_field(
    api: Api, pricing: dict[str, Any], field: list[str]
) -> None:
    # a careless client: a price per minute against a volume in tickets, outcomes the RFP never states
    _, buyer = await register(api, "BUYER")
    _, vendor = await register(api, "VENDOR")
    rfp_id = await open_rfp(api, buyer)
    body = await api(PREVIEW, {"rfpId": rfp_id, "proposal": proposal_input(pricing=pricing)}, vendor)
    [error] = body["errors"]
    assert error["extensions"]["code"] == "INVALID" and error["extensions"]["field"] == field
    payload = await submit(api, vendor, rfp_id, proposal_input(pricing=pricing))
    assert [e["code"] for e in payload["userErrors"]] == ["INVALID"]
    assert payload["userErrors"][0]["field"] == ["input", *field]
    assert payload["proposal"] is None and await api.store.proposals.count_documents({}) == 0


async def test_a_lower_case_currency_is_refused_naming_the_field(api: Api) -> None:
    _, buyer = await register(api, "BUYER")
    _, vendor = await register(api, "VENDOR")
    rfp_id = await open_rfp(api, buyer)
    payload = await submit(api, vendor, rfp_id, proposal_input(currency="usd"))
    [error] = payload["userErrors"]
    assert error["code"] == "INVALID"
    assert error["field"][-1] == "currencyCode" and "'USD'" in error["message"]
    for fake in ("XTS", "XXX", "XAU"):  # ISO codes that are not money
        assert [
            e["code"]
            for e in (await submit(api, vendor, rfp_id, proposal_input(currency=fake)))["userErrors"]
        ] == ["INVALID"]


@pytest.mark.parametrize(
    ("currency", "budget", "fee", "shown"),
    [("JPY", "2000000", "1500000", "1500000"), ("KWD", "4000.000", "3500.5", "3500.500")],
)
async def test_money_is_shown_in_the_currencys_minor_unit(
    api: Api, currency: str, budget: str, fee: str, shown: str
) -> None:
    _, buyer = await register(api, "BUYER")
    _, vendor = await register(api, "VENDOR")
    rfp_id = await open_rfp(
        api, buyer, currencyCode=currency, monthlyBudget={"amount": budget, "currencyCode": currency}
    )
    preview = (await api.data(PREVIEW, {"rfpId": rfp_id, "proposal": proposal_input(fee, currency)}, vendor))[
        "scorePreview"
    ]
    assert preview["normalizedMonthlyCost"] == {"amount": shown, "currencyCode": currency}
    places = len(shown.partition(".")[2])
    assert len(preview["exitCost"]["amount"].partition(".")[2]) == places
    assert "E" not in preview["exitCost"]["amount"] and not preview["exitCost"]["amount"].startswith("-")


async def test_an_over_budget_bid_ranks_below_every_eligible_one(api: Api) -> None:
    _, buyer = await register(api, "BUYER")
    rfp_id = await open_rfp(api, buyer)
    _, rich = await register(api, "VENDOR", "Perfect but three times the budget")
    perfect = proposal_input("45000.00")
    for kpi in perfect["sla"]["kpis"]:
        kpi["remedies"] = [{"type": "SERVICE_CREDIT", "creditPercent": 10}]
    over = (await submit(api, rich, rfp_id, perfect))["proposal"]["id"]
    _, fair = await register(api, "VENDOR", "Affordable and meets every requirement")
    within = (await submit(api, fair, rfp_id, proposal_input("14900.00")))["proposal"]["id"]
    for variables in ({}, {"weights": {"slaQuality": 1, "lockIn": 0, "cost": 0}}):
        edges = (await api.data(RANKED, {"id": rfp_id, **variables}, buyer))["rfp"]["rankedProposals"][
            "edges"
        ]
        assert [edge["node"]["id"] for edge in edges] == [within, over]
        assert [edge["score"]["eligible"] for edge in edges] == [True, False]
        assert edges[1]["score"]["meetsRequirements"] and "OVER_BUDGET" in {
            f["code"] for f in edges[1]["score"]["findings"]
        }


async def test_a_ranking_never_mixes_scoring_versions(
    api: Api, settings: Settings, make_app: MakeApp, caplog: pytest.LogCaptureFixture
) -> None:
    _, buyer = await register(api, "BUYER")
    rfp_id = await open_rfp(api, buyer)
    for index, fee in enumerate(["14000.00", "12000.00", "13000.00"]):
        _, vendor = await register(api, "VENDOR", f"Vendor {index}")
        await submit(api, vendor, rfp_id, proposal_input(fee))
    # a deployment of the previous engine left one score (and its entry) at version 1
    old = await api.store.proposals.find_one({})
    assert old is not None
    await api.store.proposals.update_one(
        {"_id": old["_id"]}, {"$set": {"score.scoring_version": "2026.11-1"}}
    )
    await api.store.rankings.update_one({"_id": old["_id"]}, {"$set": {"version": "2026.11-1"}})
    restarted = make_app(settings)  # the next start-up of the server
    with caplog.at_level(logging.INFO, logger="rfpmarket.rescore"):
        async with restarted.router.lifespan_context(restarted):
            pass
    assert "rescoring them to" in caplog.text and "rescored 1 proposals" in caplog.text
    edges = (await api.data(RANKED, {"id": rfp_id}, buyer))["rfp"]["rankedProposals"]["edges"]
    assert {edge["score"]["scoringVersion"] for edge in edges} == {scoring.SCORING_VERSION}
    assert {doc["version"] async for doc in api.store.rankings.find({})} == {scoring.SCORING_VERSION}
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="rfpmarket.rescore"):
        async with restarted.router.lifespan_context(restarted):
            pass
    assert "every stored score is scoring version" in caplog.text


@pytest.mark.parametrize(
    "amount", ["1_000.00", "1E+4", "1e4", "١٤٠٠٠", "14000.00 ", "0x10", "NaN", "Infinity"]
)
async def test_a_non_canonical_amount_is_refused_before_anything_is_stored(api: Api, amount: str) -> None:
    _, buyer = await register(api, "BUYER")
    _, vendor = await register(api, "VENDOR")
    rfp_id = await open_rfp(api, buyer)
    body = await api(SUBMIT, {"input": {"rfpId": rfp_id, "proposal": proposal_input(amount)}}, vendor)
    assert body.get("data") is None and "not canonical" in body["errors"][0]["message"], body
    assert await api.store.proposals.count_documents({}) == 0


async def test_negative_zero_and_a_json_number_are_stored_canonically(api: Api) -> None:
    _, buyer = await register(api, "BUYER")
    _, vendor = await register(api, "VENDOR")
    rfp_id = await open_rfp(api, buyer)
    proposal = proposal_input(oneTimeFee={"amount": "-0.00", "currencyCode": "USD"})
    proposal["pricing"]["flatMonthly"]["monthlyFee"]["amount"] = 14000  # a JSON integer is fine
    payload = await submit(api, vendor, rfp_id, proposal)
    assert payload["userErrors"] == []
    doc = await api.store.proposals.find_one({})
    assert doc is not None
    assert str(doc["terms"]["one_time_fee"]["amount"]) == "0.00"  # not -0.00
    assert str(doc["terms"]["pricing"]["monthly_fee"]["amount"]) == "14000"
