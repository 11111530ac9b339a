"""Recompute stored scores with the current scoring formulas (after a SCORING_VERSION change).

Resumable: only scores of another version are selected and every batch of proposals is written with
its ranking entries in one transaction, so an interrupted run leaves whole batches at the new version
and the next run continues with the rest (no proposal is rescored twice). A stored proposal the new
formulas refuse (say a per-unit price in another unit than the RFP's volume) leaves the ranking: its
score is cleared, its entry removed, and the vendor must revise it; it is counted and logged.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from bson import ObjectId
from pydantic import ValidationError
from pymongo import DeleteOne, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from rich.progress import Progress

import scoring
from api.settings import Settings
from api.store.database import Store, connect
from api.store.proposals import SCORE_FIELDS
from api.store.rankings import refresh_ranking_digest, scored_fields
from scoring.model import ProposalTerms, RfpContext

BATCH = 500
log = logging.getLogger("rfpmarket.rescore")


def outdated_query() -> dict[str, object]:
    """Stored scores of another scoring version (a refused proposal has no score and stays out), in
    either score slot (RfpRecord.score_slot: an RFP amended by a rescoring addendum reads "scoreB")."""
    return {
        "$or": [
            {field: {"$ne": None}, f"{field}.scoring_version": {"$ne": scoring.SCORING_VERSION}}
            for field in SCORE_FIELDS
        ]
    }


def outdated_probes() -> list[dict[str, object]]:
    """outdated_query as four flat single-range filters, each planned on its slot's version index
    (ensure_indexes) and examining only outdated documents: SecantusDB plans an `$or` as a whole
    scan. A string range matches strings only, so a cleared (null) score is never found."""
    version = scoring.SCORING_VERSION
    return [
        {f"{field}.scoring_version": {operator: version}}
        for field in SCORE_FIELDS
        for operator in ("$lt", "$gt")
    ]


async def any_outdated(store: Store) -> bool:
    """Whether some stored score is of another scoring version, at the cost of the outdated ones."""
    for probe in outdated_probes():
        if await store.proposals.find_one(probe, {"_id": 1}) is not None:
            return True
    return False


async def rescore_store(
    store: Store, everything: bool = False, show_progress: bool = True
) -> tuple[int, int]:
    """(rescored, total): outdated proposals, or all with `everything`, rescored in bulk batches."""
    query = {"$or": [{field: {"$ne": None}} for field in SCORE_FIELDS]} if everything else outdated_query()
    total = await store.proposals.count_documents({"score": {"$ne": None}})
    todo = await store.proposals.count_documents(query)
    # A re-weighting or an addendum's rescoring under way elsewhere would switch to keys and scores
    # this run does not write: it is stopped (its next batch finds no marker and its caller gets a
    # CONFLICT to try again; the addendum is not applied).
    await store.rfps.update_many({"reweighing": {"$ne": None}}, {"$unset": {"reweighing": ""}})
    contexts: dict[ObjectId, RfpContext] = {}
    fields: dict[ObjectId, tuple[str, int]] = {}  # each RFP's rank_field and score slot
    unreadable: set[ObjectId] = set()
    done = 0
    writes: list[UpdateOne] = []
    entries: list[UpdateOne | DeleteOne] = []
    with Progress(disable=not show_progress) as progress:
        task = progress.add_task("rescoring", total=todo)
        async for doc in store.proposals.find(query, projection={"rfpId": 1, "terms": 1, "submittedAt": 1}):
            if doc["rfpId"] in unreadable:
                continue
            context = contexts.get(doc["rfpId"])
            if context is None:
                projection = {"context": 1, "rankField": 1, "scoreSlot": 1}
                rfp = await store.rfps.find_one({"_id": doc["rfpId"]}, projection=projection)
                if rfp is None:
                    continue
                try:
                    context = contexts[doc["rfpId"]] = RfpContext.model_validate(rfp["context"])
                    fields[doc["rfpId"]] = (rfp.get("rankField", "key"), rfp.get("scoreSlot", 0))
                except ValidationError as invalid:  # an RFP the current rules reject: left as it is
                    log.warning(
                        "RFP %s cannot be rescored, its terms are invalid now: %s", doc["rfpId"], invalid
                    )
                    unreadable.add(doc["rfpId"])
                    continue
            try:
                score = scoring.score(ProposalTerms.model_validate(doc["terms"]), context)
            except (scoring.ScoringInputError, scoring.CurrencyMismatch, ValidationError) as refused:
                # e.g. money stored as "usd" by version 1, which version 2 no longer accepts
                log.warning("proposal %s leaves the ranking, the formulas refuse it: %s", doc["_id"], refused)
                cleared = dict.fromkeys(SCORE_FIELDS)
                writes.append(UpdateOne({"_id": doc["_id"]}, {"$set": cleared}))
                entries.append(DeleteOne({"_id": doc["_id"]}))
            else:
                # Both slots: the live one, and the other (no job runs now) so it is not outdated.
                stored = score.model_dump(mode="python")
                writes.append(UpdateOne({"_id": doc["_id"]}, {"$set": dict.fromkeys(SCORE_FIELDS, stored)}))
                field, slot = fields[doc["rfpId"]]
                at = doc["submittedAt"]
                ranked = scored_fields(
                    doc["rfpId"], doc["_id"], at, score, field, slot=slot, next_score=score
                )
                entries.append(UpdateOne({"_id": doc["_id"]}, {"$set": ranked}))
            if len(writes) >= BATCH:
                done += await _flush(store, writes, entries)
                progress.advance(task, len(writes))
                writes, entries = [], []
        if writes:
            done += await _flush(store, writes, entries)
            progress.advance(task, len(writes))
    # Costs may have moved: every touched RFP's median window is recomputed.
    for rfp_id in contexts:
        await refresh_ranking_digest(store, str(rfp_id), datetime.now(UTC))
    return done, total


async def _flush(store: Store, writes: list[UpdateOne], entries: list[UpdateOne | DeleteOne]) -> int:
    # Proposals and their ranking entries go together, batch by batch.
    async with store.client.start_session() as session:

        async def work(session: AsyncClientSession) -> None:
            await store.proposals.bulk_write(writes, ordered=False, session=session)
            await store.rankings.bulk_write(entries, ordered=False, session=session)

        await session.with_transaction(work)
    return len(writes)


async def rescore_all(settings: Settings, uri: str, everything: bool = False) -> tuple[int, int]:
    client = connect(uri)
    try:
        return await rescore_store(Store(client, settings.db), everything)
    finally:
        await client.close()


async def rescore_at_start_up(store: Store) -> int:
    """Before serving: bring scores of another version to the current one, so no ranking ever mixes
    versions; says which it did. Returns how many were rescored."""
    # Probes on the version indexes, not a count of outdated_query (a scan of every proposal):
    # a start-up with nothing to do reads no proposal at all.
    if not await any_outdated(store):
        log.info("every stored score is scoring version %s", scoring.SCORING_VERSION)
        return 0
    log.warning(
        "stored scores of another scoring version: rescoring them to %s before serving",
        scoring.SCORING_VERSION,
    )
    done, _ = await rescore_store(store, show_progress=False)
    log.warning("rescored %d proposals to scoring version %s", done, scoring.SCORING_VERSION)
    return done
