"""Start-up reads a bounded number of documents whatever the marketplace holds (issue 14: 377 s at
100k proposals). The one-off migrations run once and are recorded in `migrations`; outdated scores
are found by flat range probes on the version indexes, so only outdated proposals are examined."""

from __future__ import annotations

from typing import Any

from bson import ObjectId

import scoring
from api.cli.synthetic import seed_synthetic
from api.services.rescore import outdated_probes
from api.settings import Settings
from api.store.database import DIGEST_FIGURES, EMBEDDED_AUDIT, Store
from tests.api.services.plans import Reads
from tests.conftest import Api, MakeApp


async def _start_up_reads(make_app: MakeApp, settings: Settings) -> list[dict[str, Any]]:
    """The read commands a new instance's lifespan sends (the live feed's change streams aside)."""
    reads = Reads()
    app = make_app(settings, listeners=[reads])
    async with app.router.lifespan_context(app):
        pass
    return [
        command
        for command in reads.commands
        if not any("$changeStream" in stage for stage in command.get("pipeline", []))
    ]


async def _docs_examined(api: Api, commands: list[dict[str, Any]]) -> dict[str, int]:
    """Documents each read examined (by the server's explain executionStats), keyed by command."""
    db = api.store.db
    examined: dict[str, int] = {}
    for command in commands:
        if "aggregate" in command:
            command = command | {"cursor": {}}
        plan = await db.command(
            {"explain": command, "verbosity": "executionStats"}, codec_options=db.codec_options
        )
        assert "COLLSCAN" not in repr(plan), command  # no start-up read walks a collection
        stats = plan.get("executionStats", {})
        examined[repr(command)] = stats.get("totalDocsExamined", 0) + stats.get("totalKeysExamined", 0)
    return examined


async def test_start_up_examines_the_same_few_documents_however_many_proposals(
    api: Api, settings: Settings, make_app: MakeApp
) -> None:
    await seed_synthetic(api.market, proposals=5, rfps=1, seed=3)
    small = await _docs_examined(api, await _start_up_reads(make_app, settings))
    await seed_synthetic(api.market, proposals=150, rfps=6, seed=4)
    large = await _docs_examined(api, await _start_up_reads(make_app, settings))
    assert large == small  # the same commands, each examining what it did at 5 proposals
    assert sum(large.values()) <= 10, large
    markers = {doc["_id"] async for doc in api.store.migrations.find({})}
    assert {EMBEDDED_AUDIT, DIGEST_FIGURES} <= markers


async def test_an_outdated_score_is_found_examining_only_the_outdated(
    api: Api, settings: Settings, make_app: MakeApp
) -> None:
    """A previous engine's instance (rolling deploy) wrote one old-version score into slot B: the
    probes find it through the index without reading the other proposals, and it is rescored."""
    await seed_synthetic(api.market, proposals=60, rfps=2, seed=5)
    old = await api.store.proposals.find_one({})
    assert old is not None
    await api.store.proposals.update_one({"_id": old["_id"]}, {"$set": {"scoreB.scoring_version": "0-old"}})
    probes = [{"find": "proposals", "filter": probe, "limit": 1} for probe in outdated_probes()]
    examined = await _docs_examined(api, probes)
    assert sorted(examined.values()) == [0, 0, 0, 2], examined  # the outdated one: its key and doc
    commands = await _start_up_reads(make_app, settings)
    assert [c for c in commands if c.get("find") == "proposals"][:4] == probes[:4] or any(
        c.get("filter") == probes[2]["filter"] for c in commands
    ), commands
    stored = await api.store.proposals.find_one({"_id": old["_id"]})
    assert stored is not None and stored["scoreB"]["scoring_version"] == scoring.SCORING_VERSION
    assert await _docs_examined(api, probes) == dict.fromkeys(examined, 0)  # none left outdated


async def test_a_new_database_records_the_one_off_migrations_as_done(api: Api) -> None:
    """Nothing in a database the store creates predates them, so its first start walks nothing; a
    database that already held RFPs runs them (the audit one here, the digests' one at start-up)."""
    client = api.store.client
    fresh = Store(client, f"fresh_{ObjectId()}")
    await fresh.ensure_indexes()
    assert {doc["_id"] async for doc in fresh.migrations.find({})} == {EMBEDDED_AUDIT, DIGEST_FIGURES}
    older = Store(client, f"older_{ObjectId()}")
    await older.rfps.insert_one({"title": "written before the migrations"})
    await older.ensure_indexes()
    assert {doc["_id"] async for doc in older.migrations.find({})} == {EMBEDDED_AUDIT}
    for store in (fresh, older):
        await client.drop_database(store.db.name)
