"""Issue 15, webhooks: a real receiver over HTTP verifies signatures, fails the first deliveries and
sees the retries; competitors, careless and anonymous callers are refused."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
import uvicorn
from bson import ObjectId
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.embedded import free_port
from api.services.ground import MarketGround
from api.services.webhooks import WebhookDispatcher, WebhookSettings
from api.settings import Settings
from api.store.webhooks import deliveries, new_delivery_document, webhooks
from schema.common import local_id
from tests.api.services.test_addenda import amend
from tests.api.services.test_clarifications import PUBLISH
from tests.api.services.test_members import member_key
from tests.conftest import Api, Clock, ServeApp
from tests.helpers import open_rfp, proposal_mutation, register, rfp_mutation, submit

CREATE = """
mutation($url: String!, $events: [String!]!) {
  createWebhook(input: {url: $url, events: $events}) {
    webhook { id url events } secret userErrors { field message code }
  }
}"""
ROTATE = """mutation($id: ID!) { rotateWebhookSecret(input: {webhookId: $id}) {
  webhook { id } secret userErrors { code } } }"""
DELETE = """mutation($id: ID!) { deleteWebhook(input: {webhookId: $id}) {
  webhook { id } userErrors { code field } } }"""
REPLAY = """mutation($id: ID!) { replayWebhookDelivery(input: {deliveryId: $id}) {
  delivery { id status } userErrors { code field } } }"""
LOG = """{ viewer { webhooks { id url deliveries { id event status attempts lastStatusCode } } } }"""


class Receiver:
    """An integration's endpoint: checks every signature, answers 500 to the first `failures`."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.secret = ""
        self.received: list[tuple[str, dict[str, Any], bool]] = []  # (delivery id, body, signature ok)

    async def hook(self, request: Request) -> Response:
        body = await request.body()
        timestamp = request.headers["x-rfpmarket-timestamp"]
        expected = hmac.new(self.secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
        ok = hmac.compare_digest(request.headers["x-rfpmarket-signature"], f"v1={expected}")
        self.received.append((request.headers["x-rfpmarket-delivery"], json.loads(body), ok))
        return Response(status_code=500 if len(self.received) <= self.failures else 200)


@contextlib.asynccontextmanager
async def receiving(receiver: Receiver) -> AsyncIterator[str]:
    port = free_port()
    app = Starlette(routes=[Route("/hook", receiver.hook, methods=["POST"])])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}/hook"
    finally:
        server.should_exit = True
        await task


async def eventually(condition: Callable[[], Awaitable[bool] | bool], what: str) -> None:
    for _ in range(300):
        result = condition()
        if await result if isinstance(result, Awaitable) else result:
            return
        await asyncio.sleep(0.05)
    pytest.fail(f"never happened: {what}")


@pytest.fixture
async def webhook_api(serve_app: ServeApp, settings: Settings, clock: Clock) -> AsyncIterator[Api]:
    quick = settings.model_copy(update={"webhook_poll_seconds": 0.05, "webhook_retry_base_seconds": 60})
    async with serve_app(quick, clock=clock) as served:
        yield served


async def test_deliveries_are_signed_retried_with_back_off_and_logged(webhook_api: Api, clock: Clock) -> None:
    api = webhook_api
    receiver = Receiver(failures=2)
    _, buyer = await register(api, "BUYER")
    _, vendor = await register(api, "VENDOR", "Vendor A")
    _, competitor = await register(api, "VENDOR", "Vendor B")
    async with receiving(receiver) as url:
        events = ["proposal.submitted", "rfp.closed"]
        created = (await api.data(CREATE, {"url": url, "events": events}, vendor))["createWebhook"]
        assert created["userErrors"] == [] and created["secret"].startswith("whsec_")
        receiver.secret = created["secret"]
        spy = (await api.data(CREATE, {"url": url, "events": events}, competitor))["createWebhook"]
        assert spy["userErrors"] == []
        rfp_id = await open_rfp(api, buyer)
        proposal = (await submit(api, vendor, rfp_id))["proposal"]

        async def attempts_stored(count: int) -> bool:
            # The receiver counts a request before the sender stores its failure and next due time:
            # the clock moves only once it has, or the next due time would count from the moved clock.
            hooks = (await api.data(LOG, key=vendor))["viewer"]["webhooks"]
            return any(d["attempts"] == count for hook in hooks for d in hook["deliveries"])

        await eventually(lambda: len(receiver.received) == 1, "the first attempt")
        await eventually(lambda: attempts_stored(1), "the first failure stored")
        clock.advance(seconds=59)  # the first retry is due 60 s after the failure, not before
        await asyncio.sleep(0.5)
        assert len(receiver.received) == 1
        clock.advance(seconds=2)
        await eventually(lambda: len(receiver.received) == 2, "the first retry")
        await eventually(lambda: attempts_stored(2), "the second failure stored")
        clock.advance(seconds=121)  # then twice the delay
        await eventually(lambda: len(receiver.received) == 3, "the second retry")

        ids = {delivery_id for delivery_id, _, _ in receiver.received}
        assert len(ids) == 1 and all(ok for _, _, ok in receiver.received)  # one delivery, signed
        body = receiver.received[0][1]
        assert body["event"] == "proposal.submitted" and body["id"] in ids
        assert body["data"] == {"proposalId": proposal["id"], "rfpId": rfp_id, "kind": "SUBMITTED"}
        webhooks = (await api.data(LOG, key=vendor))["viewer"]["webhooks"]
        log = webhooks[0]["deliveries"]
        assert [(d["event"], d["status"], d["attempts"], d["lastStatusCode"]) for d in log] == [
            ("proposal.submitted", "DELIVERED", 3, 200)
        ]

        # The RFP's closing reaches the bidder; the competitor, who did not bid, hears of nothing.
        assert (await rfp_mutation(api, "closeRfp", rfp_id, buyer))["userErrors"] == []
        await eventually(lambda: len(receiver.received) == 4, "rfp.closed")
        assert receiver.received[3][1]["event"] == "rfp.closed" and receiver.received[3][2]
        spied = (await api.data(LOG, key=competitor))["viewer"]["webhooks"][0]["deliveries"]
        assert spied == []

        # Replay: the same delivery id again; a competitor cannot replay it.
        refused = (await api.data(REPLAY, {"id": log[0]["id"]}, competitor))["replayWebhookDelivery"]
        assert [e["code"] for e in refused["userErrors"]] == ["NOT_FOUND"]
        replayed = (await api.data(REPLAY, {"id": log[0]["id"]}, vendor))["replayWebhookDelivery"]
        assert replayed["userErrors"] == []
        await eventually(lambda: len(receiver.received) == 5, "the replay")
        assert receiver.received[4][0] == log[0]["id"] and receiver.received[4][2]


async def test_a_rotated_secret_signs_the_next_deliveries(webhook_api: Api) -> None:
    api = webhook_api
    receiver = Receiver(failures=0)
    _, buyer = await register(api, "BUYER")
    _, vendor = await register(api, "VENDOR")
    async with receiving(receiver) as url:
        created = (await api.data(CREATE, {"url": url, "events": ["rfp.closed"]}, vendor))["createWebhook"]
        rotated = (await api.data(ROTATE, {"id": created["webhook"]["id"]}, vendor))["rotateWebhookSecret"]
        assert rotated["userErrors"] == [] and rotated["secret"] != created["secret"]
        receiver.secret = rotated["secret"]
        rfp_id = await open_rfp(api, buyer)
        await submit(api, vendor, rfp_id)
        await rfp_mutation(api, "closeRfp", rfp_id, buyer)
        await eventually(lambda: len(receiver.received) == 1, "rfp.closed")
        assert receiver.received[0][2]  # signed with the new secret


async def test_careless_hostile_and_anonymous_callers(webhook_api: Api) -> None:
    api = webhook_api
    _, vendor = await register(api, "VENDOR", "Vendor A")
    _, competitor = await register(api, "VENDOR", "Vendor B")
    url = "http://127.0.0.1:9/hook"
    anonymous = (await api.data(CREATE, {"url": url, "events": ["rfp.closed"]}))["createWebhook"]
    assert [e["code"] for e in anonymous["userErrors"]] == ["FORBIDDEN"]
    careless = await api.data(CREATE, {"url": url, "events": ["rfp.closed", "rfp.everything"]}, vendor)
    assert [e["field"] for e in careless["createWebhook"]["userErrors"]] == [["input", "events", "1"]]
    for bad in ("ftp://example.com/x", "not a url", "https://user:pw@example.com/x"):
        refused = (await api.data(CREATE, {"url": bad, "events": ["rfp.closed"]}, vendor))["createWebhook"]
        assert [e["field"] for e in refused["userErrors"]] == [["input", "url"]], bad
    mine = (await api.data(CREATE, {"url": url, "events": ["rfp.closed"]}, vendor))["createWebhook"][
        "webhook"
    ]
    for mutation, name in ((ROTATE, "rotateWebhookSecret"), (DELETE, "deleteWebhook")):
        taken = (await api.data(mutation, {"id": mine["id"]}, competitor))[name]
        assert [e["code"] for e in taken["userErrors"]] == ["NOT_FOUND"]
    assert (await api.data(LOG, key=competitor))["viewer"]["webhooks"] == []
    deleted = (await api.data(DELETE, {"id": mine["id"]}, vendor))["deleteWebhook"]
    assert deleted["userErrors"] == []
    assert (await api.data(LOG, key=vendor))["viewer"]["webhooks"] == []


@pytest.mark.parametrize(
    ("kind", "role"), [("BUYER", "EVALUATOR"), ("BUYER", "OBSERVER"), ("VENDOR", "BID_MANAGER")]
)
async def test_only_the_owner_manages_or_reads_webhooks(webhook_api: Api, kind: str, role: str) -> None:
    """A webhook receives everything the organization may read, signed: an evaluator (who reads no
    proposal) or an observer registering one would read past their role, so like API keys they are
    the OWNER's (organization-level keys act as OWNER)."""
    api = webhook_api
    _, owner = await register(api, kind, f"Team {kind} {role}")
    _, member = await member_key(api, owner, role, "Mo Member")
    url = "http://127.0.0.1:9/hook"
    refused = (await api.data(CREATE, {"url": url, "events": ["rfp.closed"]}, member))["createWebhook"]
    assert ([e["code"] for e in refused["userErrors"]], refused["webhook"]) == (["FORBIDDEN"], None)
    mine = (await api.data(CREATE, {"url": url, "events": ["rfp.closed"]}, owner))["createWebhook"]["webhook"]
    for mutation, name in ((ROTATE, "rotateWebhookSecret"), (DELETE, "deleteWebhook")):
        taken = (await api.data(mutation, {"id": mine["id"]}, member))[name]
        assert [e["code"] for e in taken["userErrors"]] == ["FORBIDDEN"]
    assert (await api.data(LOG, key=member))["viewer"]["webhooks"] == []
    assert [hook["id"] for hook in (await api.data(LOG, key=owner))["viewer"]["webhooks"]] == [mine["id"]]


async def test_clarifications_addenda_and_confirmations_are_delivered_to_bidders_only(
    webhook_api: Api,
) -> None:
    api = webhook_api
    receiver = Receiver(failures=0)
    _, buyer = await register(api, "BUYER")
    _, vendor = await register(api, "VENDOR", "Vendor A")
    _, bystander = await register(api, "VENDOR", "Vendor B")  # did not bid: hears of nothing
    events = [
        "rfp.clarification_published", "rfp.amended", "rfp.deadline_changed", "proposal.needs_confirmation",
    ]  # fmt: skip
    async with receiving(receiver) as url:
        created = (await api.data(CREATE, {"url": url, "events": events}, vendor))["createWebhook"]
        assert created["userErrors"] == []
        receiver.secret = created["secret"]
        assert (await api.data(CREATE, {"url": url, "events": events}, bystander))["createWebhook"]["webhook"]
        rfp_id = await open_rfp(api, buyer, sealed=True)
        proposal = (await submit(api, vendor, rfp_id))["proposal"]
        published = {"input": {"rfpId": rfp_id, "question": "Languages?", "answer": "English only."}}
        assert (await api.data(PUBLISH, published, buyer))["publishClarification"]["userErrors"] == []
        volume = {"unitName": "tickets", "expected": 12000, "low": 9000, "high": 15000}
        later = (api.market.now() + timedelta(days=20)).isoformat()
        assert (await amend(api, buyer, rfp_id, volume=volume, submissionDeadline=later))["userErrors"] == []
        await eventually(lambda: len(receiver.received) == 4, "four deliveries")
        await asyncio.sleep(0.5)  # and no more
        assert len(receiver.received) == 4 and all(ok for _, _, ok in receiver.received)
        bodies = {body["event"]: body["data"] for _, body, _ in receiver.received}
        assert bodies == {
            "rfp.clarification_published": {"rfpId": rfp_id, "kind": "CLARIFICATION_PUBLISHED"},
            "rfp.amended": {"rfpId": rfp_id, "kind": "AMENDED"},
            "rfp.deadline_changed": {"rfpId": rfp_id, "kind": "DEADLINE_CHANGED"},
            "proposal.needs_confirmation": {
                "proposalId": proposal["id"], "rfpId": rfp_id, "kind": "NEEDS_CONFIRMATION",
            },
        }  # fmt: skip
        # One audit event, two deliveries (AMENDED, DEADLINE_CHANGED): distinct ids all the same.
        assert len({delivery_id for delivery_id, _, _ in receiver.received}) == 4
        assert (await api.data(LOG, key=bystander))["viewer"]["webhooks"][0]["deliveries"] == []


async def test_production_checks_the_address_again_before_each_attempt(
    webhook_api: Api, clock: Clock
) -> None:
    """A name that resolved to a public address when the webhook was created may point inside our
    network later (DNS rebinding): in production each attempt checks again and sends nothing."""
    api = webhook_api
    receiver = Receiver(failures=0)
    _, vendor = await register(api, "VENDOR")
    async with receiving(receiver) as url:  # a loopback address: what the re-pointed name now gives
        made = (await api.data(CREATE, {"url": url, "events": ["rfp.closed"]}, vendor))["createWebhook"]
        webhook = await webhooks(api.market.store).find_one(
            {"_id": ObjectId(local_id(made["webhook"]["id"], "Webhook"))}
        )
        assert webhook is not None
        later = clock() + timedelta(hours=1)  # due for this dispatcher only, not the app's own
        doc = new_delivery_document(
            ObjectId(), webhook, "rfp.closed", {"id": "x"}, later - timedelta(minutes=30)
        )
        await deliveries(api.market.store).insert_one(doc)
        ground = MarketGround(api.market.store, lambda: later, api.market.digests)
        production = WebhookDispatcher(ground, api.market.feed, WebhookSettings(production=True))
        async with httpx.AsyncClient(timeout=1.0) as http:
            assert await production.send_due(http) == 1
        stored = await deliveries(api.market.store).find_one({"_id": doc["_id"]})
        assert stored is not None and (stored["attempts"], stored["lastStatusCode"]) == (1, None)
        assert receiver.received == []  # no request left the instance


REWEIGH = """mutation($input: UpdateRfpWeightsInput!) {
  updateRfpWeights(input: $input) { userErrors { code } } }"""


async def test_a_rescoring_is_delivered_to_each_bidder_of_its_own_proposal(webhook_api: Api) -> None:
    """proposal.rescored after a re-weighting and after an addendum that rescores (two events of one
    audit event there: rfp.amended and proposal.rescored); a competitor's webhook hears of its own
    proposal only, a vendor with no live proposal on the RFP of nothing."""
    api = webhook_api
    receiver = Receiver(failures=0)
    _, buyer = await register(api, "BUYER")
    _, vendor = await register(api, "VENDOR", "Vendor A")
    _, rival = await register(api, "VENDOR", "Vendor B")
    _, bystander = await register(api, "VENDOR", "Vendor C")  # bid, then withdrew
    events = ["proposal.rescored", "rfp.amended"]
    async with receiving(receiver) as url:
        created = (await api.data(CREATE, {"url": url, "events": events}, vendor))["createWebhook"]
        receiver.secret = created["secret"]
        for other in (rival, bystander):
            assert (await api.data(CREATE, {"url": url, "events": events}, other))["createWebhook"]["webhook"]
        rfp_id = await open_rfp(api, buyer, sealed=True)
        proposal = (await submit(api, vendor, rfp_id))["proposal"]
        rivals = (await submit(api, rival, rfp_id))["proposal"]
        gone = (await submit(api, bystander, rfp_id))["proposal"]
        await proposal_mutation(api, "withdrawProposal", gone["id"], bystander)
        weights = {"rfpId": rfp_id, "weights": {"slaQuality": 0.2, "lockIn": 0.2, "cost": 0.6}}
        assert (await api.data(REWEIGH, {"input": weights}, buyer))["updateRfpWeights"]["userErrors"] == []
        amended = await amend(api, buyer, rfp_id, weights={"slaQuality": 0.5, "lockIn": 0.3, "cost": 0.2})
        assert amended["userErrors"] == []
        # Vendor A and B: a rescored each for the re-weighting; rescored and amended for the addendum;
        # Vendor C: amended only (its webhook is a bidder's on the RFP, its proposal is withdrawn).
        await eventually(lambda: len(receiver.received) == 7, "seven deliveries")
        await asyncio.sleep(0.5)  # and no more
        assert len(receiver.received) == 7
    rescored = sorted(
        (body["data"]["proposalId"], body["data"]["kind"])
        for _, body, _ in receiver.received
        if body["event"] == "proposal.rescored"
    )
    assert rescored == sorted([(proposal["id"], "RESCORED"), (rivals["id"], "RESCORED")] * 2)
    for key, own in ((vendor, proposal["id"]), (rival, rivals["id"])):
        log = (await api.data(LOG, key=key))["viewer"]["webhooks"][0]["deliveries"]
        assert sorted(delivery["event"] for delivery in log) == ["proposal.rescored"] * 2 + ["rfp.amended"]
        mine = [body for _, body, _ in receiver.received if body["id"] in {d["id"] for d in log}]
        assert {body["data"].get("proposalId") for body in mine} == {own, None}
    log = (await api.data(LOG, key=bystander))["viewer"]["webhooks"][0]["deliveries"]
    assert [delivery["event"] for delivery in log] == ["rfp.amended"]


async def test_events_committed_while_no_recorder_runs_are_delivered_once_when_one_starts(
    webhook_api: Api,
) -> None:
    """The recorder resumes from the token stored in MongoDB after the last event it recorded: a
    change committed while it was stopped is delivered when it starts again, and once only (a second
    restart resumes after it)."""
    api = webhook_api
    receiver = Receiver(failures=0)
    _, buyer = await register(api, "BUYER")
    _, vendor = await register(api, "VENDOR")
    async with receiving(receiver) as url:
        events = ["proposal.submitted", "rfp.closed"]
        created = (await api.data(CREATE, {"url": url, "events": events}, vendor))["createWebhook"]
        receiver.secret = created["secret"]
        rfp_id = await open_rfp(api, buyer)
        await submit(api, vendor, rfp_id)
        await eventually(lambda: len(receiver.received) == 1, "the submission's delivery")

        stopped = api.market.dispatcher
        await stopped.close()  # no recorder runs now (the app's feed and its subscribers do)
        assert (await rfp_mutation(api, "closeRfp", rfp_id, buyer))["userErrors"] == []
        await asyncio.sleep(0.5)
        assert len(receiver.received) == 1
        for _ in range(2):  # started, then restarted: the close is delivered by the first only
            api.market.dispatcher = WebhookDispatcher(stopped.ground, stopped.feed, stopped.settings)
            await api.market.dispatcher.start()
            await eventually(lambda: len(receiver.received) == 2, "the close's delivery")
            await asyncio.sleep(0.5)
            await api.market.dispatcher.close()
        assert len(receiver.received) == 2 and all(ok for _, _, ok in receiver.received)
        delivery_id, body, _ = receiver.received[1]
        assert (body["event"], body["data"]["rfpId"]) == ("rfp.closed", rfp_id)
        assert delivery_id != receiver.received[0][0]
