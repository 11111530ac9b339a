"""The RFP's running cost figures (count, sum, next-price flags) that every write keeps in its own
transaction (api/store/rankings.apply_cost_changes) judge ABNORMALLY_LOW_PRICE exactly as the whole
list of costs does (scoring.abnormally_low), after any sequence of submissions, revisions and
withdrawals, duplicates and zero prices included."""

from __future__ import annotations

import random
from decimal import Decimal
from types import SimpleNamespace
from typing import cast

import pytest
from bson import ObjectId
from hypothesis import given, settings
from hypothesis import strategies as st
from pymongo.asynchronous.client_session import AsyncClientSession

import scoring
from api.services.ranked_reader import low_price_rule
from api.store import rankings
from api.store.rankings import apply_cost_changes, migrate_digests
from api.store.rfps import ranking_digest_of
from market.records import RfpRecord
from tests.conftest import Api

money = st.decimals(min_value=0, max_value=100000, places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(st.lists(money, min_size=1, max_size=12))
def test_the_sums_and_next_flags_judge_as_the_whole_list(costs: list[Decimal]) -> None:
    total, flagged = scoring.low_price_summary(costs)
    judged = {
        str(index): finding
        for index, cost in enumerate(costs)
        if (finding := scoring.low_price_from_sums(cost, len(costs), total, flagged.get(cost))) is not None
    }
    assert judged == scoring.abnormally_low({str(index): cost for index, cost in enumerate(costs)})


async def _change(api: Api, rfp_id: ObjectId, add: list[Decimal], remove: list[ObjectId]) -> None:
    store = api.store

    async def work(session: AsyncClientSession) -> None:
        removed = []
        for entry_id in remove:
            entry = await store.rankings.find_one_and_delete({"_id": entry_id}, session=session)
            assert entry is not None
            removed.append(entry["cost"])
        for cost in add:
            entry_id = ObjectId()
            entry = {"_id": entry_id, "rfpId": rfp_id, "key": f"{rfp_id}0{entry_id}", "cost": cost}
            await store.rankings.insert_one(entry, session=session)
        await store.rfps.update_one({"_id": rfp_id}, {"$inc": {"proposalWrites": 1}}, session=session)
        await apply_cost_changes(store, session, rfp_id, added=add, removed=removed)

    async with store.client.start_session() as session:
        await session.with_transaction(work)


# A digest from before the floor and ceiling (each read past a window asks whether the side goes
# on), and one with them (the span answers, and bounds every window search); the costs read in
# windows, and (a small RFP) read whole at once.
@pytest.mark.parametrize("span", [{}, {"floor": None, "ceiling": None}])
@pytest.mark.parametrize("whole_read_up_to", [0, rankings.WHOLE_READ_UP_TO])
async def test_running_figures_stay_exact_through_random_writes(
    api: Api, span: dict[str, None], whole_read_up_to: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rankings, "WHOLE_READ_UP_TO", whole_read_up_to)
    rng = random.Random(20261129)
    rfp_id = ObjectId()
    start: dict[str, object] = {"count": 0, "total": Decimal(0), "next": [], **span}
    await api.store.rfps.insert_one({"_id": rfp_id, "rankingDigest": start})
    # Few distinct prices, so duplicates, gaps above 1/0.7 and a zero price all turn up.
    prices = [Decimal(p) for p in ("0.00", "10.00", "13.99", "14.30", "20.00", "45.50", "100.00", "1000.00")]
    for _ in range(60):
        live = [doc["_id"] async for doc in api.store.rankings.find({"rfpId": rfp_id}, {"_id": 1})]
        step = rng.random()
        if step < 0.5 or not live:  # a submission
            await _change(api, rfp_id, [rng.choice(prices)], [])
        elif step < 0.8:  # a revision: one cost leaves, another arrives
            await _change(api, rfp_id, [rng.choice(prices)], [rng.choice(live)])
        else:  # a withdrawal
            await _change(api, rfp_id, [], [rng.choice(live)])
        entries = await api.store.rankings.find({"rfpId": rfp_id}).to_list(None)
        doc = await api.store.rfps.find_one({"_id": rfp_id})
        assert doc is not None
        digest = ranking_digest_of(doc["rankingDigest"])
        assert digest is not None and digest.count == len(entries)
        total, flagged = scoring.low_price_summary([entry["cost"] for entry in entries])
        assert digest.total == total and digest.next_prices() == flagged
        rule = low_price_rule(cast(RfpRecord, SimpleNamespace(ranking_digest=digest)))  # all it reads
        judged = {str(e["_id"]): f for e in entries if (f := rule(e["cost"])) is not None}
        assert judged == scoring.abnormally_low({str(e["_id"]): e["cost"] for e in entries})


async def test_digests_older_than_the_floor_and_ceiling_are_recomputed_at_start_up(api: Api) -> None:
    """A digest from before the floor and ceiling is recomputed once (exact figures, the span of the
    live costs); one that has them is left alone."""
    old, current = ObjectId(), ObjectId()
    costs = [Decimal("12.50"), Decimal("7.00"), Decimal("40.00")]
    await api.store.rfps.insert_many(
        [
            {"_id": old, "rankingDigest": {"count": 3, "total": Decimal("59.50"), "next": [], "version": 4}},
            {
                "_id": current,
                "rankingDigest": {
                    "count": 0,
                    "total": Decimal(0),
                    "next": [],
                    "floor": None,
                    "ceiling": None,
                },
            },
        ]
    )
    await api.store.rankings.insert_many(
        [{"_id": ObjectId(), "rfpId": old, "key": f"{old}0{i}", "cost": cost} for i, cost in enumerate(costs)]
    )
    assert await migrate_digests(api.store) == 1
    doc = await api.store.rfps.find_one({"_id": old})
    assert doc is not None
    digest = doc["rankingDigest"]
    assert (digest["floor"], digest["ceiling"], digest["count"]) == (Decimal("7.00"), Decimal("40.00"), 3)
    assert digest["version"] == 5 and digest["changes"] == []  # cached vectors of it are read again whole
    assert await migrate_digests(api.store) == 0
