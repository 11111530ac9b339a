"""Synthetic load: many realistic, varied proposals, validated and scored by the same code as the
API, inserted in bulk. For benchmarks and capacity tests: `rfpmarket seed --synthetic --proposals N`."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bson import ObjectId

import scoring
from api.services.market import MarketService
from api.store.audit import new_audit_event
from api.store.organizations import key_entry, new_api_key, new_organization
from api.store.proposals import new_proposal_document
from api.store.rankings import ranking_entry, refresh_ranking_digest
from market.vocabulary import OrganizationKind
from scoring.model import ProposalTerms

BATCH = 1_000
OUTCOME_METRICS = ["CSAT", "QUALITY_SCORE", "FIRST_CONTACT_RESOLUTION", "ACCURACY"]


@dataclass(frozen=True)
class SyntheticResult:
    rfp_ids: list[str]
    buyer_api_key: str
    proposals: int


def _money(amount: float) -> dict[str, str]:
    return {"amount": f"{amount:.2f}", "currencyCode": "USD"}


def _pricing(rng: random.Random) -> dict[str, Any]:
    model = rng.choice(["flatMonthly", "perUnit", "outcomeBased", "timeAndMaterials"])
    if model == "flatMonthly":
        return {"model": model, "monthlyFee": _money(rng.uniform(6_000, 24_000))}
    if model == "perUnit":
        minimum = _money(rng.uniform(3_000, 9_000)) if rng.random() < 0.6 else None
        return {
            "model": model,
            "unitPrice": _money(rng.uniform(0.5, 2.5)),
            "unitName": "ticket",
            "minimumMonthlyFee": minimum,
        }
    if model == "outcomeBased":
        return {
            "model": model,
            "baseMonthlyFee": _money(rng.uniform(2_000, 8_000)),
            "feePerOutcome": _money(rng.uniform(0.3, 1.5)),
            "outcomeName": "resolved ticket",
        }
    return {
        "model": model,
        "hourlyRate": _money(rng.uniform(25, 70)),
        "monthlyCap": _money(rng.uniform(10_000, 22_000)),
        "estimatedHoursPerMonth": rng.uniform(200, 500),
    }


def _kpis(rng: random.Random, good: bool) -> list[dict[str, Any]]:
    if not good and rng.random() < 0.5:
        return [
            {
                "metric": "TICKETS_CLOSED",
                "comparator": "AT_LEAST",
                "target": rng.randint(1_000, 9_000),
                "unit": "COUNT",
            }
        ]
    remedies = [{"type": "SERVICE_CREDIT", "creditPercent": rng.choice([2, 5, 10])}] if good else []
    method = "Helpdesk system of record" if good or rng.random() < 0.5 else None
    return [
        {
            "metric": "FIRST_RESPONSE_TIME",
            "comparator": "AT_MOST",
            "target": rng.choice([60, 90, 120, 180, 240]),
            "unit": "MINUTES",
            "measurementMethod": method,
            "remedies": remedies,
        },
        {
            "metric": rng.choice(OUTCOME_METRICS),
            "comparator": "AT_LEAST",
            "target": round(rng.uniform(3.8, 4.8), 1),
            "unit": "SCORE_5",
            "measurementMethod": method,
            "remedies": remedies,
        },
    ]


def synthetic_proposal(rng: random.Random) -> dict[str, Any]:
    """One proposal in the API's input shape: good or poor SLA and terms, any pricing model."""
    good = rng.random() < 0.6
    return {
        "summary": f"Synthetic managed-services offer #{rng.randrange(10**9)}",
        "sla": {
            "kpis": _kpis(rng, good),
            "reportingCadence": rng.choice(["WEEKLY", "MONTHLY"])
            if good
            else rng.choice(["QUARTERLY", "NONE"]),
            "escalationPath": [{"level": 1, "role": "Team lead", "responseHours": 2}] if good else [],
        },
        "pricing": _pricing(rng),
        "oneTimeFee": _money(rng.uniform(0, 20_000)) if rng.random() < 0.4 else None,
        "annualEscalationPercent": rng.choice([0, 0, 2, 3, 5]),
        "terms": {
            "termMonths": rng.choice([12, 12, 24, 36]) if good else rng.choice([24, 36, 48]),
            "terminationNoticeDays": rng.choice([30, 60, 90]) if good else rng.choice([90, 180]),
            "earlyTerminationFeeMonths": 0 if good else rng.choice([0, 3, 6]),
            "autoRenews": not good and rng.random() < 0.7,
            "runbookOwnership": rng.choice(["CLIENT", "SHARED"]) if good else "VENDOR",
            "toolingConfigOwnership": rng.choice(["CLIENT", "SHARED"]) if good else "VENDOR",
            "knowledgeTransferClause": good,
            "transitionAssistanceMonths": rng.choice([2, 3, 6]) if good else 0,
            "dataExportOnExit": good or rng.random() < 0.3,
        },
    }


def synthetic_rfp(index: int, now_iso: str) -> dict[str, Any]:
    return {
        "title": f"Synthetic support desk RFP {index + 1}",
        "scope": "Email and chat support for a mid-size ecommerce brand (synthetic load).",
        "category": "CUSTOMER_SUPPORT",
        "currencyCode": "USD",
        "submissionDeadline": now_iso,
        "volume": {"unitName": "ticket", "expected": 9_000, "low": 7_000, "high": 12_000},
        "expectedHoursPerMonth": 400,
        "expectedOutcomesPerMonth": 8_000,
        "requirements": [
            {"metric": "FIRST_RESPONSE_TIME", "comparator": "AT_MOST", "target": 2, "unit": "HOURS"},
            {"metric": "CSAT", "comparator": "AT_LEAST", "target": 4.3, "unit": "SCORE_5"},
        ],
        "monthlyBudget": _money(15_000),
    }


async def seed_synthetic(
    market: MarketService, proposals: int, rfps: int = 1, seed: int = 1
) -> SyntheticResult:
    """Spreads `proposals` over `rfps` open RFPs of one new buyer; one new vendor per proposal."""
    rng = random.Random(seed)
    store = market.store
    now = market.now()
    buyer_key = new_api_key()
    buyer = await store.organizations.insert_one(
        new_organization(
            f"Synthetic buyer {seed}",
            OrganizationKind.BUYER,
            "load@example.com",
            now,
            key_entry(buyer_key, now, "synthetic"),
        )
    )
    (buyer_record,) = await market.organizations.load_organizations([str(buyer.inserted_id)])
    deadline = (now + timedelta(days=30)).isoformat()
    rfp_ids = []
    for index in range(rfps):
        created = await market.rfps.create_rfp(buyer_record, synthetic_rfp(index, deadline))
        assert created.value is not None, created.errors
        await market.rfps.publish_rfp(buyer_record, created.value.id)
        rfp_ids.append(created.value.id)
    contexts = {rfp_id: (await market.ground.load_rfps([rfp_id]))[0] for rfp_id in rfp_ids}
    inserted = 0
    while inserted < proposals:
        batch = min(BATCH, proposals - inserted)
        vendor_ids = [ObjectId() for _ in range(batch)]
        await store.organizations.insert_many(
            [
                new_organization(
                    f"Synthetic vendor {inserted + offset + 1}",
                    OrganizationKind.VENDOR,
                    "load@example.com",
                    now,
                    key_entry(new_api_key(), now, "synthetic"),
                    organization_id=vendor_id,
                )
                for offset, vendor_id in enumerate(vendor_ids)
            ],
            ordered=False,
        )
        documents, scores = [], []
        for offset, vendor_id in enumerate(vendor_ids):
            rfp_id = rfp_ids[(inserted + offset) % rfps]
            rfp = contexts[rfp_id]
            assert rfp is not None
            terms = ProposalTerms.model_validate(synthetic_proposal(rng))  # the API's own validation
            score = scoring.score(terms, rfp.context)
            submitted = now + timedelta(milliseconds=inserted + offset)
            documents.append(new_proposal_document(rfp_id, str(vendor_id), terms, score, submitted))
            scores.append(score)
        await store.proposals.insert_many(documents, ordered=False)
        await store.audit_events.insert_many(
            [
                new_audit_event(doc["_id"], doc["submittedAt"], str(doc["vendorId"]), "submitted")
                for doc in documents
            ],
            ordered=False,
        )
        await store.rankings.insert_many(
            [ranking_entry(document, score) for document, score in zip(documents, scores, strict=True)],
            ordered=False,
        )
        inserted += batch
    for rfp_id in rfp_ids:
        count = await store.proposals.count_documents({"rfpId": ObjectId(rfp_id)})
        await store.rfps.update_one({"_id": ObjectId(rfp_id)}, {"$set": {"proposalCount": count}})
        await refresh_ranking_digest(store, rfp_id, market.now())
    return SyntheticResult(rfp_ids=rfp_ids, buyer_api_key=buyer_key, proposals=inserted)
