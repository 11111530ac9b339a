"""amendRfp on RFPs with many proposals (issue 14): the rescoring writes in bounded chunks inside the
addendum's one transaction, a database refusal is a typed userError with nothing half-written, and an
addendum during a re-weighting leaves one consistent ranking under both."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from bson import ObjectId
from pymongo.errors import ExecutionTimeout

from api.cli.synthetic import seed_synthetic
from api.services import addenda as addenda_service
from api.services import rfps as rfp_service
from api.store.rankings import entry_key
from schema.common import to_global_id
from scoring.model import Weights
from tests.conftest import Api

AMEND = """mutation($input: AmendRfpInput!) { amendRfp(input: $input) {
  rfp { addenda { number } weights { cost } }
  userErrors { field message code } } }"""
UPDATE = """
mutation($input: UpdateRfpWeightsInput!) {
  updateRfpWeights(input: $input) { rfp { weights { cost } } userErrors { code field message } }
}"""
NEW = {"slaQuality": 0.1, "lockIn": 0.1, "cost": 0.8}


async def _amend(api: Api, key: str, rfp_id: str, **changes: Any) -> dict[str, Any]:
    variables = {"input": {"rfpId": rfp_id, "summary": "Addendum", **changes}}
    payload: dict[str, Any] = (await api.data(AMEND, variables, key))["amendRfp"]
    return payload


async def _months(api: Api, rfp_oid: ObjectId) -> int:
    doc = await api.store.rfps.find_one({"_id": rfp_oid})
    assert doc is not None
    return int(doc["context"]["evaluation_months"])


async def test_a_rescoring_addendum_writes_in_chunks_and_reaches_every_proposal(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(addenda_service, "RESCORE_CHUNK", 3)  # 11 proposals: chunks of 3, 3, 3 and 2
    seeded = await seed_synthetic(api.market, proposals=11, seed=41)
    rfp_oid = ObjectId(seeded.rfp_ids[0])
    rfp_id, buyer = to_global_id("Rfp", seeded.rfp_ids[0]), seeded.buyer_api_key
    months = await _months(api, rfp_oid)
    amended = await _amend(api, buyer, rfp_id, evaluationMonths=months % 120 + 1)
    assert amended["userErrors"] == []
    proposals = await api.store.proposals.find({"rfpId": rfp_oid}).to_list(None)
    assert len(proposals) == 11
    # Every proposal (the last, partial chunk included) rescored under the addendum and flagged.
    assert all(doc["needsConfirmation"] is True for doc in proposals)
    flagged = await api.store.audit_events.count_documents({"action": "needsConfirmation"})
    assert flagged == 11
    doc = await api.store.rfps.find_one({"_id": rfp_oid})
    assert doc is not None and doc["context"]["evaluation_months"] == months % 120 + 1
    weights = Weights.model_validate(doc["context"]["weights"])
    for entry in await api.store.rankings.find({"rfpId": rfp_oid}).to_list(None):
        assert entry[doc.get("rankField", "key")] == entry_key(rfp_oid, entry, weights)


async def test_a_database_refusal_is_a_user_error_and_nothing_changes(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The careless case at scale: the rescoring transaction outlives the database's limit. The buyer
    gets a typed CONFLICT naming the input (never a 500), and the RFP, its proposals, ranking and
    audit trail are exactly as before."""
    seeded = await seed_synthetic(api.market, proposals=5, seed=42)
    rfp_oid = ObjectId(seeded.rfp_ids[0])
    rfp_id, buyer = to_global_id("Rfp", seeded.rfp_ids[0]), seeded.buyer_api_key
    before_rfp = await api.store.rfps.find_one({"_id": rfp_oid})
    before_proposals = await api.store.proposals.find({"rfpId": rfp_oid}).sort("_id", 1).to_list(None)
    before_entries = await api.store.rankings.find({"rfpId": rfp_oid}).sort("_id", 1).to_list(None)
    events = await api.store.audit_events.count_documents({})

    async def too_long(*args: Any) -> None:
        raise ExecutionTimeout("transaction exceeded its lifetime limit")

    monkeypatch.setattr(addenda_service, "recompute_cost_figures", too_long)
    months = await _months(api, rfp_oid)
    payload = await _amend(api, buyer, rfp_id, evaluationMonths=months % 120 + 1)
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [("CONFLICT", ["input"])]
    assert "nothing changed" in payload["userErrors"][0]["message"]
    assert await api.store.rfps.find_one({"_id": rfp_oid}) == before_rfp
    assert await api.store.proposals.find({"rfpId": rfp_oid}).sort("_id", 1).to_list(None) == before_proposals
    assert await api.store.rankings.find({"rfpId": rfp_oid}).sort("_id", 1).to_list(None) == before_entries
    assert await api.store.audit_events.count_documents({}) == events


async def test_an_addendum_during_a_reweighting_leaves_one_consistent_ranking(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An addendum lands between re-weighting batches: it keys every entry under the weights the job
    moves to as well, the job's next batch conflicts and retries, and once both end every entry's
    key in the field the ranking reads is its key under the RFP's (new) weights and amended scores."""
    monkeypatch.setattr(rfp_service, "REWEIGH_BATCH", 20)
    seeded = await seed_synthetic(api.market, proposals=200, seed=43)
    rfp_oid = ObjectId(seeded.rfp_ids[0])
    rfp_id, buyer = to_global_id("Rfp", seeded.rfp_ids[0]), seeded.buyer_api_key
    months = await _months(api, rfp_oid)
    job = asyncio.create_task(api.data(UPDATE, {"input": {"rfpId": rfp_id, "weights": NEW}}, buyer))
    while not job.done():  # wait until the job is under way, then amend
        doc = await api.store.rfps.find_one({"_id": rfp_oid})
        if doc is not None and doc.get("reweighing"):
            break
        await asyncio.sleep(0.01)
    amended = await _amend(api, buyer, rfp_id, evaluationMonths=months % 120 + 1)
    assert amended["userErrors"] == []
    payload = (await job)["updateRfpWeights"]
    assert payload["userErrors"] == [] and payload["rfp"]["weights"]["cost"] == 0.8
    doc = await api.store.rfps.find_one({"_id": rfp_oid})
    assert doc is not None and "reweighing" not in doc
    assert doc["context"]["evaluation_months"] == months % 120 + 1
    weights = Weights.model_validate(doc["context"]["weights"])
    assert weights.cost == pytest.approx(0.8)
    entries = await api.store.rankings.find({"rfpId": rfp_oid}).to_list(None)
    assert len(entries) == 200
    for entry in entries:
        assert entry[doc["rankField"]] == entry_key(rfp_oid, entry, weights)
