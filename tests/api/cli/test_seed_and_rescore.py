"""`rfpmarket seed --demo` (idempotent, prints working keys) and `rfpmarket rescore`."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import scoring
from api.cli.seed import load_demo
from api.embedded import EmbeddedDatabase
from api.services.rescore import rescore_store
from api.settings import Settings
from tests.conftest import Api
from tests.helpers import open_rfp, register, submit

VIEWER = "{ viewer { organization { name kind } } }"


async def test_demo_load_is_idempotent_and_its_keys_work(api: Api) -> None:
    keys = await load_demo(api.market)
    counts = [await api.store.rfps.count_documents({}), await api.store.proposals.count_documents({})]
    assert counts[0] >= 4 and counts[1] >= 12
    again = await load_demo(api.market)
    assert [await api.store.rfps.count_documents({}), await api.store.proposals.count_documents({})] == counts
    assert await api.store.organizations.count_documents({}) == len([k for k in keys if k.member is None])
    for old in keys[:2]:
        replaced = await api(VIEWER, key=old.api_key)  # replaced by the new run's key: refused, not anonymous
        assert [error["extensions"]["code"] for error in replaced["errors"]] == ["UNAUTHENTICATED"]
    buyer = next(key for key in again if key.kind == "BUYER")
    assert (await api.data(VIEWER, key=buyer.api_key))["viewer"]["organization"]["name"] == buyer.organization
    ranked = await api.data(
        "{ rfps(first: 10) { edges { node { title rankedProposals { totalCount } } } } }", key=buyer.api_key
    )
    assert all(edge["node"]["rankedProposals"]["totalCount"] >= 3 for edge in ranked["rfps"]["edges"])


def test_seed_command_prints_the_demo_keys(database_server: EmbeddedDatabase, settings: Settings) -> None:
    env = {**os.environ, "MONGODB_URI": database_server.uri, "RFPMARKET_DB": settings.db}
    result = subprocess.run(
        [sys.executable, "-m", "api.cli", "seed", "--demo"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    kinds = {line.split()[0] for line in result.stdout.splitlines() if "rfpm_" in line}
    assert kinds == {"BUYER", "VENDOR"}


async def test_rescore_recomputes_outdated_scores(api: Api) -> None:
    _, buyer = await register(api, "BUYER")
    rfp_id = await open_rfp(api, buyer)
    for index in range(3):
        _, vendor = await register(api, "VENDOR", f"Vendor {index}")
        await submit(api, vendor, rfp_id)
    current = await api.store.proposals.find_one({})
    assert current is not None
    outdated = {"score.scoring_version": "0-old", "score.total": 1.0}
    await api.store.proposals.update_many({}, {"$set": outdated})
    await api.store.rankings.update_many({}, {"$set": {"total": 1.0, "cost": 0}})
    assert await rescore_store(api.store, show_progress=False) == (3, 3)
    async for doc in api.store.proposals.find({}):
        assert doc["score"]["scoring_version"] == scoring.SCORING_VERSION
        entry = await api.store.rankings.find_one({"_id": doc["_id"]})
        assert entry is not None
        assert doc["score"]["total"] == current["score"]["total"] == entry["total"]
        assert entry["cost"] == doc["score"]["normalized_monthly_cost"]["amount"]
    assert await rescore_store(api.store, show_progress=False) == (0, 3)


async def test_an_interrupted_rescore_continues_where_it_stopped(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    import api.services.rescore as rescore_module

    _, buyer = await register(api, "BUYER")
    rfp_id = await open_rfp(api, buyer)
    for index in range(3):
        _, vendor = await register(api, "VENDOR", f"Vendor {index}")
        await submit(api, vendor, rfp_id)
    await api.store.proposals.update_many({}, {"$set": {"score.scoring_version": "0-old"}})
    flushed: list[int] = []
    original = rescore_module._flush

    async def crash_after_one_batch(*args: object) -> int:
        if flushed:
            raise KeyboardInterrupt  # the operator's Ctrl-C, after one whole batch was written
        flushed.append(await original(*args))  # type: ignore[arg-type]
        return flushed[-1]

    monkeypatch.setattr(rescore_module, "BATCH", 1)
    monkeypatch.setattr(rescore_module, "_flush", crash_after_one_batch)
    with pytest.raises(KeyboardInterrupt):
        await rescore_store(api.store, show_progress=False)
    versions = [doc["score"]["scoring_version"] async for doc in api.store.proposals.find({})]
    assert sorted(versions) == sorted(["0-old", "0-old", scoring.SCORING_VERSION])
    monkeypatch.setattr(rescore_module, "_flush", original)
    # the re-run rescores only the two left, never the one already done
    assert await rescore_store(api.store, show_progress=False) == (2, 3)
    assert {doc["score"]["scoring_version"] async for doc in api.store.proposals.find({})} == {
        scoring.SCORING_VERSION
    }


async def test_a_stored_proposal_the_new_rules_refuse_leaves_the_ranking(api: Api) -> None:
    # Version 1 multiplied a price per minute by a volume in tickets; version 2 refuses it.
    _, buyer = await register(api, "BUYER")
    rfp_id = await open_rfp(api, buyer)
    for index in range(2):
        _, vendor = await register(api, "VENDOR", f"Vendor {index}")
        await submit(api, vendor, rfp_id)
    stored = await api.store.proposals.find_one({})
    assert stored is not None
    per_minute = {
        "model": "perUnit",
        "unitPrice": {"amount": "0.50", "currencyCode": "USD"},
        "unitName": "minutes",
    }
    await api.store.proposals.update_one(
        {"_id": stored["_id"]}, {"$set": {"terms.pricing": per_minute, "score.scoring_version": "0-old"}}
    )
    assert await rescore_store(api.store, show_progress=False) == (1, 2)
    refused = await api.store.proposals.find_one({"_id": stored["_id"]})
    assert refused is not None and refused["score"] is None
    assert await api.store.rankings.find_one({"_id": stored["_id"]}) is None
    assert await api.store.rankings.count_documents({}) == 1
    assert await rescore_store(api.store, show_progress=False) == (0, 1)


async def test_rescore_writes_the_live_slot_of_an_amended_rfp(api: Api) -> None:
    """After a rescoring addendum the RFP reads score slot 1 ("scoreB", the entries' "b"): an offline
    rescore brings that slot to the current version (and the other with it, so the next run finds
    nothing outdated), and the ranking reads the rescored scores."""
    _, buyer = await register(api, "BUYER")
    rfp_id = await open_rfp(api, buyer)
    for index in range(3):
        _, vendor = await register(api, "VENDOR", f"Vendor {index}")
        await submit(api, vendor, rfp_id)
    amend = """mutation($input: AmendRfpInput!) { amendRfp(input: $input) { userErrors { code } } }"""
    budget = {"amount": "16000.00", "currencyCode": "USD"}
    variables = {"input": {"rfpId": rfp_id, "summary": "Budget up", "monthlyBudget": budget}}
    assert (await api.data(amend, variables, buyer))["amendRfp"]["userErrors"] == []
    rfp = await api.store.rfps.find_one({})
    assert rfp is not None and rfp["scoreSlot"] == 1
    current = await api.store.proposals.find_one({})
    assert current is not None
    await api.store.proposals.update_many(
        {}, {"$set": {"scoreB.scoring_version": "0-old", "scoreB.total": 1.0}}
    )
    await api.store.rankings.update_many({}, {"$set": {"b.total": 1.0}})
    assert await rescore_store(api.store, show_progress=False) == (3, 3)
    async for doc in api.store.proposals.find({}):
        assert doc["scoreB"]["scoring_version"] == scoring.SCORING_VERSION == doc["score"]["scoring_version"]
        entry = await api.store.rankings.find_one({"_id": doc["_id"]})
        assert entry is not None
        assert doc["scoreB"]["total"] == current["scoreB"]["total"] == entry["b"]["total"]
    assert await rescore_store(api.store, show_progress=False) == (0, 3)
    ranked = (
        """query($id: ID!) { rfp(id: $id) { rankedProposals(first: 5) { edges { score { total } } } } }"""
    )
    edges = (await api.data(ranked, {"id": rfp_id}, buyer))["rfp"]["rankedProposals"]["edges"]
    assert [edge["score"]["total"] for edge in edges] == [current["scoreB"]["total"]] * 3
