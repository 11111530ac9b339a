"""updateRfpWeights at any size (issue 14): the ranking is re-keyed in bounded batches into the key
field the RFP does not read, then weights and field switch in one small transaction. Readers during
the job see the old ranking whole, never a mix; progress is visible to the buyer; one job at a time."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from bson import ObjectId

from api.cli.synthetic import seed_synthetic
from api.services import rfps as rfp_service
from schema.common import to_global_id
from tests.conftest import Api
from tests.helpers import proposal_input, register, submit

READ = """
query($id: ID!) {
  rfp(id: $id) {
    weights { slaQuality lockIn cost }
    weightsUpdate { proposalsDone proposalsTotal weights { cost } }
    rankedProposals(first: 40) {
      totalCount
      edges { rank score { total components { criterion weight } } }
    }
  }
}"""
UPDATE = """
mutation($input: UpdateRfpWeightsInput!) {
  updateRfpWeights(input: $input) { rfp { weights { cost } } userErrors { code field message } }
}"""
NEW = {"slaQuality": 0.1, "lockIn": 0.1, "cost": 0.8}


def _one_version(rfp: dict[str, Any]) -> float:
    """Every total on the page is under the weights the RFP shows: returns the cost weight."""
    weights = rfp["weights"]
    cost_share = weights["cost"] / sum(weights.values())
    edges = rfp["rankedProposals"]["edges"]
    for edge in edges:
        shown = {c["criterion"]: c["weight"] for c in edge["score"]["components"]}
        assert shown["cost"] == pytest.approx(cost_share)
    totals = [edge["score"]["total"] for edge in edges]
    assert totals == sorted(totals, reverse=True)  # ranked by the totals it shows
    return float(cost_share)


async def test_readers_during_a_reweighting_see_one_version(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rfp_service, "REWEIGH_BATCH", 40)  # many batches, so readers land between them
    seeded = await seed_synthetic(api.market, proposals=400, seed=31)
    rfp_id, buyer = to_global_id("Rfp", seeded.rfp_ids[0]), seeded.buyer_api_key
    _, vendor = await register(api, "VENDOR", "Mid-job bidder")
    old_share = _one_version((await api.data(READ, {"id": rfp_id}, buyer))["rfp"])
    job = asyncio.create_task(api.data(UPDATE, {"input": {"rfpId": rfp_id, "weights": NEW}}, buyer))
    seen_progress, submitted = [], False
    while not job.done():
        rfp = (await api.data(READ, {"id": rfp_id}, buyer))["rfp"]
        share = _one_version(rfp)
        progress = rfp["weightsUpdate"]
        if progress is not None:
            assert share == pytest.approx(old_share)  # the switch has not happened yet
            assert progress["proposalsTotal"] == 400 and progress["weights"]["cost"] == 0.8
            seen_progress.append(progress["proposalsDone"])
            if not submitted:  # a write during the job keys its entry under both weights
                await submit(api, vendor, rfp_id, proposal_input("100.00"))
                submitted = True
    payload = (await job)["updateRfpWeights"]
    assert payload["userErrors"] == [] and payload["rfp"]["weights"]["cost"] == 0.8
    assert submitted and len(seen_progress) >= 2 and seen_progress == sorted(seen_progress)
    assert any(0 < done < 400 for done in seen_progress)
    after = (await api.data(READ, {"id": rfp_id}, buyer))["rfp"]
    assert _one_version(after) == pytest.approx(0.8) and after["weightsUpdate"] is None
    assert after["rankedProposals"]["totalCount"] == 401
    # The whole new ranking is ordered by the new totals, the mid-job bid included.
    entries = await api.store.rankings.find({}).sort("keyB", 1).to_list(None)
    assert len(entries) == 401 and all(entry.get("keyB") for entry in entries)


async def test_one_reweighting_at_a_time_and_a_stale_one_is_taken_over(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rfp_service, "REWEIGH_WAIT_SECONDS", 0.2)  # how long it waits for the other job
    seeded = await seed_synthetic(api.market, proposals=5, seed=32)
    rfp_oid = ObjectId(seeded.rfp_ids[0])
    rfp_id, buyer = to_global_id("Rfp", seeded.rfp_ids[0]), seeded.buyer_api_key
    now = api.market.now()
    marker = {"weights": NEW, "done": 2, "total": 5, "startedAt": now, "at": now}
    await api.store.rfps.update_one({"_id": rfp_oid}, {"$set": {"reweighing": marker}})
    refused = (await api.data(UPDATE, {"input": {"rfpId": rfp_id, "weights": NEW}}, buyer))[
        "updateRfpWeights"
    ]
    assert [(e["code"], e["field"]) for e in refused["userErrors"]] == [("CONFLICT", ["input", "weights"])]
    assert "2 of 5" in refused["userErrors"][0]["message"]
    # Vendors and strangers never see the job; the buyer does.
    _, vendor = await register(api, "VENDOR", "Curious vendor")
    assert (await api.data(READ, {"id": rfp_id}, vendor))["rfp"]["weightsUpdate"] is None
    assert (await api.data(READ, {"id": rfp_id}, buyer))["rfp"]["weightsUpdate"]["proposalsDone"] == 2
    # A job silent for longer than STALE_REWEIGHING (its instance stopped) is taken over.
    stale = now - rfp_service.STALE_REWEIGHING - timedelta(seconds=1)
    await api.store.rfps.update_one({"_id": rfp_oid}, {"$set": {"reweighing.at": stale}})
    taken = (await api.data(UPDATE, {"input": {"rfpId": rfp_id, "weights": NEW}}, buyer))["updateRfpWeights"]
    assert taken["userErrors"] == [] and taken["rfp"]["weights"]["cost"] == 0.8
    doc = await api.store.rfps.find_one({"_id": rfp_oid})
    assert doc is not None and "reweighing" not in doc and doc["rankField"] == "keyB"


async def test_a_reweighting_that_loses_its_rfp_midway_is_a_user_error(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The RFP closes (or another job takes over) between batches: the job stops with a typed error,
    the ranking keeps its weights, and no 500."""
    monkeypatch.setattr(rfp_service, "REWEIGH_BATCH", 2)
    seeded = await seed_synthetic(api.market, proposals=6, seed=33)
    rfp_oid = ObjectId(seeded.rfp_ids[0])
    rfp_id, buyer = to_global_id("Rfp", seeded.rfp_ids[0]), seeded.buyer_api_key
    real = rfp_service.RfpService._rekey_batch
    calls = 0

    async def interrupted(self: rfp_service.RfpService, *args: Any) -> ObjectId | None:
        nonlocal calls
        calls += 1
        if calls == 2:  # as if another instance took the job over
            await api.store.rfps.update_one({"_id": rfp_oid}, {"$set": {"reweighing.job": ObjectId()}})
        return await real(self, *args)

    monkeypatch.setattr(rfp_service.RfpService, "_rekey_batch", interrupted)
    before = (await api.data(READ, {"id": rfp_id}, buyer))["rfp"]
    payload = (await api.data(UPDATE, {"input": {"rfpId": rfp_id, "weights": NEW}}, buyer))[
        "updateRfpWeights"
    ]
    assert [e["code"] for e in payload["userErrors"]] == ["CONFLICT"]
    after = (await api.data(READ, {"id": rfp_id}, buyer))["rfp"]
    assert after["weights"] == before["weights"] and after["rankedProposals"] == before["rankedProposals"]


ANSWERED = """
mutation($input: UpdateRfpWeightsInput!) {
  updateRfpWeights(input: $input) {
    rfp { weights { cost } weightsUpdate { proposalsTotal weights { cost } } }
    userErrors { code }
  }
}"""


async def test_a_long_reweighting_answers_with_its_progress_then_completes(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A re-weighting that outlasts REWEIGH_ANSWER_SECONDS answers with the RFP still under its weights
    and `weightsUpdate` naming the new ones (no request deadline, no 504); the job completes alone."""
    monkeypatch.setattr(rfp_service, "REWEIGH_BATCH", 40)
    monkeypatch.setattr(rfp_service, "REWEIGH_ANSWER_SECONDS", 0.0)
    seeded = await seed_synthetic(api.market, proposals=400, seed=37)
    rfp_id, buyer = to_global_id("Rfp", seeded.rfp_ids[0]), seeded.buyer_api_key
    answer = (await api.data(ANSWERED, {"input": {"rfpId": rfp_id, "weights": NEW}}, buyer))[
        "updateRfpWeights"
    ]
    assert answer["userErrors"] == []
    assert answer["rfp"]["weights"]["cost"] != pytest.approx(0.8)
    assert answer["rfp"]["weightsUpdate"]["weights"]["cost"] == pytest.approx(0.8)
    assert answer["rfp"]["weightsUpdate"]["proposalsTotal"] == 400
    for _ in range(600):  # the job runs in the background: poll as a client would
        rfp = (await api.data(READ, {"id": rfp_id}, buyer))["rfp"]
        if rfp["weightsUpdate"] is None:
            break
        await asyncio.sleep(0.1)
    assert rfp["weightsUpdate"] is None and rfp["weights"]["cost"] == pytest.approx(0.8)
    assert _one_version(rfp) == pytest.approx(0.8)


async def test_waiting_for_another_job_counts_wall_time_not_pauses(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Beside a large job each attempt to mark the RFP takes a while; the wait for the other job is
    REWEIGH_WAIT_SECONDS of wall time, so a request gives up with CONFLICT long before its deadline
    (counting only the 50 ms pauses, an addendum beside a 20,000-proposal job waited 30 s: a 504)."""
    monkeypatch.setattr(rfp_service, "REWEIGH_WAIT_SECONDS", 0.3)
    seeded = await seed_synthetic(api.market, proposals=3, seed=34)
    rfp_oid = ObjectId(seeded.rfp_ids[0])
    now = api.market.now()
    marker = {"weights": NEW, "done": 1, "total": 3, "startedAt": now, "at": now}
    await api.store.rfps.update_one({"_id": rfp_oid}, {"$set": {"reweighing": marker}})
    ground, attempts = api.market.rfps.ground, []
    in_transaction = ground.in_transaction

    async def slow_attempt(work: Any) -> Any:  # each attempt as slow as beside a large job
        attempts.append(1)
        await asyncio.sleep(0.2)
        return await in_transaction(work)

    monkeypatch.setattr(ground, "in_transaction", slow_attempt)
    refused = (
        await api.data(
            UPDATE,
            {"input": {"rfpId": to_global_id("Rfp", seeded.rfp_ids[0]), "weights": NEW}},
            seeded.buyer_api_key,
        )
    )["updateRfpWeights"]
    assert [e["code"] for e in refused["userErrors"]] == ["CONFLICT"]
    assert len(attempts) <= 2  # 0.3 s of 0.25 s attempts; counting the pauses made it 6
