"""Races between state changes (issue 10, findings 3, 5 and 11): every precondition is re-checked
inside the transaction that writes, and a write that matches nothing aborts it with a user error.

Each race is driven two ways: pinned (the competing change commits right after the use case's own
checks, just before its transaction, which is the window the findings describe) and as concurrent
bursts repeated many times, checking invariants afterwards."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from bson import ObjectId

import scoring
from api.store.rankings import scored_fields
from schema.common import from_global_id, to_global_id
from scoring.model import ProposalScore, Weights
from tests.conftest import Api, Clock
from tests.helpers import (
    REVISE,
    codes,
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
WEIGHTS = """
mutation($rfp: ID!, $w: ScoringWeightsInput!) {
  updateRfpWeights(input: {rfpId: $rfp, weights: $w}) { rfp { id } userErrors { code } }
}"""


@contextmanager
def just_before_the_transaction(api: Api, competitor: Callable[[], Awaitable[Any]]) -> Iterator[None]:
    """Runs `competitor` once, after the next use case's checks and right before its transaction."""
    ground = api.market.ground  # every service's transactions go through it
    original = ground.in_transaction
    fired = False

    async def hooked(work: Any) -> Any:
        nonlocal fired
        if not fired:
            fired = True
            await competitor()
        return await original(work)

    ground.in_transaction = hooked  # type: ignore[method-assign]
    try:
        yield
    finally:
        del ground.in_transaction


def oid(global_id: str) -> ObjectId:
    parsed = from_global_id(global_id)
    assert parsed is not None
    return ObjectId(parsed[1])


async def award(api: Api, key: str, proposal_id: str) -> dict[str, Any]:
    payload: dict[str, Any] = (await api.data(AWARD, {"input": {"proposalId": proposal_id}}, key))[
        "awardProposal"
    ]
    return payload


async def revise(api: Api, key: str, proposal_id: str, version: int, fee: str = "13000.00") -> dict[str, Any]:
    variables = {
        "input": {"proposalId": proposal_id, "expectedVersion": version, "proposal": proposal_input(fee)}
    }
    payload: dict[str, Any] = (await api.data(REVISE, variables, key))["reviseProposal"]
    return payload


async def reweigh(api: Api, key: str, rfp_id: str, weights: dict[str, float]) -> dict[str, Any]:
    payload: dict[str, Any] = (await api.data(WEIGHTS, {"rfp": rfp_id, "w": weights}, key))[
        "updateRfpWeights"
    ]
    return payload


# ------------------------------------------------------------------------------- finding 3: award


async def test_a_proposal_withdrawn_just_before_the_award_is_not_awarded(api: Api) -> None:
    _, vendor = await register(api, "VENDOR")
    _, buyer = await register(api, "BUYER")
    rfp_id = await open_rfp(api, buyer)
    proposal_id = (await submit(api, vendor, rfp_id))["proposal"]["id"]
    await rfp_mutation(api, "closeRfp", rfp_id, buyer)

    async def withdraw() -> None:
        assert (await proposal_mutation(api, "withdrawProposal", proposal_id, vendor))["userErrors"] == []

    with just_before_the_transaction(api, withdraw):
        refused = await award(api, buyer, proposal_id)
    assert codes(refused) == ["INVALID_STATE"] and refused["rfp"] is None
    assert refused["userErrors"][0]["field"] == ["input", "proposalId"]
    proposal = await api.store.proposals.find_one({"_id": oid(proposal_id)})
    rfp = await api.store.rfps.find_one({"_id": oid(rfp_id)})
    assert proposal is not None and rfp is not None
    assert (proposal["status"], rfp["status"]) == ("WITHDRAWN", "CLOSED")  # the abort wrote nothing


async def test_award_racing_withdrawal_never_awards_a_withdrawn_proposal(api: Api) -> None:
    _, buyer = await register(api, "BUYER")
    vendors = [(await register(api, "VENDOR", f"Vendor {i}"))[1] for i in range(2)]
    outcomes = set()
    for _ in range(12):
        rfp_id = await open_rfp(api, buyer)
        winner = (await submit(api, vendors[0], rfp_id))["proposal"]["id"]
        await submit(api, vendors[1], rfp_id, proposal_input("13000.00"))
        await rfp_mutation(api, "closeRfp", rfp_id, buyer)
        awarded, withdrawn = await asyncio.gather(
            award(api, buyer, winner), proposal_mutation(api, "withdrawProposal", winner, vendors[0])
        )
        assert [awarded["userErrors"] == [], withdrawn["userErrors"] == []].count(True) == 1
        proposal = await api.store.proposals.find_one({"_id": oid(winner)})
        rfp = await api.store.rfps.find_one({"_id": oid(rfp_id)})
        entry = await api.store.rankings.find_one({"_id": oid(winner)})
        assert proposal is not None and rfp is not None
        if proposal["status"] == "AWARDED":
            assert rfp["status"] == "AWARDED" and entry is not None and entry["status"] == "AWARDED"
        else:
            assert proposal["status"] == "WITHDRAWN" and rfp["status"] == "CLOSED" and entry is None
        outcomes.add(proposal["status"])
    assert outcomes <= {"AWARDED", "WITHDRAWN"}


# ------------------------------------------------------------------------ finding 5: close, deadline


async def test_a_revision_checked_before_the_close_does_not_land_after_it(api: Api) -> None:
    _, vendor = await register(api, "VENDOR")
    _, buyer = await register(api, "BUYER")
    rfp_id = await open_rfp(api, buyer)
    proposal_id = (await submit(api, vendor, rfp_id))["proposal"]["id"]

    async def close() -> None:
        assert (await rfp_mutation(api, "closeRfp", rfp_id, buyer))["userErrors"] == []

    with just_before_the_transaction(api, close):
        refused = await revise(api, vendor, proposal_id, 1)
    assert codes(refused) == ["INVALID_STATE"]
    stored = await api.store.proposals.find_one({"_id": oid(proposal_id)})
    assert stored is not None and stored["version"] == 1


async def test_a_revision_or_submission_checked_before_the_deadline_does_not_land_after_it(
    api: Api, clock: Clock
) -> None:
    _, vendor = await register(api, "VENDOR")
    _, late = await register(api, "VENDOR", "Late")
    _, buyer = await register(api, "BUYER")
    rfp_id = await open_rfp(api, buyer)
    proposal_id = (await submit(api, vendor, rfp_id))["proposal"]["id"]

    async def deadline_passes() -> None:
        clock.advance(days=14)

    with just_before_the_transaction(api, deadline_passes):
        refused = await revise(api, vendor, proposal_id, 1)
    assert codes(refused) == ["DEADLINE_PASSED"]
    clock.advance(days=-14)
    with just_before_the_transaction(api, deadline_passes):
        assert codes(await submit(api, late, rfp_id)) == ["DEADLINE_PASSED"]
    assert await api.store.proposals.count_documents({}) == 1


async def test_revisions_racing_a_close_land_before_it_or_not_at_all(api: Api) -> None:
    _, buyer = await register(api, "BUYER")
    vendors = [(await register(api, "VENDOR", f"Vendor {i}"))[1] for i in range(4)]
    for _ in range(8):
        rfp_id = await open_rfp(api, buyer)
        ids = [(await submit(api, key, rfp_id))["proposal"]["id"] for key in vendors]
        revisions = [revise(api, key, pid, 1, "12500.00") for key, pid in zip(vendors, ids, strict=True)]
        *revised, closed = await asyncio.gather(*revisions, rfp_mutation(api, "closeRfp", rfp_id, buyer))
        assert closed["userErrors"] == []
        for payload in revised:
            assert payload["userErrors"] == [] or codes(payload) == ["INVALID_STATE"]
        # A revision that was acknowledged committed before the close: its version is stored.
        stored = {
            str(doc["_id"]): doc["version"] async for doc in api.store.proposals.find({"rfpId": oid(rfp_id)})
        }
        for pid, payload in zip(ids, revised, strict=True):
            assert stored[str(oid(pid))] == (2 if payload["userErrors"] == [] else 1)


# ------------------------------------------------------------------- finding 11: totals and weights


def weights_of(rfp_doc: dict[str, Any]) -> Weights:
    return Weights.model_validate(rfp_doc["context"]["weights"])


async def assert_totals_match_the_weights(api: Api, rfp_id: str) -> int:
    """Every total as read and every ranking key the RFP reads is what its current weights give."""
    rfp_doc = await api.store.rfps.find_one({"_id": oid(rfp_id)})
    assert rfp_doc is not None
    weights = weights_of(rfp_doc)
    field = rfp_doc.get("rankField", "key")  # re-weighting switches the field the ranking reads
    checked = 0
    async for doc in api.store.proposals.find({"rfpId": oid(rfp_id), "status": {"$ne": "WITHDRAWN"}}):
        stored = ProposalScore.model_validate(doc["score"])
        expected = scoring.reweigh(stored, weights)
        assert scoring.under_weights(stored, weights).total == pytest.approx(expected.total, abs=1e-9)
        entry = await api.store.rankings.find_one({"_id": doc["_id"]})
        assert entry is not None
        wanted = scored_fields(doc["rfpId"], doc["_id"], doc["submittedAt"], expected, field)
        assert entry[field] == wanted[field], doc["_id"]
        checked += 1
    return checked


async def test_a_submission_checked_before_a_reweighting_is_stored_under_the_new_weights(api: Api) -> None:
    _, vendor = await register(api, "VENDOR")
    _, buyer = await register(api, "BUYER")
    rfp_id = await open_rfp(api, buyer)

    async def new_weights() -> None:
        assert (await reweigh(api, buyer, rfp_id, {"slaQuality": 0.1, "lockIn": 0.1, "cost": 0.8}))[
            "userErrors"
        ] == []

    with just_before_the_transaction(api, new_weights):
        assert (await submit(api, vendor, rfp_id))["userErrors"] == []
    assert await assert_totals_match_the_weights(api, rfp_id) == 1
    proposal_id = str((await api.store.proposals.find_one({}) or {})["_id"])

    async def other_weights() -> None:
        assert (await reweigh(api, buyer, rfp_id, {"slaQuality": 0.8, "lockIn": 0.1, "cost": 0.1}))[
            "userErrors"
        ] == []

    with just_before_the_transaction(api, other_weights):
        assert (await revise(api, vendor, to_global_id("Proposal", proposal_id), 1))["userErrors"] == []
    assert await assert_totals_match_the_weights(api, rfp_id) == 1


async def test_bursts_of_writes_and_reweighting_leave_no_stale_total(api: Api) -> None:
    rng = random.Random(11)
    _, buyer = await register(api, "BUYER")
    vendors = [(await register(api, "VENDOR", f"Vendor {i}"))[1] for i in range(10)]
    rfp_id = await open_rfp(api, buyer)
    ids: dict[str, str] = {}
    for key in vendors[:6]:
        ids[key] = (await submit(api, key, rfp_id))["proposal"]["id"]
    versions = dict.fromkeys(ids, 1)
    for round_ in range(6):
        writes: list[Awaitable[dict[str, Any]]] = []
        for key, pid in ids.items():
            writes.append(revise(api, key, pid, versions[key], f"{rng.randint(9000, 16000)}.00"))
        if round_ == 0:
            writes += [submit(api, key, rfp_id, proposal_input("12000.00")) for key in vendors[6:]]
        weights = [
            {"slaQuality": rng.random() + 0.01, "lockIn": rng.random() + 0.01, "cost": rng.random() + 0.01}
            for _ in range(3)
        ]
        results = await asyncio.gather(*writes, *(reweigh(api, buyer, rfp_id, w) for w in weights))
        assert all(result["userErrors"] == [] for result in results), results
        for result in results[: len(ids)]:
            versions[next(k for k, v in ids.items() if v == result["proposal"]["id"])] += 1
        if round_ == 0:
            for key, result in zip(vendors[6:], results[len(ids) : len(ids) + 4], strict=True):
                ids[key] = result["proposal"]["id"]
                versions[key] = 1
        assert await assert_totals_match_the_weights(api, rfp_id) == len(ids)
