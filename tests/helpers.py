"""Inputs and flows the tests share: realistic RFPs and proposals, and the mutations that make them."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import Any

from tests.conftest import Api

REGISTER = """
mutation($input: RegisterOrganizationInput!) {
  registerOrganization(input: $input) {
    organization { id name kind createdAt } apiKey userErrors { field message code }
  }
}"""

RFP_FIELDS = """
  id title status sealed currencyCode submissionDeadline evaluationMonths proposalCount
  monthlyBudget { amount currencyCode }
  weights { slaQuality lockIn cost }
  volume { unitName expected low high }
  requirements { metric comparator target unit }
  buyer { id name }
"""

CREATE_RFP = f"""
mutation($input: CreateRfpInput!) {{
  createRfp(input: $input) {{ rfp {{ {RFP_FIELDS} }} userErrors {{ field message code }} }}
}}"""

RFP_MUTATION = """
mutation($input: RfpIdInput!) {{
  {name}(input: $input) {{ rfp {{ id status }} userErrors {{ field message code }} }}
}}"""

PROPOSAL_FIELDS = """
  id status version submittedAt updatedAt summary annualEscalationPercent
  vendor { id name }
  rfp { id }
  oneTimeFee { amount currencyCode }
  pricing { __typename ... on FlatMonthlyPricing { monthlyFee { amount currencyCode } } }
  terms { termMonths runbookOwnership }
  sla { reportingCadence kpis { metric target unit remedies { type creditPercent } } }
  score { total slaQuality lockInExposure costScore meetsRequirements scoringVersion
          normalizedMonthlyCost { amount currencyCode } findings { code } }
"""

SUBMIT = f"""
mutation($input: SubmitProposalInput!) {{
  submitProposal(input: $input) {{ proposal {{ {PROPOSAL_FIELDS} }} userErrors {{ field message code }} }}
}}"""

REVISE = f"""
mutation($input: ReviseProposalInput!) {{
  reviseProposal(input: $input) {{ proposal {{ {PROPOSAL_FIELDS} }} userErrors {{ field message code }} }}
}}"""

PROPOSAL_MUTATION = """
mutation($input: ProposalIdInput!) {{
  {name}(input: $input) {{ proposal {{ id status }} userErrors {{ field message code }} }}
}}"""


def rfp_input(now: datetime, **changes: Any) -> dict[str, Any]:
    """The primer's support desk: first response within 2 hours, CSAT at least 4.3."""
    data: dict[str, Any] = {
        "title": "Customer support desk for a US ecommerce brand",
        "scope": "Email and chat support, 7 days a week, for a $50M/yr ecommerce brand.",
        "category": "CUSTOMER_SUPPORT",
        "currencyCode": "USD",
        "submissionDeadline": (now + timedelta(days=14)).isoformat(),
        "evaluationMonths": 12,
        "volume": {"unitName": "tickets", "expected": 9000, "low": 7000, "high": 12000},
        "requirements": [
            {"metric": "FIRST_RESPONSE_TIME", "comparator": "AT_MOST", "target": 2, "unit": "HOURS"},
            {"metric": "CSAT", "comparator": "AT_LEAST", "target": 4.3, "unit": "SCORE_5"},
        ],
        "weights": {"slaQuality": 0.4, "lockIn": 0.25, "cost": 0.35},
        "monthlyBudget": {"amount": "15000.00", "currencyCode": "USD"},
    }
    data.update(changes)
    return data


def proposal_input(monthly_fee: str = "14000.00", currency: str = "USD", **changes: Any) -> dict[str, Any]:
    """12 agents, a team lead, QA and a workforce manager for a flat monthly fee."""
    data: dict[str, Any] = {
        "summary": "12 agents, a team lead, QA and a workforce manager.",
        "sla": {
            "kpis": [
                {
                    "metric": "FIRST_RESPONSE_TIME",
                    "comparator": "AT_MOST",
                    "target": 120,
                    "unit": "MINUTES",
                    "measurementMethod": "Zendesk first reply time, business hours",
                    "measurementWindow": "MONTHLY",
                    "remedies": [{"type": "SERVICE_CREDIT", "creditPercent": 5}],
                },
                {
                    "metric": "CSAT",
                    "comparator": "AT_LEAST",
                    "target": 4.4,
                    "unit": "SCORE_5",
                    "measurementMethod": "Post-ticket survey, 5-point scale",
                    "measurementWindow": "MONTHLY",
                    "remedies": [
                        {"type": "SERVICE_CREDIT", "creditPercent": 5},
                        {"type": "TERMINATION_RIGHT", "afterConsecutiveBreaches": 3},
                    ],
                },
            ],
            "reportingCadence": "MONTHLY",
            "escalationPath": [
                {"level": 1, "role": "Team lead", "responseHours": 1},
                {"level": 2, "role": "Account director", "responseHours": 4},
            ],
        },
        "pricing": {"flatMonthly": {"monthlyFee": {"amount": monthly_fee, "currencyCode": currency}}},
        "terms": {
            "termMonths": 12,
            "terminationNoticeDays": 90,
            "earlyTerminationFeeMonths": 0,
            "autoRenews": False,
            "runbookOwnership": "CLIENT",
            "toolingConfigOwnership": "CLIENT",
            "knowledgeTransferClause": True,
            "transitionAssistanceMonths": 3,
            "dataExportOnExit": True,
        },
    }
    data.update(copy.deepcopy(changes))
    return data


def poor_proposal_input(monthly_fee: str) -> dict[str, Any]:
    """Misses the buyer's requirements (one activity KPI, no remedy, no reporting) and locks the
    buyer in (36 months, 180 days' notice, exit fees, vendor-owned runbooks and tooling)."""
    return proposal_input(
        monthly_fee,
        sla={
            "kpis": [{"metric": "TICKETS_CLOSED", "comparator": "AT_LEAST", "target": 5000, "unit": "COUNT"}],
            "reportingCadence": "NONE",
        },
        terms={
            "termMonths": 36,
            "terminationNoticeDays": 180,
            "earlyTerminationFeeMonths": 6,
            "autoRenews": True,
            "runbookOwnership": "VENDOR",
            "toolingConfigOwnership": "VENDOR",
            "knowledgeTransferClause": False,
            "transitionAssistanceMonths": 0,
            "dataExportOnExit": False,
        },
    )


async def register(api: Api, kind: str, name: str | None = None) -> tuple[str, str]:
    """(organization global id, api key)."""
    data = await api.data(
        REGISTER,
        {"input": {"name": name or f"{kind.title()} Co", "kind": kind, "contactEmail": "ops@example.com"}},
    )
    payload = data["registerOrganization"]
    assert payload["userErrors"] == []
    return payload["organization"]["id"], payload["apiKey"]


async def create_rfp(api: Api, buyer_key: str, **changes: Any) -> dict[str, Any]:
    data = await api.data(CREATE_RFP, {"input": rfp_input(api.market.now(), **changes)}, buyer_key)
    payload = data["createRfp"]
    assert payload["userErrors"] == [], payload
    rfp: dict[str, Any] = payload["rfp"]
    return rfp


async def rfp_mutation(api: Api, name: str, rfp_id: str, key: str) -> dict[str, Any]:
    data = await api.data(RFP_MUTATION.format(name=name), {"input": {"rfpId": rfp_id}}, key)
    payload: dict[str, Any] = data[name]
    return payload


async def open_rfp(api: Api, buyer_key: str, **changes: Any) -> str:
    rfp = await create_rfp(api, buyer_key, **changes)
    published = await rfp_mutation(api, "publishRfp", rfp["id"], buyer_key)
    assert published["userErrors"] == [], published
    rfp_id: str = rfp["id"]
    return rfp_id


async def submit(
    api: Api, vendor_key: str, rfp_id: str, proposal: dict[str, Any] | None = None
) -> dict[str, Any]:
    data = await api.data(
        SUBMIT, {"input": {"rfpId": rfp_id, "proposal": proposal or proposal_input()}}, vendor_key
    )
    payload: dict[str, Any] = data["submitProposal"]
    return payload


async def proposal_mutation(api: Api, name: str, proposal_id: str, key: str) -> dict[str, Any]:
    data = await api.data(PROPOSAL_MUTATION.format(name=name), {"input": {"proposalId": proposal_id}}, key)
    payload: dict[str, Any] = data[name]
    return payload


def codes(payload: dict[str, Any]) -> list[str]:
    return [error["code"] for error in payload["userErrors"]]
