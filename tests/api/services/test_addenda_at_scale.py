"""amendRfp on RFPs with many proposals (issue 14): a rescoring addendum is a ranking job like
re-weighting. Batches score the live proposals under the addendum into the score slot and ranking key
field readers do not read; one small transaction switches context, addenda, key field and slot.
Readers mid-job see the old version whole; writes during the job land in both slots; a proposal the
addendum cannot score abandons it with a queryable outcome; one ranking job per RFP at a time."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest
from bson import ObjectId
from pymongo.errors import ExecutionTimeout

import scoring
from api.cli.synthetic import seed_synthetic
from api.services import addenda as addenda_service
from api.services import rfps as rfp_service
from api.store.proposals import CONFIRM_FIELDS, SCORE_FIELDS
from api.store.rankings import entry_key, live_entry
from schema.common import to_global_id
from scoring.model import ProposalScore, ProposalTerms, RfpContext, Weights
from tests.conftest import Api
from tests.helpers import open_rfp, proposal_input, proposal_mutation, register, submit

AMEND = """mutation($input: AmendRfpInput!) { amendRfp(input: $input) {
  rfp { addenda { number } weights { cost } weightsUpdate { proposalsDone proposalsTotal addendumNumber } }
  userErrors { field message code } } }"""
UPDATE = """
mutation($input: UpdateRfpWeightsInput!) {
  updateRfpWeights(input: $input) { rfp { weights { cost } } userErrors { code field message } }
}"""
READ = """query($id: ID!) { rfp(id: $id) {
  evaluationMonths weights { cost } addenda { number }
  weightsUpdate { proposalsDone proposalsTotal addendumNumber }
  rankedProposals(first: 30) { totalCount edges { rank node { id needsConfirmation }
    score { total normalizedMonthlyCost { amount } } } } } }"""
REVISE = """mutation($input: ReviseProposalInput!) { reviseProposal(input: $input) {
  proposal { id } userErrors { code field message } } }"""
NEW = {"slaQuality": 0.1, "lockIn": 0.1, "cost": 0.8}


async def _amend(api: Api, key: str, rfp_id: str, **changes: Any) -> dict[str, Any]:
    variables = {"input": {"rfpId": rfp_id, "summary": "Addendum", **changes}}
    payload: dict[str, Any] = (await api.data(AMEND, variables, key))["amendRfp"]
    return payload


async def _months(api: Api, rfp_oid: ObjectId) -> int:
    doc = await api.store.rfps.find_one({"_id": rfp_oid})
    assert doc is not None
    return int(doc["context"]["evaluation_months"])


async def _jobs_done(api: Api) -> None:
    """Waits for the ranking jobs of this instance (they outlive the mutation that started them)."""
    await asyncio.gather(*api.market.rfps.jobs)


async def _assert_switched_whole(api: Api, rfp_oid: ObjectId, confirm: bool) -> int:
    """After the switch: every live proposal's live-slot score is its score under the RFP's (amended)
    context, its entry's live slot and live key agree with it, and the cost figures count them all.
    Returns how many are live."""
    doc = await api.store.rfps.find_one({"_id": rfp_oid})
    assert doc is not None and "reweighing" not in doc
    slot, field = doc.get("scoreSlot", 0), doc.get("rankField", "key")
    context = RfpContext.model_validate(doc["context"])
    weights = Weights.model_validate(doc["context"]["weights"])
    entries = await api.store.rankings.find({"rfpId": rfp_oid}).to_list(None)
    proposals = {p["_id"]: p for p in await api.store.proposals.find({"rfpId": rfp_oid}).to_list(None)}
    costs = []
    for stored in entries:
        entry = live_entry(stored, slot)
        proposal = proposals[entry["_id"]]
        expected = scoring.score(ProposalTerms.model_validate(proposal["terms"]), context)
        live = ProposalScore.model_validate(proposal[SCORE_FIELDS[slot]])
        assert live.total == pytest.approx(expected.total)
        assert live.normalized_monthly_cost.amount == expected.normalized_monthly_cost.amount
        assert entry["cost"] == expected.normalized_monthly_cost.amount
        assert entry[field] == entry_key(rfp_oid, entry, weights)
        assert proposal.get(CONFIRM_FIELDS[slot], False) is confirm
        costs.append(entry["cost"])
    digest = doc["rankingDigest"]
    assert digest["count"] == len(entries)
    assert Decimal(str(digest["total"])) == sum(costs, Decimal(0))
    return len(entries)


class Gate:
    """Pauses the rescoring job after chosen batches, deterministically (no timing): the test reads
    and writes while the job waits, then lets it go on."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, after: set[int]) -> None:
        self.after, self.batches = after, 0
        self.paused, self.resume = asyncio.Event(), asyncio.Event()
        real = addenda_service.AddendumService._rescore_batch

        async def gated(service: addenda_service.AddendumService, *args: Any) -> ObjectId | None:
            last = await real(service, *args)
            self.batches += 1
            if last is not None and self.batches in self.after:
                self.paused.set()
                await self.resume.wait()
                self.resume.clear()
            return last

        monkeypatch.setattr(addenda_service.AddendumService, "_rescore_batch", gated)

    async def wait(self) -> None:
        await self.paused.wait()
        self.paused.clear()

    def go(self) -> None:
        self.resume.set()


async def test_a_rescoring_addendum_runs_in_batches_and_readers_see_one_version(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """1,200 proposals in batches of 400; readers between batches see the old RFP whole; a revision,
    a withdrawal and a submission during the job are scored under both versions; then one switch."""
    monkeypatch.setattr(addenda_service, "RESCORE_BATCH", 400)
    monkeypatch.setattr(rfp_service, "REWEIGH_ANSWER_SECONDS", 0.0)  # answer at once, job runs on
    seeded = await seed_synthetic(api.market, proposals=1200, seed=41)
    rfp_oid = ObjectId(seeded.rfp_ids[0])
    rfp_id, buyer = to_global_id("Rfp", seeded.rfp_ids[0]), seeded.buyer_api_key
    keys = {name: (await register(api, "VENDOR", name))[1] for name in ("Reviser", "Leaver", "Latecomer")}
    ids = {name: (await submit(api, keys[name], rfp_id))["proposal"]["id"] for name in ("Reviser", "Leaver")}
    before = (await api.data(READ, {"id": rfp_id}, buyer))["rfp"]
    gate = Gate(monkeypatch, after={1, 4})  # 1,202 entries: batches of 400, 400, 400 and 2
    months = await _months(api, rfp_oid)

    answer = await _amend(api, buyer, rfp_id, evaluationMonths=months % 120 + 1, weights=NEW)
    assert answer["userErrors"] == []
    # Answered with the RFP still at its old version and the job's progress.
    assert answer["rfp"]["addenda"] == [] and answer["rfp"]["weights"]["cost"] == before["weights"]["cost"]
    assert answer["rfp"]["weightsUpdate"]["addendumNumber"] == 1
    assert answer["rfp"]["weightsUpdate"]["proposalsTotal"] == 1202

    await gate.wait()  # one batch of 400 rescored into the pending slot
    during = (await api.data(READ, {"id": rfp_id}, buyer))["rfp"]
    assert during["weightsUpdate"] == {"proposalsDone": 400, "proposalsTotal": 1202, "addendumNumber": 1}
    assert {**during, "weightsUpdate": None} == before  # the old version, whole
    # Competitor vendors and anonymous callers never see the job.
    vendor_view = (await api.data(READ, {"id": rfp_id}, keys["Latecomer"]))["rfp"]
    assert vendor_view["weightsUpdate"] is None and vendor_view["addenda"] == []
    anonymous = await api(READ, {"id": rfp_id})
    assert (anonymous.get("data") or {}).get("rfp") is None
    gate.go()

    await gate.wait()  # every batch done, the switch not yet: writes now must reach both slots
    assert (await api.data(READ, {"id": rfp_id}, buyer))["rfp"]["addenda"] == []
    revised = await api.data(
        REVISE,
        {
            "input": {
                "proposalId": ids["Reviser"],
                "expectedVersion": 1,
                "proposal": proposal_input("9000.00"),
            }
        },
        keys["Reviser"],
    )
    assert revised["reviseProposal"]["userErrors"] == []
    withdrawn = await proposal_mutation(api, "withdrawProposal", ids["Leaver"], keys["Leaver"])
    assert withdrawn["userErrors"] == []
    late = await submit(api, keys["Latecomer"], rfp_id, proposal_input("9500.00"))
    assert late["userErrors"] == []
    gate.go()
    await _jobs_done(api)

    after = (await api.data(READ, {"id": rfp_id}, buyer))["rfp"]
    assert after["addenda"] == [{"number": 1}] and after["weightsUpdate"] is None
    assert after["evaluationMonths"] == months % 120 + 1 and after["weights"]["cost"] == pytest.approx(0.8)
    assert after["rankedProposals"]["totalCount"] == 1202
    assert [edge["rank"] for edge in after["rankedProposals"]["edges"]] == list(range(1, 31))
    # Every proposal (the mid-job revision and submission included) scored under the addendum and,
    # as it changed what is bought, flagged for its vendor's confirmation.
    assert await _assert_switched_whole(api, rfp_oid, confirm=True) == 1202
    assert await api.store.audit_events.count_documents({"action": "needsConfirmation"}) == 1202


async def test_submissions_racing_the_job_all_end_up_scored_under_the_addendum(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(addenda_service, "RESCORE_BATCH", 25)
    monkeypatch.setattr(rfp_service, "REWEIGH_ANSWER_SECONDS", 0.0)
    seeded = await seed_synthetic(api.market, proposals=150, seed=44)
    rfp_oid = ObjectId(seeded.rfp_ids[0])
    rfp_id, buyer = to_global_id("Rfp", seeded.rfp_ids[0]), seeded.buyer_api_key
    vendors = [(await register(api, "VENDOR", f"Racer {n}"))[1] for n in range(6)]
    budget = {"amount": "16000.00", "currencyCode": "USD"}
    answer = await _amend(api, buyer, rfp_id, monthlyBudget=budget)  # rescores, asks no confirmation
    assert answer["userErrors"] == [] and answer["rfp"]["weightsUpdate"] is not None
    fees = [f"{12000 + 250 * n}.00" for n in range(6)]
    made = await asyncio.gather(
        *(submit(api, key, rfp_id, proposal_input(fee)) for key, fee in zip(vendors, fees, strict=True))
    )
    assert [payload["userErrors"] for payload in made] == [[]] * 6
    await _jobs_done(api)
    assert await _assert_switched_whole(api, rfp_oid, confirm=False) == 156
    doc = await api.store.rfps.find_one({"_id": rfp_oid})
    assert doc is not None and doc["context"]["monthly_budget"]["amount"] == Decimal("16000.00")


async def test_a_proposal_the_addendum_cannot_score_abandons_it_midway(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The job scores before it switches: a per-ticket bid under an addendum that counts calls is
    found in the third batch; the job stops, the RFP and every live score stay at the old version,
    the buyer gets INVALID on `input`, and the audit trail says the addendum was abandoned."""
    monkeypatch.setattr(addenda_service, "RESCORE_BATCH", 2)
    _, buyer = await register(api, "BUYER", "Careless buyer")
    rfp_id = await open_rfp(api, buyer)
    for n in range(5):
        _, key = await register(api, "VENDOR", f"Flat {n}")
        assert (await submit(api, key, rfp_id, proposal_input(f"{13000 + n}.00")))["userErrors"] == []
    _, per_ticket = await register(api, "VENDOR", "Per ticket")
    pricing = {"perUnit": {"unitPrice": {"amount": "1.50", "currencyCode": "USD"}, "unitName": "tickets"}}
    assert (await submit(api, per_ticket, rfp_id, proposal_input(pricing=pricing)))["userErrors"] == []
    live = {"key": 1, "values": 1, "cost": 1, "total": 1, "eligible": 1, "meets": 1}
    rfp_oid = (await api.store.rankings.find_one({}))["rfpId"]  # type: ignore[index]
    before_rfp = await api.store.rfps.find_one({"_id": rfp_oid})
    before_entries = await api.store.rankings.find({}, live).sort("_id", 1).to_list(None)
    before_scores = await api.store.proposals.find({}, {"score": 1, "needsConfirmation": 1}).to_list(None)
    calls = {"unitName": "calls", "expected": 9000, "low": 7000, "high": 12000}

    payload = await _amend(api, buyer, rfp_id, volume=calls)
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [("INVALID", ["input"])]
    assert "cannot be scored" in payload["userErrors"][0]["message"]
    doc = await api.store.rfps.find_one({"_id": rfp_oid})
    assert doc is not None and before_rfp is not None
    assert doc["context"] == before_rfp["context"] and doc.get("addenda", []) == []
    assert "reweighing" not in doc and doc.get("scoreSlot", 0) == 0 and doc.get("rankField", "key") == "key"
    figures = ("count", "total", "next", "version")  # the fences refresh in the background
    assert {k: doc["rankingDigest"][k] for k in figures} == {
        k: before_rfp["rankingDigest"][k] for k in figures
    }
    # The live slot (key, criteria, cost) as before; only the unread slot holds the abandoned scores.
    assert await api.store.rankings.find({}, live).sort("_id", 1).to_list(None) == before_entries
    assert (
        await api.store.proposals.find({}, {"score": 1, "needsConfirmation": 1}).to_list(None)
        == before_scores
    )
    trail = (
        await api.data(
            "query($id: ID!) { rfp(id: $id) { auditTrail { action changedFields } } }", {"id": rfp_id}, buyer
        )
    )["rfp"]["auditTrail"]
    abandoned = [event for event in trail if event["action"] == "amendmentAbandoned"]
    assert len(abandoned) == 1 and "cannot be scored" in abandoned[0]["changedFields"][0]
    # The buyer can amend again (no job left behind), e.g. with a unit every bid can be scored in.
    assert (await _amend(api, buyer, rfp_id, evaluationMonths=24))["userErrors"] == []


async def test_one_ranking_job_per_rfp_and_a_silent_one_is_taken_over(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rfp_service, "REWEIGH_WAIT_SECONDS", 0.2)
    seeded = await seed_synthetic(api.market, proposals=5, seed=45)
    rfp_oid = ObjectId(seeded.rfp_ids[0])
    rfp_id, buyer = to_global_id("Rfp", seeded.rfp_ids[0]), seeded.buyer_api_key
    doc = await api.store.rfps.find_one({"_id": rfp_oid})
    assert doc is not None
    now = api.market.now()
    entry = {"number": 1, "summary": "x", "at": now, "changedFields": ["evaluationMonths"]}
    marker = {
        "weights": doc["context"]["weights"],
        "done": 2,
        "total": 5,
        "startedAt": now,
        "at": now,
        "job": ObjectId(),
        "context": doc["context"],
        "confirm": True,
        "addendum": entry,
        "stored": {},
    }
    await api.store.rfps.update_one({"_id": rfp_oid}, {"$set": {"reweighing": marker}})
    weights = (await api.data(UPDATE, {"input": {"rfpId": rfp_id, "weights": NEW}}, buyer))[
        "updateRfpWeights"
    ]
    assert [(e["code"], e["field"]) for e in weights["userErrors"]] == [("CONFLICT", ["input", "weights"])]
    assert "addendum's rescoring" in weights["userErrors"][0]["message"]
    months = await _months(api, rfp_oid)
    amended = await _amend(api, buyer, rfp_id, evaluationMonths=months % 120 + 1)
    assert [(e["code"], e["field"]) for e in amended["userErrors"]] == [("CONFLICT", ["input"])]
    assert "2 of 5" in amended["userErrors"][0]["message"]
    # The buyer sees the job; a vendor does not.
    _, vendor = await register(api, "VENDOR", "Curious vendor")
    assert (await api.data(READ, {"id": rfp_id}, vendor))["rfp"]["weightsUpdate"] is None
    progress = (await api.data(READ, {"id": rfp_id}, buyer))["rfp"]["weightsUpdate"]
    assert progress == {"proposalsDone": 2, "proposalsTotal": 5, "addendumNumber": 1}
    # Silent past STALE_REWEIGHING (its instance stopped): the next addendum takes over; the
    # abandoned one never switched in, so this one is number 1.
    stale = now - rfp_service.STALE_REWEIGHING - rfp_service.STALE_REWEIGHING
    await api.store.rfps.update_one({"_id": rfp_oid}, {"$set": {"reweighing.at": stale}})
    taken = await _amend(api, buyer, rfp_id, evaluationMonths=months % 120 + 1)
    assert taken["userErrors"] == [] and taken["rfp"]["addenda"] == [{"number": 1}]
    await _assert_switched_whole(api, rfp_oid, confirm=True)


async def test_a_database_refusal_is_a_user_error_and_nothing_switches(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The switch fails (the database refuses it): the buyer gets a typed CONFLICT naming the input
    (never a 500), and the RFP, its live scores and ranking are exactly as before."""
    seeded = await seed_synthetic(api.market, proposals=5, seed=42)
    rfp_oid = ObjectId(seeded.rfp_ids[0])
    rfp_id, buyer = to_global_id("Rfp", seeded.rfp_ids[0]), seeded.buyer_api_key
    before_rfp = await api.store.rfps.find_one({"_id": rfp_oid})
    live = {"key": 1, "values": 1, "cost": 1, "total": 1, "eligible": 1, "meets": 1}
    before_entries = await api.store.rankings.find({"rfpId": rfp_oid}, live).sort("_id", 1).to_list(None)
    before_scores = (
        await api.store.proposals.find({"rfpId": rfp_oid}, {"score": 1}).sort("_id", 1).to_list(None)
    )

    async def too_long(*args: Any) -> None:
        raise ExecutionTimeout("transaction exceeded its lifetime limit")

    monkeypatch.setattr(addenda_service, "recompute_cost_figures", too_long)
    months = await _months(api, rfp_oid)
    payload = await _amend(api, buyer, rfp_id, evaluationMonths=months % 120 + 1)
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [("CONFLICT", ["input"])]
    assert "nothing changed" in payload["userErrors"][0]["message"]
    assert await api.store.rfps.find_one({"_id": rfp_oid}) == before_rfp
    assert (
        await api.store.rankings.find({"rfpId": rfp_oid}, live).sort("_id", 1).to_list(None) == before_entries
    )
    assert (
        await api.store.proposals.find({"rfpId": rfp_oid}, {"score": 1}).sort("_id", 1).to_list(None)
        == before_scores
    )
    assert await api.store.audit_events.count_documents({"action": "amendmentAbandoned"}) == 1


async def test_an_addendum_during_a_reweighting_waits_for_it_and_both_apply(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One ranking job at a time: an addendum arriving during a (short) re-weighting waits for it,
    then rescores; once both end every entry's live key is its key under the new weights and the
    amended scores."""
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
    await _jobs_done(api)
    doc = await api.store.rfps.find_one({"_id": rfp_oid})
    assert doc is not None and doc["context"]["evaluation_months"] == months % 120 + 1
    assert Weights.model_validate(doc["context"]["weights"]).cost == pytest.approx(0.8)
    assert await _assert_switched_whole(api, rfp_oid, confirm=True) == 200


async def test_a_job_taken_over_midway_stops_and_the_rfp_keeps_its_version(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another instance takes the job over between batches: this job's next batch finds its marker
    gone and stops with a CONFLICT on `input`; nothing switched."""
    monkeypatch.setattr(addenda_service, "RESCORE_BATCH", 4)
    monkeypatch.setattr(rfp_service, "REWEIGH_ANSWER_SECONDS", 0.0)
    seeded = await seed_synthetic(api.market, proposals=12, seed=46)
    rfp_oid = ObjectId(seeded.rfp_ids[0])
    rfp_id, buyer = to_global_id("Rfp", seeded.rfp_ids[0]), seeded.buyer_api_key
    before = (await api.data(READ, {"id": rfp_id}, buyer))["rfp"]
    gate = Gate(monkeypatch, after={1})
    months = await _months(api, rfp_oid)
    assert (await _amend(api, buyer, rfp_id, evaluationMonths=months % 120 + 1))["userErrors"] == []
    (job,) = api.market.rfps.jobs
    await gate.wait()
    await api.store.rfps.update_one({"_id": rfp_oid}, {"$set": {"reweighing.job": ObjectId()}})
    gate.go()
    outcome = await job
    assert [(e.code.value, e.field) for e in outcome.errors] == [("CONFLICT", ("input",))]
    assert "interrupted" in outcome.errors[0].message
    after = (await api.data(READ, {"id": rfp_id}, buyer))["rfp"]
    assert {**after, "weightsUpdate": None} == {**before, "weightsUpdate": None}
    assert after["addenda"] == [] and after["evaluationMonths"] == months
