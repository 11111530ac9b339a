"""Request and background reads that used a `hint` (issue 14): SecantusDB walks a hinted index whole,
so each grew with the marketplace. They send flat filters now, planned on the index that fits; the
explain executionStats of each command the scenario sent are the same after unrelated data grew."""

from __future__ import annotations

from typing import Any

from bson import ObjectId

from api.cli.synthetic import seed_synthetic
from api.embedded import EmbeddedDatabase
from api.services.ground import MarketGround
from api.services.live import LiveFeed, LiveLimits, own_live_proposal
from api.services.webhooks import WebhookDispatcher, WebhookSettings
from api.settings import Settings
from api.store.database import Store, connect
from api.store.document import Document
from api.store.webhooks import webhooks
from schema.common import local_id
from tests.api.services.plans import Reads
from tests.api.services.test_round_trips import WEIGHTS
from tests.conftest import Api
from tests.helpers import REVISE, open_rfp, proposal_input, proposal_mutation, register, submit

CREATE_WEBHOOK = """mutation($url: String!, $events: [String!]!) {
  createWebhook(input: {url: $url, events: $events}) { webhook { id } userErrors { code } } }"""
DELIVERY_LOG = "{ viewer { webhooks { id deliveries { id event status } } } }"
EXAMINED = ("totalDocsExamined", "totalKeysExamined", "docsExamined", "keysExamined")


def _counts(plan: Any) -> list[int]:
    """Every examined-count figure of an explain, depth first."""
    if isinstance(plan, dict):
        own = [plan[name] for name in EXAMINED if isinstance(plan.get(name), int)]
        return own + [n for key, value in plan.items() if key not in EXAMINED for n in _counts(value)]
    if isinstance(plan, list):
        return [n for value in plan for n in _counts(value)]
    return []


async def _examined(api: Api, commands: list[dict[str, Any]]) -> list[tuple[str, list[int]]]:
    db = api.store.db
    result = []
    for command in commands:
        assert "hint" not in command, command  # a hinted index is walked whole, whatever explain says
        if "aggregate" in command:
            command = command | {"cursor": {}}
        plan = await db.command(
            {"explain": command, "verbosity": "executionStats"}, codec_options=db.codec_options
        )
        assert "COLLSCAN" not in repr(plan), command
        result.append((repr(command), _counts(plan)))
    return result


async def _grow_unrelated(api: Api) -> None:
    """Other RFPs, vendors and proposals, their audit events, other organizations' webhooks (on
    other events: the subscribers of proposal.rescored are what its read is bounded by)."""
    await seed_synthetic(api.market, proposals=80, rfps=4, seed=21)
    now = api.market.now()
    await api.store.audit_events.insert_many(
        [{"subjectId": ObjectId(), "action": "revised", "at": now} for _ in range(150)]
    )
    await webhooks(api.store).insert_many(
        [
            {"organizationId": ObjectId(), "events": ["rfp.closed", "proposal.revised"], "url": "x"}
            for _ in range(60)
        ]
    )


async def test_a_revisions_rate_limit_reads_its_own_events_only(explained_api: Api, reads: Reads) -> None:
    api = explained_api
    _, buyer = await register(api, "BUYER", "Revised buyer")
    _, vendor = await register(api, "VENDOR", "Reviser")
    rfp_id = await open_rfp(api, buyer)
    proposal = (await submit(api, vendor, rfp_id))["proposal"]
    reads.commands.clear()
    revise = {"proposalId": proposal["id"], "expectedVersion": 1, "proposal": proposal_input("9100.00")}
    assert (await api.data(REVISE, {"input": revise}, vendor))["reviseProposal"]["userErrors"] == []
    events = [command for command in reads.commands if command.get("find") == "audit_events"]
    assert events, reads.commands  # the rate limit's read
    before = await _examined(api, events)
    await _grow_unrelated(api)
    assert await _examined(api, events) == before


async def test_a_proposals_revisions_are_still_limited(explained_api: Api) -> None:
    """The careless client revising in a loop: the count moved to Python still stops it."""
    api = explained_api
    _, buyer = await register(api, "BUYER", "Limited buyer")
    _, vendor = await register(api, "VENDOR", "Hasty vendor")
    rfp_id = await open_rfp(api, buyer)
    proposal = (await submit(api, vendor, rfp_id))["proposal"]
    api.market.proposals.revisions_per_hour = 2
    codes = []
    for version in (1, 2, 3):
        revise = {
            "proposalId": proposal["id"],
            "expectedVersion": version,
            "proposal": proposal_input(f"91{version}0.00"),
        }
        errors = (await api.data(REVISE, {"input": revise}, vendor))["reviseProposal"]["userErrors"]
        codes.append([error["code"] for error in errors])
    assert codes == [[], [], ["RATE_LIMITED"]]


async def _recipients(
    api: Api, database_server: EmbeddedDatabase, settings: Settings, reads: Reads, audit: list[Document]
) -> list[tuple[Document, str, dict[str, Any], int]]:
    """The webhook deliveries the dispatcher makes of these audit events, its reads kept in `reads`."""
    client = connect(database_server.uri, [reads])
    try:
        ground = MarketGround(Store(client, settings.db), api.market.now, api.market.digests)
        feed = LiveFeed(ground, LiveLimits())
        dispatcher = WebhookDispatcher(ground, feed, WebhookSettings(timeout_seconds=1.0))
        recipients = []
        for doc in audit:
            change = await feed._route(doc)
            if change is not None:
                recipients += await dispatcher._recipients(change)
                if change.rescores_proposals():
                    recipients += await dispatcher._rescored(change, part=len(change.rfp_kinds()))
    finally:
        await client.close()
    return recipients


async def test_live_and_webhook_reads_stay_bounded(
    explained_api: Api, reads: Reads, database_server: EmbeddedDatabase, settings: Settings
) -> None:
    """A subscriber's own proposal, the delivery log, and the dispatcher's recipients of a submission
    and of a re-weighting's proposal.rescored; a withdrawn rival gets no rescored event."""
    api = explained_api
    _, buyer = await register(api, "BUYER", "Hooked buyer")
    vendor_gid, vendor = await register(api, "VENDOR", "Hooked vendor")
    rival_gid, rival = await register(api, "VENDOR", "Withdrawn rival")
    rfp_id = await open_rfp(api, buyer, sealed=False)
    events = ["proposal.submitted", "proposal.rescored"]
    for key in (vendor, rival):
        made = await api.data(CREATE_WEBHOOK, {"url": "http://127.0.0.1:9/hook", "events": events}, key)
        assert made["createWebhook"]["userErrors"] == []
    proposal_id = local_id((await submit(api, vendor, rfp_id))["proposal"]["id"], "Proposal")
    rival_proposal = (await submit(api, rival, rfp_id))["proposal"]["id"]
    await proposal_mutation(api, "withdrawProposal", rival_proposal, rival)
    weights = {"rfpId": rfp_id, "weights": {"slaQuality": 2, "lockIn": 1, "cost": 1}}
    assert (await api.data(WEIGHTS, {"input": weights}, buyer))["updateRfpWeights"]["userErrors"] == []
    rfp_oid = ObjectId(local_id(rfp_id, "Rfp"))
    subjects = {"subjectId": {"$in": [ObjectId(proposal_id), rfp_oid]}}
    audit = await api.store.audit_events.find(subjects).to_list()
    reads.commands.clear()
    vendor_oid = ObjectId(local_id(vendor_gid, "Organization"))
    assert await own_live_proposal(api.market.ground, vendor_oid, rfp_oid) == ObjectId(proposal_id)
    rival_oid = ObjectId(local_id(rival_gid, "Organization"))
    assert await own_live_proposal(api.market.ground, rival_oid, rfp_oid) is None  # withdrawn
    await api.data(DELIVERY_LOG, key=vendor)
    recipients = await _recipients(api, database_server, settings, reads, audit)
    rescored = [hook["organizationId"] for hook, event, *_ in recipients if event == "proposal.rescored"]
    assert rescored and set(rescored) == {vendor_oid}  # the withdrawn rival's webhook is not sent it
    kept = [c for c in reads.commands if c.get("find") in {"proposals", "webhooks", "audit_events"}]
    assert {c["find"] for c in kept} == {"proposals", "webhooks"}, reads.commands
    before = await _examined(api, kept)
    await _grow_unrelated(api)
    assert await _examined(api, kept) == before


async def test_an_rfp_events_recipients_are_read_from_its_subscribers_not_its_bidders(
    explained_api: Api, reads: Reads, database_server: EmbeddedDatabase, settings: Settings
) -> None:
    """An addendum reaches the buyer and the bidders subscribed to rfp.amended, and no one else
    (not a subscribed vendor that did not bid, nor another buyer).
    The recipients are read from the subscribed webhooks, then their owners' proposals on the RFP:
    a `distinct` of every bidder's id walked all of an RFP's proposals (at 20,000 it held the
    embedded database for over 30 s, and a buyer's poll got a 504)."""
    api = explained_api
    buyer_gid, buyer = await register(api, "BUYER", "Amending buyer")
    rfp_id = await open_rfp(api, buyer, sealed=False)
    others = {
        name: await register(api, kind, name)
        for kind, name in (
            ("VENDOR", "Hooked bidder"),
            ("VENDOR", "Hooked onlooker"),
            ("BUYER", "Other buyer"),
        )
    }
    for _, key in [(buyer_gid, buyer), *others.values()]:
        made = await api.data(
            CREATE_WEBHOOK, {"url": "http://127.0.0.1:9/hook", "events": ["rfp.amended"]}, key
        )
        assert made["createWebhook"]["userErrors"] == []
    bidder_gid, bidder = others["Hooked bidder"]
    await submit(api, bidder, rfp_id)

    async def bid(count: int) -> None:  # bidders with no webhook
        for _ in range(count):
            _, key = await register(api, "VENDOR", f"Quiet bidder {ObjectId()}")
            await submit(api, key, rfp_id)

    await bid(3)
    rfp_oid = ObjectId(local_id(rfp_id, "Rfp"))
    amended = {"subjectId": rfp_oid, "action": "amended", "at": api.market.now(), "changedFields": ["scope"]}
    amended["_id"] = (await api.store.audit_events.insert_one(amended)).inserted_id
    reads.commands.clear()
    recipients = await _recipients(api, database_server, settings, reads, [amended])
    owners = {hook["organizationId"] for hook, event, *_ in recipients if event == "rfp.amended"}
    assert owners == {ObjectId(local_id(gid, "Organization")) for gid in (buyer_gid, bidder_gid)}
    kept = [c for c in reads.commands if (c.get("find") or c.get("distinct")) == "proposals"]
    assert kept and not any("distinct" in c for c in kept), kept
    before = await _examined(api, kept)
    await bid(5)  # more bidders on the same RFP: the recipients' reads do not grow with them
    assert await _examined(api, kept) == before


OWN = "{ viewer { proposals(first: 2%s) { totalCount edges { node { id status } } } } }"


async def test_a_vendors_first_page_of_own_proposals_reads_its_own_only(
    explained_api: Api, reads: Reads
) -> None:
    """viewer.proposals' first page and count, with and without a status filter: planned on the
    vendor's indexes (no hinted walk of every proposal); a rival's proposals are neither read nor
    listed."""
    api = explained_api
    _, buyer = await register(api, "BUYER", "Own list buyer")
    _, vendor = await register(api, "VENDOR", "Own list vendor")
    _, rival = await register(api, "VENDOR", "Own list rival")
    rfps = [await open_rfp(api, buyer) for _ in range(3)]
    mine = [(await submit(api, vendor, rfp_id))["proposal"]["id"] for rfp_id in rfps]
    await submit(api, rival, rfps[0])
    await proposal_mutation(api, "withdrawProposal", mine[0], vendor)
    for status in ("", ", filter: {status: [SUBMITTED]}"):
        reads.commands.clear()
        data = await api.data(OWN % status, key=vendor)
        listed = data["viewer"]["proposals"]
        assert listed["totalCount"] == (2 if status else 3)
        assert {edge["node"]["id"] for edge in listed["edges"]} <= set(mine)
        kept = [c for c in reads.commands if "proposals" in (c.get("find"), c.get("aggregate"))]
        assert len(kept) == 2, reads.commands  # the page and its count
        before = await _examined(api, kept)
        await _grow_unrelated(api)
        assert await _examined(api, kept) == before


ROTATE = """mutation($id: ID!) { rotateWebhookSecret(input: {webhookId: $id}) { userErrors { code } } }"""
DELETE = """mutation($id: ID!) { deleteWebhook(input: {webhookId: $id}) { userErrors { code } } }"""


async def test_webhook_changes_find_their_webhook_by_id_alone(explained_api: Api, reads: Reads) -> None:
    """Rotating and deleting a webhook (and replaying a delivery, in test_round_trips) read it by
    `_id` alone and compare its owner here: `_id` with the owner beside it was planned as a scan of
    every webhook (every delivery, for a replay). A competitor's attempt on the same id is refused."""
    api = explained_api
    _, vendor = await register(api, "VENDOR", "Hook owner")
    _, competitor = await register(api, "VENDOR", "Hook taker")
    made = await api.data(
        CREATE_WEBHOOK, {"url": "http://127.0.0.1:9/hook", "events": ["rfp.closed"]}, vendor
    )
    webhook_id = made["createWebhook"]["webhook"]["id"]
    for mutation, name in ((ROTATE, "rotateWebhookSecret"), (DELETE, "deleteWebhook")):
        taken = (await api.data(mutation, {"id": webhook_id}, competitor))[name]
        assert [error["code"] for error in taken["userErrors"]] == ["NOT_FOUND"]
        reads.commands.clear()
        assert (await api.data(mutation, {"id": webhook_id}, vendor))[name]["userErrors"] == []
        kept = [c for c in reads.commands if c.get("find") == "webhooks"]
        assert [set(c["filter"]) for c in kept] == [{"_id"}], kept
        before = await _examined(api, kept)
        await _grow_unrelated(api)
        assert await _examined(api, kept) == before
