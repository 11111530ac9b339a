"""Database round trips per request, counted with PyMongo's command monitoring (never timed)."""

from __future__ import annotations

import asyncio
import itertools
import random
from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from bson import ObjectId
from pymongo import monitoring

from api.cli.synthetic import seed_synthetic
from api.embedded import EmbeddedDatabase
from api.services.ground import MarketGround
from api.services.live import LiveFeed, LiveLimits, own_live_proposal
from api.services.ranked_reader import what_if_order
from api.services.webhooks import WebhookDispatcher, WebhookSettings
from api.services.what_if_cache import VECTOR_FIELDS, WhatIfCache
from api.settings import Settings
from api.store import rankings
from api.store.database import Store, connect
from api.store.rfps import rfp_record
from api.store.webhooks import load_resume_token
from market.live import RankingChangeRecord
from schema.common import local_id, to_global_id
from tests.api.services.plans import Reads
from tests.api.services.test_evaluation import CONSENSUS, team_tender
from tests.conftest import Api, Clock, ServeApp
from tests.helpers import REVISE, open_rfp, proposal_input, proposal_mutation, register, rfp_mutation, submit

RANKED = """
query($id: ID!, $first: Int!) {
  rfp(id: $id) {
    title
    rankedProposals(first: $first) {
      totalCount
      edges { rank node { id status vendor { name } rfp { title } } score { total findings { code } } }
    }
  }
}"""

DATA_COMMANDS = {"find", "aggregate", "count", "insert", "update", "delete", "findAndModify", "getMore"}


class Commands(monitoring.CommandListener):
    def __init__(self) -> None:
        self.names: list[str] = []
        self.filters: list[Any] = []  # beside each name: its filter, if any

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name in DATA_COMMANDS:
            self.names.append(f"{event.command_name}:{event.command.get(event.command_name)}")
            self.filters.append(event.command.get("filter"))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


@pytest.fixture
def commands() -> Commands:
    return Commands()


@pytest.fixture
async def counted_api(
    serve_app: ServeApp, settings: Settings, clock: Clock, commands: Commands
) -> AsyncIterator[Api]:
    async with serve_app(settings, clock=clock, listeners=[commands]) as served:
        yield served


@pytest.mark.parametrize("first", [10, 100])
async def test_a_ranked_page_costs_the_same_few_round_trips(
    counted_api: Api, commands: Commands, first: int
) -> None:
    seeded = await seed_synthetic(counted_api.market, proposals=120, seed=7)
    rfp_id = to_global_id("Rfp", seeded.rfp_ids[0])
    commands.names.clear()
    data = await counted_api.data(RANKED, {"id": rfp_id, "first": first}, seeded.buyer_api_key)
    ranked = data["rfp"]["rankedProposals"]
    assert len(ranked["edges"]) == first and ranked["totalCount"] == 120
    assert all(edge["node"]["vendor"]["name"] for edge in ranked["edges"])
    # The caller, the RFP, then the ranking itself: entries, proposals and vendors, one batch each.
    assert commands.names == [
        "find:organizations",
        "find:rfps",
        "find:rankings",
        "find:proposals",
        "find:organizations",
    ]


@pytest.mark.parametrize("per_rfp", [2, 10])
async def test_nested_lists_cost_the_same_whatever_their_length(
    counted_api: Api, commands: Commands, per_rfp: int
) -> None:
    seeded = await seed_synthetic(counted_api.market, proposals=3 * per_rfp, rfps=3, seed=3)
    commands.names.clear()
    query = """{ rfps(first: 3) { edges { node { buyer { name } proposals(first: 10) {
                 edges { node { vendor { name } rfp { title } score { total } } } } } } } }"""
    data = await counted_api.data(query, key=seeded.buyer_api_key)
    edges = data["rfps"]["edges"]
    assert [len(edge["node"]["proposals"]["edges"]) for edge in edges] == [per_rfp] * 3
    # No query per proposal: each RFP's page is one find, the vendors one `$in` per
    # page at most (pages finishing in the same tick share one), the buyers of the three RFPs one
    # `$in`, and Proposal.rfp comes from the primed loader. An N+1 would add 3 x per_rfp finds.
    names = commands.names
    # No counts: the query asks for no totalCount of the RFPs or of their proposals.
    assert names.count("find:proposals") == 3 and names.count("aggregate:proposals") == 0
    assert names.count("find:rfps") == 1 and names.count("aggregate:rfps") == 0
    assert 3 <= names.count("find:organizations") <= 5
    assert len(names) <= 9


async def test_proposal_counts_of_a_list_cost_one_query(counted_api: Api, commands: Commands) -> None:
    seeded = await seed_synthetic(counted_api.market, proposals=6, rfps=3, seed=5)
    _, vendor = await register(counted_api, "VENDOR", "Counter")
    rfp_ids = [to_global_id("Rfp", rfp_id) for rfp_id in seeded.rfp_ids]
    await submit(counted_api, vendor, rfp_ids[0])
    commands.names.clear()
    data = await counted_api.data("{ rfps(first: 10) { edges { node { id proposalCount } } } }", key=vendor)
    counts = {edge["node"]["id"]: edge["node"]["proposalCount"] for edge in data["rfps"]["edges"]}
    assert counts == {rfp_ids[0]: 1, rfp_ids[1]: 0, rfp_ids[2]: 0}  # its own bid only
    assert commands.names.count("find:rankings") == 1
    buyer_view = await counted_api.data(
        "{ rfps(first: 10) { edges { node { proposalCount } } } }", key=seeded.buyer_api_key
    )
    assert sorted(edge["node"]["proposalCount"] for edge in buyer_view["rfps"]["edges"]) == [2, 2, 3]


async def _collection_scans(api: Api, reads: Reads) -> list[str]:
    """The read commands whose plan, as the server explains it, scans a whole collection."""
    scans = []
    for command in reads.commands:
        if "aggregate" in command:
            command = command | {"cursor": {}}
        db = api.market.store.db  # its codecs: a filter may hold money (Decimal)
        plan = await db.command(
            {"explain": command, "verbosity": "queryPlanner"}, codec_options=db.codec_options
        )
        if "COLLSCAN" in repr(plan):
            scans.append(repr(command))
    return scans


VENDOR_READS = [
    ("{ rfps(first: 10) { edges { node { id title proposalCount } } } }", False),
    ("{ rfps(first: 10, status: OPEN) { edges { node { id } } } }", False),
    ("{ viewer { organization { name } } }", False),
    ("query($id: ID!) { node(id: $id) { id } }", True),
    ("query($id: ID!) { rfp(id: $id) { auditEvents(first: 5) { totalCount edges { node { at } } } } }", True),
    ("query($id: ID!) { rfp(id: $id) { auditEvents(last: 5) { edges { node { action } } } } }", True),
    ("query($id: ID!) { rfp(id: $id) { auditTrail { action } } }", True),
    ("query($id: ID!) { rfp(id: $id) { title proposalCount } }", True),
    ("query($id: ID!) { rfp(id: $id) { proposals(first: 5) { totalCount edges { node { id } } } } }", True),
    ("{ viewer { proposals(first: 5) { totalCount edges { node { id status } } } } }", False),
    ("{ viewer { proposals(last: 5, filter: {status: [SUBMITTED]}) { edges { node { id } } } } }", False),
]
# The market list in deadline order: windows of the deadline (paging.windowed_page), each flat.
MARKET_BY_DEADLINE = """{ rfps(first: 2, filter: {status: [OPEN], category: [CUSTOMER_SUPPORT]},
  orderBy: {field: SUBMISSION_DEADLINE, direction: ASC}) { totalCount edges { node { id } } } }"""
BUYER_READS = [
    *VENDOR_READS,
    ("{ rfps(first: 10, status: DRAFT) { edges { node { id } } } }", False),
    ("{ rfps(first: 10, status: CLOSED) { totalCount edges { node { id } } } }", False),
    (RANKED, True),
    (
        """query($id: ID!) { rfp(id: $id) { rankedProposals(first: 10,
             weights: {slaQuality: 0.6, lockIn: 0.2, cost: 0.2}) { rankStability edges { rank } } } }""",
        True,
    ),
    (
        "{ rfps(first: 10) { edges { node { buyer { name } proposals(first: 5) {"
        " edges { node { id } } } } } } }",
        False,
    ),
]


async def test_no_request_path_scans_a_collection(explained_api: Api, reads: Reads) -> None:
    """Every read of a vendor, a buyer and the market list is served by an index: a scan costs what
    the whole marketplace holds, not what the caller reads (the vendor's proposalCount was one)."""
    seeded = await seed_synthetic(explained_api.market, proposals=12, rfps=3, seed=11)
    _, vendor = await register(explained_api, "VENDOR", "Scanless")
    rfp_id = to_global_id("Rfp", seeded.rfp_ids[0])
    await submit(explained_api, vendor, rfp_id)
    market = [(MARKET_BY_DEADLINE, False)]
    by_category = [  # a buyer's own list narrowed to a category, with and without a status
        ("{ rfps(first: 5, filter: {category: [CUSTOMER_SUPPORT]}) { edges { node { id } } } }", False),
        (MARKET_BY_DEADLINE, False),
    ]
    for key, paths in ((vendor, VENDOR_READS + market), (seeded.buyer_api_key, BUYER_READS + by_category)):
        for query, takes_id in paths:
            reads.commands.clear()
            variables = {"id": rfp_id, "first": 10} if takes_id else None
            if takes_id and "$first" not in query:
                variables = {"id": rfp_id}
            await explained_api.data(query, variables, key)
            assert reads.commands, query  # the path reads something, so the check checks something
            assert await _collection_scans(explained_api, reads) == [], query
    # The next page of a list: the keys of the filter's matches, then the page's by `_id`.
    # In deadline order both ways, the cursor's deadline starts a window instead (windowed_page).
    orders = ("", *(f"orderBy: {{field: SUBMISSION_DEADLINE, direction: {way}}}" for way in ("ASC", "DESC")))
    for key, status, order in itertools.product((vendor, seeded.buyer_api_key), ("null", "OPEN"), orders):
        first_page = f"{{ rfps(first: 1, status: {status}, {order}) {{ pageInfo {{ endCursor }} }} }}"
        first = await explained_api.data(first_page, key=key)
        reads.commands.clear()
        query = f"""query($after: String!) {{ rfps(first: 1, after: $after, status: {status}, {order}) {{
                    edges {{ node {{ id }} }} }} }}"""
        page = await explained_api.data(query, {"after": first["rfps"]["pageInfo"]["endCursor"]}, key)
        assert len(page["rfps"]["edges"]) == 1
        assert await _collection_scans(explained_api, reads) == []
    # A vendor's next page of its own proposals: the cursor's bound joins the vendor's index range.
    await submit(explained_api, vendor, to_global_id("Rfp", seeded.rfp_ids[1]))
    first_own = await explained_api.data(
        "{ viewer { proposals(first: 1) { pageInfo { endCursor } } } }", key=vendor
    )
    reads.commands.clear()
    own = await explained_api.data(
        "query($after: String!) { viewer { proposals(first: 1, after: $after) { edges { node { id } } } } }",
        {"after": first_own["viewer"]["proposals"]["pageInfo"]["endCursor"]},
        vendor,
    )
    assert len(own["viewer"]["proposals"]["edges"]) == 1
    assert await _collection_scans(explained_api, reads) == []


async def test_a_vendors_writes_scan_no_collection(explained_api: Api, reads: Reads) -> None:
    """Submitting, revising and withdrawing read only through indexes too (a careless client's retry
    of a stale revision included)."""
    seeded = await seed_synthetic(explained_api.market, proposals=8, rfps=2, seed=13)
    _, vendor = await register(explained_api, "VENDOR", "Writer")
    rfp_id = to_global_id("Rfp", seeded.rfp_ids[0])
    reads.commands.clear()
    proposal_id = (await submit(explained_api, vendor, rfp_id))["proposal"]["id"]
    revise = {"proposalId": proposal_id, "expectedVersion": 1, "proposal": proposal_input("13000.00")}
    for expected in (1, 1):  # the second is stale: CONFLICT, still no scan
        revise["expectedVersion"] = expected
        await explained_api.data(REVISE, {"input": revise}, vendor)
    await proposal_mutation(explained_api, "withdrawProposal", proposal_id, vendor)
    assert reads.commands
    assert await _collection_scans(explained_api, reads) == []


WEIGHTS = """mutation($input: UpdateRfpWeightsInput!) {
  updateRfpWeights(input: $input) { userErrors { code } }
}"""
AWARD = """mutation($input: AwardProposalInput!) { awardProposal(input: $input) { userErrors { code } } }"""


async def test_a_buyers_writes_scan_no_collection(explained_api: Api, reads: Reads) -> None:
    """A buyer's lifecycle reads only through indexes, and so does a competitor buyer's attempt."""
    _, buyer = await register(explained_api, "BUYER", "Lifecycle")
    _, rival = await register(explained_api, "BUYER", "Rival")
    vendors = [(await register(explained_api, "VENDOR", f"Bidder {n}"))[1] for n in range(2)]
    reads.commands.clear()
    rfp_id = await open_rfp(explained_api, buyer)
    ids = [(await submit(explained_api, key, rfp_id))["proposal"]["id"] for key in vendors]
    weights = {"rfpId": rfp_id, "weights": {"slaQuality": 2, "lockIn": 1, "cost": 1}}
    await explained_api.data(WEIGHTS, {"input": weights}, rival)  # NOT_FOUND, still no scan
    await explained_api.data(WEIGHTS, {"input": weights}, buyer)
    await proposal_mutation(explained_api, "shortlistProposal", ids[0], buyer)
    await rfp_mutation(explained_api, "closeRfp", rfp_id, buyer)
    awarded = await explained_api.data(AWARD, {"input": {"proposalId": ids[0]}}, buyer)
    assert awarded["awardProposal"]["userErrors"] == []
    assert reads.commands
    assert await _collection_scans(explained_api, reads) == []


async def test_an_evaluation_team_scans_no_collection(explained_api: Api, reads: Reads, clock: Clock) -> None:
    """Members' keys, declarations, scores, their reads and consensus (issue 17) use indexes too."""
    team = await team_tender(explained_api)
    reads.commands.clear()
    await team.declare("eva", "acme")
    await team.score("eva", "acme", 4)
    await team.proposal("eva", "acme")
    await team.proposal("lead", "acme")
    clock.advance(days=15)
    await rfp_mutation(explained_api, "openConsensus", team.rfp_id, team.keys["lead"])
    agreed = {
        "proposalId": team.proposals["acme"],
        "criterionId": team.criteria[0],
        "score": 4,
        "reason": "Agreed.",
    }
    assert (await team.run(CONSENSUS, agreed, "lead"))["userErrors"] == []
    await explained_api.data(
        "{ viewer { member { name } organization { members { name } } } }", key=team.keys["eva"]
    )
    # A member's own key (members.keys.hash), listed, used, revoked; what-if qualitative weights.
    created = await explained_api.data(
        "mutation { createApiKey(input: {}) { apiKey key { id } } }", key=team.keys["eva"]
    )
    second = created["createApiKey"]["apiKey"]
    await explained_api.data("{ viewer { apiKeys { id } } }", key=second)
    revoke = "mutation($id: ID!) { revokeApiKey(input: {keyId: $id}) { userErrors { code } } }"
    await explained_api.data(revoke, {"id": created["createApiKey"]["key"]["id"]}, team.keys["buyer"])
    what_if = (
        "query($id: ID!, $q: [QualitativeWeightInput!]) { rfp(id: $id) { rankedProposals("
        "qualitativeWeights: $q) { rankStability edges { node { id } } } } }"
    )
    weights = [
        {"criterionId": team.criteria[0], "weight": 0.25},
        {"criterionId": team.criteria[1], "weight": 0.05},
    ]
    await explained_api.data(what_if, {"id": team.rfp_id, "q": weights}, team.keys["lead"])
    assert reads.commands
    assert await _collection_scans(explained_api, reads) == []


CREATE_WEBHOOK = """mutation($url: String!, $events: [String!]!) {
  createWebhook(input: {url: $url, events: $events}) { webhook { id } userErrors { code } } }"""
DELIVERY_LOG = "{ viewer { webhooks { id deliveries { id event status } } } }"
REPLAY = """mutation($id: ID!) { replayWebhookDelivery(input: {deliveryId: $id}) {
  delivery { id } userErrors { code } } }"""


async def test_live_updates_and_webhooks_scan_no_collection(
    explained_api: Api, reads: Reads, database_server: EmbeddedDatabase, settings: Settings
) -> None:
    """Issue 15's reads: the change stream's routing, the webhook recorder and sender (background,
    on their own client, whose reads are kept here too), a subscriber's ranking place, the delivery
    log and its replay."""
    api = explained_api
    _, buyer = await register(api, "BUYER", "Live buyer")
    vendor_gid, vendor = await register(api, "VENDOR", "Live vendor")
    rfp_id = await open_rfp(api, buyer, sealed=False)
    events = ["proposal.submitted", "proposal.rescored", "rfp.closed"]
    made = await api.data(CREATE_WEBHOOK, {"url": "http://127.0.0.1:9/hook", "events": events}, vendor)
    assert made["createWebhook"]["userErrors"] == []
    proposal_id = local_id((await submit(api, vendor, rfp_id))["proposal"]["id"], "Proposal")
    weights = {"rfpId": rfp_id, "weights": {"slaQuality": 2, "lockIn": 1, "cost": 1}}
    assert (await api.data(WEIGHTS, {"input": weights}, buyer))["updateRfpWeights"]["userErrors"] == []
    await rfp_mutation(api, "closeRfp", rfp_id, buyer)
    subjects = [ObjectId(proposal_id), ObjectId(local_id(rfp_id, "Rfp"))]
    audit = await api.market.store.audit_events.find({"subjectId": {"$in": subjects}}).to_list()
    reads.commands.clear()  # the set-up's own reads are not under test

    client = connect(database_server.uri, [reads])
    try:
        # An hour on: every delivery is due for this dispatcher, whatever the app's own sender did
        # with it meanwhile (its attempts fail, port 9, and are due again 10 s later on its clock).
        later = api.market.now() + timedelta(hours=1)
        ground = MarketGround(Store(client, settings.db), lambda: later, api.market.digests)
        feed = LiveFeed(ground, LiveLimits())
        dispatcher = WebhookDispatcher(ground, feed, WebhookSettings(timeout_seconds=1.0))
        assert await load_resume_token(ground.store) is not None  # the app's recorder stored it
        for doc in audit:
            change = await feed._route(doc)
            if change is not None:
                await dispatcher.record(change)
        async with httpx.AsyncClient(timeout=1.0) as http:
            # proposal.submitted, proposal.rescored (the re-weighting) and rfp.closed
            assert await dispatcher.send_due(http) >= 3
    finally:
        await client.close()
    rfp_doc = await api.market.store.rfps.find_one({"_id": subjects[1]})
    assert rfp_doc is not None
    rfp = rfp_record(rfp_doc, api.market.now())
    placed = await api.market.live._placed(
        RankingChangeRecord(rfp_id, 1, api.market.now()), ObjectId(proposal_id), rfp
    )
    assert placed.rank == 1
    # A myProposalEvents subscriber's read on a re-weighting: its own proposal on the RFP.
    vendor_oid = ObjectId(local_id(vendor_gid, "Organization"))
    own = await own_live_proposal(api.market.ground, vendor_oid, subjects[1])
    assert own == ObjectId(proposal_id)
    log = (await api.data(DELIVERY_LOG, key=vendor))["viewer"]["webhooks"][0]["deliveries"]
    assert sorted(delivery["event"] for delivery in log) == sorted(events)
    assert (await api.data(REPLAY, {"id": log[0]["id"]}, vendor))["replayWebhookDelivery"]["userErrors"] == []
    assert reads.commands, "the reads were kept"
    assert await _collection_scans(api, reads) == []


async def _write_commands(api: Api, commands: Commands, rfp_id: str) -> list[list[str]]:
    """The commands of a submission, a revision and a withdrawal by a new vendor, each alone."""
    _, vendor = await register(api, "VENDOR", f"Writer to {rfp_id}")
    measured = []
    commands.names.clear()
    proposal = (await submit(api, vendor, rfp_id, proposal_input("9000.00")))["proposal"]
    measured.append(list(commands.names))
    commands.names.clear()
    revise = {"proposalId": proposal["id"], "expectedVersion": 1, "proposal": proposal_input("9100.00")}
    assert (await api.data(REVISE, {"input": revise}, vendor))["reviseProposal"]["userErrors"] == []
    measured.append(list(commands.names))
    commands.names.clear()
    await proposal_mutation(api, "withdrawProposal", proposal["id"], vendor)
    measured.append(list(commands.names))
    return measured


async def test_a_write_costs_the_same_commands_whatever_the_rfps_size(
    counted_api: Api, commands: Commands
) -> None:
    """No write reads the whole ranking (issue 14): a submission, a revision and a withdrawal to an
    RFP of 1,200 proposals send exactly the commands they send to one of 100 (the low-price figures
    move by a few indexed reads in the write's transaction), and the next ranked page is the 5
    commands of a page at rest: it waits for no refresh."""
    from api.store.rankings import FENCE_SPACING

    small = await seed_synthetic(counted_api.market, proposals=100, seed=21)
    large = await seed_synthetic(counted_api.market, proposals=2 * FENCE_SPACING + 200, seed=22)
    small_writes = await _write_commands(counted_api, commands, to_global_id("Rfp", small.rfp_ids[0]))
    large_writes = await _write_commands(counted_api, commands, to_global_id("Rfp", large.rfp_ids[0]))
    # The same commands, but for the ranking reads around each changed cost: the next lower cost and
    # the next prices, each read in windows that widen fourfold from 1% of the cost (two small reads
    # a window), so their number follows the spacing of the prices near it, not the RFP's size.
    for small_names, large_names, changed in zip(small_writes, large_writes, (1, 2, 1), strict=True):
        assert _without_ranking_reads(large_names) == _without_ranking_reads(small_names)
        assert 1 <= large_names.count("find:rankings") <= 16 * changed, large_names
        assert 1 <= small_names.count("find:rankings") <= 16 * changed, small_names
    # In the transaction of a submission and of a revision, the RFP's digest comes with the write that
    # bumps the RFP (apply_cost_changes' `written`), not from another read of it.
    for names in small_writes[:2]:
        transaction = names[names.index("findAndModify:rfps") : names.index("update:rfps")]
        assert "find:rfps" not in transaction, " ".join(names)
    commands.names.clear()
    rfp_id = to_global_id("Rfp", large.rfp_ids[0])
    data = await counted_api.data(RANKED, {"id": rfp_id, "first": 100}, large.buyer_api_key)
    assert data["rfp"]["rankedProposals"]["totalCount"] == 2 * FENCE_SPACING + 200
    assert len(commands.names) == 5


async def test_a_write_to_a_small_rfp_reads_its_costs_once(counted_api: Api, commands: Commands) -> None:
    """On an RFP of at most WHOLE_READ_UP_TO live proposals, a submission, a revision and a withdrawal
    each read the RFP's costs in one command instead of windows around each changed cost (a round
    trip each: 7 of them for a submission to a 40-proposal RFP)."""
    seeded = await seed_synthetic(counted_api.market, proposals=rankings.WHOLE_READ_UP_TO - 2, seed=25)
    for names in await _write_commands(counted_api, commands, to_global_id("Rfp", seeded.rfp_ids[0])):
        transaction = names[names.index("findAndModify:rfps") : names.index("update:rfps")]
        assert transaction.count("find:rankings") == 1, transaction


async def test_a_writes_cost_reads_examine_a_few_entries_whatever_the_rfps_size(
    explained_api: Api, reads: Reads
) -> None:
    """SecantusDB examines every entry a range matches, even under a limit, so a write's reads of the
    costs around its own are bounded by their windows: at 6,000 entries (0.25 ms an examined entry
    on the benchmark machine) each window holds a few of them, as on a small RFP, and none of the
    reads asks whether a side goes on past its window (the digest's floor and ceiling answer)."""
    from api.store.rankings import refresh_ranking_digest

    _, buyer = await register(explained_api, "BUYER", "Crowded buyer")
    rfp_id = await open_rfp(explained_api, buyer)
    oid = ObjectId(local_id(rfp_id, "Rfp"))
    rng = random.Random(14)
    # Bare entries (only what the cost reads use), costs spread like bids around a budget.
    crowd = [
        {
            "_id": ObjectId(),
            "rfpId": oid,
            "key": f"{oid}1{i:08d}",
            "cost": Decimal(rng.randint(5_000_00, 15_000_00)) / 100,
        }
        for i in range(6000)
    ]
    await explained_api.store.rankings.insert_many(crowd)
    await refresh_ranking_digest(explained_api.store, str(oid), explained_api.market.now())
    _, vendor = await register(explained_api, "VENDOR", "Crowded writer")
    reads.commands.clear()
    proposal = await submit(explained_api, vendor, rfp_id, proposal_input("9000.00"))
    assert proposal["userErrors"] == []
    revise = {
        "proposalId": proposal["proposal"]["id"],
        "expectedVersion": 1,
        "proposal": proposal_input("9100.00"),
    }
    assert (await explained_api.data(REVISE, {"input": revise}, vendor))["reviseProposal"]["userErrors"] == []
    await proposal_mutation(explained_api, "withdrawProposal", proposal["proposal"]["id"], vendor)
    cost_reads = [command for command in reads.commands if command.get("find") == "rankings"]
    assert cost_reads
    db = explained_api.store.db
    for command in cost_reads:
        bounds = command["filter"]["cost"]
        assert set(bounds) in ({"$gte", "$lt"}, {"$lt", "$gte"}), command  # a window, never a whole side
        plan = await db.command(
            {"explain": command, "verbosity": "executionStats"}, codec_options=db.codec_options
        )
        examined = plan["executionStats"]["totalKeysExamined"]
        assert "IXSCAN" in repr(plan) and examined <= 24, (command, examined)


def _without_ranking_reads(names: list[str]) -> list[str]:
    return [name for name in names if name != "find:rankings"]


WHAT_IF = """query($id: ID!, $after: String) { rfp(id: $id) {
  rankedProposals(first: 10, after: $after, weights: {slaQuality: 0.2, lockIn: 0.2, cost: 0.6}) {
    totalCount rankStability pageInfo { endCursor } edges { rank node { id } } } } }"""


async def test_what_if_pages_share_one_vector_until_a_write(counted_api: Api, commands: Commands) -> None:
    """What-if weights and rankStability rank the RFP's compact vector of criteria, read once and
    shared by every request (issue 14): later pages and the stability figure read no ranking entry;
    after a write the next request reads the RFP's change log and the one changed entry by id (not
    the RFP's size), never serving a stale vector."""
    seeded = await seed_synthetic(counted_api.market, proposals=60, seed=23)
    rfp_id, buyer = to_global_id("Rfp", seeded.rfp_ids[0]), seeded.buyer_api_key
    cache = counted_api.market.ranking.what_if
    first = (await counted_api.data(WHAT_IF, {"id": rfp_id}, buyer))["rfp"]["rankedProposals"]
    assert cache.loads == 1 and first["totalCount"] == 60
    commands.names.clear()
    after = first["pageInfo"]["endCursor"]
    second = (await counted_api.data(WHAT_IF, {"id": rfp_id, "after": after}, buyer))["rfp"][
        "rankedProposals"
    ]
    assert [edge["rank"] for edge in second["edges"]] == list(range(11, 21))
    assert second["rankStability"] == first["rankStability"]
    assert "find:rankings" not in commands.names and cache.loads == 1
    _, vendor = await register(counted_api, "VENDOR", "Late bidder")
    late = (await submit(counted_api, vendor, rfp_id, proposal_input("100.00")))["proposal"]["id"]
    commands.names.clear()
    commands.filters.clear()
    fresh = (await counted_api.data(WHAT_IF, {"id": rfp_id}, buyer))["rfp"]["rankedProposals"]
    assert cache.loads == 1 and cache.patches == 1 and fresh["totalCount"] == 61
    # The change log, then the late entry by id: one ranking read, of one id.
    (entry_read,) = [name for name in commands.names if name == "find:rankings"]
    assert commands.filters[commands.names.index(entry_read)]["_id"] == {
        "$in": [ObjectId(local_id(late, "Proposal"))]
    }
    walked = [edge["node"]["id"] for edge in fresh["edges"]]
    cursor = fresh["pageInfo"]["endCursor"]
    while len(walked) < 61:
        page = (await counted_api.data(WHAT_IF, {"id": rfp_id, "after": cursor}, buyer))["rfp"][
            "rankedProposals"
        ]
        walked += [edge["node"]["id"] for edge in page["edges"]]
        cursor = page["pageInfo"]["endCursor"]
    assert late in walked and len(set(walked)) == 61 and cache.loads == 1
    # rankStability ranks the patched vector: the same figure as a cache that reads it all afresh.
    counted_api.market.ranking.what_if = WhatIfCache()
    again = (await counted_api.data(WHAT_IF, {"id": rfp_id}, buyer))["rfp"]["rankedProposals"]
    assert again["rankStability"] == fresh["rankStability"] and again["edges"] == fresh["edges"]


WRITERS = 6


async def test_concurrent_writes_and_what_if_reads_leave_the_vector_exact(counted_api: Api) -> None:
    """Submissions, revisions and withdrawals racing what-if reads on one RFP: every read's vector is
    whole (its count matches the proposals it ranks), and once the writes stop the cached vector
    (patched from the change log, never reread whole) equals one read afresh, entry for entry."""
    seeded = await seed_synthetic(counted_api.market, proposals=40, seed=24)
    rfp_id, buyer = to_global_id("Rfp", seeded.rfp_ids[0]), seeded.buyer_api_key
    ranking = counted_api.market.ranking
    await counted_api.data(WHAT_IF, {"id": rfp_id}, buyer)
    vendors = [(await register(counted_api, "VENDOR", f"Racer {i}"))[1] for i in range(WRITERS)]

    async def write(vendor: str, index: int) -> None:
        proposal = (await submit(counted_api, vendor, rfp_id, proposal_input(f"{9000 + index}.00")))[
            "proposal"
        ]
        revise = {
            "proposalId": proposal["id"],
            "expectedVersion": 1,
            "proposal": proposal_input(f"{5000 + index}.00"),
        }
        await counted_api.data(REVISE, {"input": revise}, vendor)
        if index % 2:
            await proposal_mutation(counted_api, "withdrawProposal", proposal["id"], vendor)

    async def read() -> None:
        for _ in range(4):
            page = (await counted_api.data(WHAT_IF, {"id": rfp_id}, buyer))["rfp"]["rankedProposals"]
            assert len(page["edges"]) == 10 and 40 <= page["totalCount"] <= 40 + WRITERS

    await asyncio.gather(*(write(vendor, i) for i, vendor in enumerate(vendors)), read(), read())
    final = (await counted_api.data(WHAT_IF, {"id": rfp_id}, buyer))["rfp"]["rankedProposals"]
    assert final["totalCount"] == 40 + WRITERS // 2
    oid = local_id(rfp_id, "Rfp")
    (cached,) = [vector for key, vector in ranking.what_if.vectors.items.items() if key[0] == oid]
    assert ranking.what_if.loads == 1 and ranking.what_if.patches >= 1
    fresh = await ranking.store.rankings.find({"rfpId": ObjectId(oid)}, VECTOR_FIELDS).to_list(None)
    assert sorted(cached.entries, key=lambda e: e["_id"]) == sorted(fresh, key=lambda e: e["_id"])
    for order in cached.orders.items.values():  # each patched order is the order of the fresh vector
        assert [e["_id"] for e in order.entries] == [e["_id"] for e in what_if_order(fresh, order.weights)]


PREVIEW = """query($rfpId: ID!, $proposal: ProposalInput!) {
  scorePreview(rfpId: $rfpId, proposal: $proposal) { total } }"""


# A write's cost reads: in windows around each changed cost, or (a small RFP) its costs read whole.
COST_READS = pytest.mark.parametrize("whole_read_up_to", [0, rankings.WHOLE_READ_UP_TO])


def _cost_reads_seen(explained: list[str], field: str, whole_read_up_to: int) -> bool:
    if whole_read_up_to:
        return any(f"'projection': {{'{field}': 1, '_id': 0}}" in c and "'rankings'" in c for c in explained)
    return any(f"'{field}': {{'$gte'" in c for c in explained)


@COST_READS
async def test_exports_previews_and_background_jobs_scan_no_collection(
    explained_api: Api, reads: Reads, monkeypatch: pytest.MonkeyPatch, whole_read_up_to: int
) -> None:
    """Beyond GraphQL reads: every export (stored and what-if, each format), scorePreview, and the
    jobs behind the requests (fence refreshes, the cost figures' recompute after an addendum or a
    bulk seed, re-weighting's batches) read through an index."""
    monkeypatch.setattr(rankings, "WHOLE_READ_UP_TO", whole_read_up_to)
    from api.store.rankings import refresh_ranking_digest

    seeded = await seed_synthetic(explained_api.market, proposals=30, seed=29)
    rfp_id, buyer = to_global_id("Rfp", seeded.rfp_ids[0]), seeded.buyer_api_key
    _, vendor = await register(explained_api, "VENDOR", "Previewer")
    reads.commands.clear()
    preview = await explained_api.data(PREVIEW, {"rfpId": rfp_id, "proposal": proposal_input()}, vendor)
    assert preview["scorePreview"]["total"] > 0
    headers = {"Authorization": f"Bearer {buyer}"}
    what_if = {"slaQuality": "0.2", "lockIn": "0.2", "cost": "0.6"}
    for name in ("ranking.csv", "ranking.json", "shortlist.xlsx", "ocds.json"):
        for params in ({}, what_if):
            if name == "ocds.json" and params:
                continue
            response = await explained_api.client.get(
                f"/exports/rfps/{rfp_id}/{name}", headers=headers, params=params
            )
            assert response.status_code == 200, (name, response.text)
    scans = await _collection_scans(explained_api, reads)
    assert scans == [], sorted({scan[:40] + scan[-120:] for scan in scans})
    reads.commands.clear()
    await submit(explained_api, vendor, rfp_id)  # its fences are due: a background refresh
    await explained_api.market.digests.close()
    await refresh_ranking_digest(explained_api.market.store, seeded.rfp_ids[0], explained_api.market.now())
    weights = {"rfpId": rfp_id, "weights": {"slaQuality": 0.5, "lockIn": 0.25, "cost": 0.25}}
    assert (await explained_api.data(WEIGHTS, {"input": weights}, buyer))["updateRfpWeights"][
        "userErrors"
    ] == []
    explained = [repr(command) for command in reads.commands]
    assert any("'sort': {'_id': 1}" in c and "'rankings'" in c for c in explained)  # re-weighting's batches
    assert _cost_reads_seen(explained, "cost", whole_read_up_to)  # the cost figures' reads
    assert await _collection_scans(explained_api, reads) == []


AMEND = """mutation($input: AmendRfpInput!) { amendRfp(input: $input) { userErrors { code } } }"""
PROPOSAL_READ = (
    """query($id: ID!) { node(id: $id) { ... on Proposal { needsConfirmation score { total } } } }"""
)


@COST_READS
async def test_an_addendums_rescoring_and_its_score_slot_scan_no_collection(
    explained_api: Api, reads: Reads, monkeypatch: pytest.MonkeyPatch, whole_read_up_to: int
) -> None:
    """A rescoring addendum's job (its batches through the rankings' by_rfp index, the proposals by
    id, the switch's cost figures of the new slot) and, once it switched to score slot 1, the writes'
    cost reads on `b.cost`, a ranked and a what-if page and an export read through an index."""
    from api.services import addenda as addenda_service

    monkeypatch.setattr(addenda_service, "RESCORE_BATCH", 10)  # 30 proposals: three batches
    monkeypatch.setattr(rankings, "WHOLE_READ_UP_TO", whole_read_up_to)
    seeded = await seed_synthetic(explained_api.market, proposals=30, seed=47)
    rfp_id, buyer = to_global_id("Rfp", seeded.rfp_ids[0]), seeded.buyer_api_key
    _, vendor = await register(explained_api, "VENDOR", "Slot B bidder")
    reads.commands.clear()
    budget = {"amount": "16000.00", "currencyCode": "USD"}
    amend = {"rfpId": rfp_id, "summary": "Budget up", "monthlyBudget": budget}
    assert (await explained_api.data(AMEND, {"input": amend}, buyer))["amendRfp"]["userErrors"] == []
    doc = await explained_api.store.rfps.find_one({"_id": ObjectId(seeded.rfp_ids[0])})
    assert doc is not None and doc["scoreSlot"] == 1 and "reweighing" not in doc
    proposal_id = (await submit(explained_api, vendor, rfp_id))["proposal"]["id"]
    revise = {"proposalId": proposal_id, "expectedVersion": 1, "proposal": proposal_input("13000.00")}
    assert (await explained_api.data(REVISE, {"input": revise}, vendor))["reviseProposal"]["userErrors"] == []
    read = await explained_api.data(PROPOSAL_READ, {"id": proposal_id}, vendor)
    assert read["node"]["score"]["total"] > 0 and read["node"]["needsConfirmation"] is False
    await proposal_mutation(explained_api, "withdrawProposal", proposal_id, vendor)
    for query, _ in BUYER_READS[-3:-1]:  # the ranked page and the what-if page
        variables = {"id": rfp_id, "first": 10} if "$first" in query else {"id": rfp_id}
        await explained_api.data(query, variables, buyer)
    headers = {"Authorization": f"Bearer {buyer}"}
    response = await explained_api.client.get(f"/exports/rfps/{rfp_id}/ranking.csv", headers=headers)
    assert response.status_code == 200, response.text
    explained = [repr(command) for command in reads.commands]
    assert any("'sort': {'_id': 1}" in c and "'rankings'" in c for c in explained)  # the job's batches
    assert _cost_reads_seen(explained, "b.cost", whole_read_up_to)  # the live slot's cost figures
    assert await _collection_scans(explained_api, reads) == []


class Conflicts(monitoring.CommandListener):
    """Counts the commands the server refused with a write conflict (a transaction then retries)."""

    def __init__(self) -> None:
        self.count = 0

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        pass

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        failure = event.failure if isinstance(event.failure, dict) else {}
        self.count += failure.get("code") == 112 or "WriteConflict" in repr(event.failure)


async def test_concurrent_submissions_to_one_rfp_take_turns_without_conflicts(
    serve_app: ServeApp, settings: Settings, clock: Clock
) -> None:
    """Eight vendors submitting to one RFP at once (issue 14: the slowest waited 11x a lone
    submission while the transactions conflicted on the RFP and retried with backoff): the
    instance queues its writes to an RFP, so all eight land, in turn, and none is refused with a
    write conflict by another (47 refused commands without the queue). The background fence
    refreshes the submissions schedule take the same turns for their write to the RFP (2 to 4
    refused commands while they did not)."""
    conflicts = Conflicts()
    async with serve_app(settings, clock=clock, listeners=[conflicts]) as api:
        _, buyer = await register(api, "BUYER", "Busy buyer")
        rfp_id = await open_rfp(api, buyer)
        vendors = [(await register(api, "VENDOR", f"Eager {i}"))[1] for i in range(8)]
        results = await asyncio.gather(
            *(submit(api, key, rfp_id, proposal_input(f"{9000 + i}.00")) for i, key in enumerate(vendors))
        )
        assert [result["userErrors"] for result in results] == [[]] * 8
        data = await api.data("query($id: ID!) { rfp(id: $id) { proposalCount } }", {"id": rfp_id}, buyer)
        assert data["rfp"]["proposalCount"] == 8
    assert conflicts.count == 0
