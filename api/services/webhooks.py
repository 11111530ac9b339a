"""Webhooks: organizations' endpoints, and the dispatcher that delivers events to them.

The outbox is the audit event each change writes in its own transaction; the dispatcher's change
stream, resumed from a token stored in MongoDB after the last recorded event (so events committed
while no instance ran are recorded at the next start), records one delivery per matching endpoint
(its id derived from the event's, so a repeat is no second delivery) and a
sender loop POSTs the due ones, signed, with exponential back-off up to a retry limit. Delivery is
at-least-once; receivers de-duplicate by X-Rfpmarket-Delivery. Recipients follow the visibility
rules of queries: a vendor hears of its own proposals and of the RFPs it may read and bid on, a
buyer of its own RFPs; nobody hears of a competitor's proposal.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import socket
from dataclasses import dataclass
from typing import Any

import httpx
from bson import ObjectId
from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError, OperationFailure, PyMongoError

from api.services.ground import MarketGround, not_found
from api.services.live import CLOSE_SECONDS, RESCORED, START_SECONDS, Change, LiveFeed
from api.store.database import parse_object_id
from api.store.document import Document
from api.store.organizations import organization_record
from api.store.rfps import rfp_record
from api.store.webhooks import (
    DELIVERED,
    FAILED,
    PENDING,
    deliveries,
    delivery_record,
    load_resume_token,
    new_delivery_document,
    new_webhook_document,
    save_resume_token,
    webhook_record,
    webhooks,
)
from market import visibility
from market.live import PROPOSAL_EVENT_KINDS
from market.records import OrganizationRecord
from market.roles import Action
from market.vocabulary import ErrorCode, Outcome, ProposalStatus
from market.webhooks import (
    DeliveryRecord,
    WebhookRecord,
    address_is_private,
    events_problem,
    next_attempt,
    proposal_event_name,
    rfp_event_name,
    signature,
    url_problem,
)
from schema.common import to_global_id

log = logging.getLogger("rfpmarket.webhooks")
MAX_WEBHOOKS = 10  # per organization
DELIVERY_LOG_LIMIT = 100
RECORDED_CHANGES = [{"$match": {"operationType": "insert"}}]  # audit events are only ever inserted
# ChangeStreamHistoryLost, and the older "resume point no longer in the oplog" code.
HISTORY_LOST = frozenset({286, 280})


@dataclass(frozen=True)
class WebhookSettings:
    production: bool = False
    max_attempts: int = 8
    retry_base_seconds: float = 10.0
    poll_seconds: float = 1.0
    timeout_seconds: float = 10.0


DEFAULT_WEBHOOK_SETTINGS = WebhookSettings()


async def endpoint_problem(url: str, production: bool) -> str | None:
    """Why a webhook's URL may not be called, or None: the pure rules (market/webhooks.py) and, in
    production, every address its host name resolves to (a name pointing inside our network: SSRF)."""
    problem = url_problem(url, production)
    if problem is not None or not production:
        return problem
    host = httpx.URL(url).host
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError:
        return "the host name does not resolve"
    if any(address_is_private(str(info[4][0])) for info in infos):
        return "private, loopback and link-local addresses are not allowed"
    return None


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class WebhookService:
    def __init__(self, ground: MarketGround, settings: WebhookSettings) -> None:
        self.ground = ground
        self.settings = settings

    async def create_webhook(
        self, viewer: OrganizationRecord | None, url: str, events: list[str]
    ) -> Outcome[tuple[WebhookRecord, str]]:
        if viewer is None:
            return Outcome.fail(ErrorCode.FORBIDDEN, "sign in with an API key to register a webhook")
        if (denied := self._denied(viewer)) is not None:
            return denied
        problem = await self._url_problem(url)
        if problem is not None:
            return Outcome.fail(ErrorCode.INVALID, problem, ("input", "url"))
        wrong = events_problem(events)
        if wrong is not None:
            return Outcome.fail(ErrorCode.INVALID, wrong[1], ("input", "events", str(wrong[0])))
        collection = webhooks(self.ground.store)
        if await collection.count_documents({"organizationId": ObjectId(viewer.id)}) >= MAX_WEBHOOKS:
            return Outcome.fail(ErrorCode.INVALID_STATE, f"at most {MAX_WEBHOOKS} webhooks per organization")
        secret = new_secret()
        doc = new_webhook_document(viewer.id, url, sorted(set(events)), secret, self.ground.now())
        await collection.insert_one(doc)
        return Outcome((webhook_record(doc), secret))

    async def _url_problem(self, url: str) -> str | None:
        return await endpoint_problem(url, self.settings.production)

    def _denied(self, viewer: OrganizationRecord | None) -> Outcome[Any] | None:
        """Webhooks carry everything the organization may read, signed with a secret: like API keys
        they are the OWNER's business (market/roles.py MANAGE_TEAM), not an evaluator's or observer's."""
        return self.ground.denied(viewer, Action.MANAGE_TEAM)

    async def list_webhooks(self, viewer: OrganizationRecord) -> list[WebhookRecord]:
        if self._denied(viewer) is not None:
            return []
        found = webhooks(self.ground.store).find({"organizationId": ObjectId(viewer.id)}).sort("_id", 1)
        return [webhook_record(doc) async for doc in found]

    async def rotate_secret(
        self, viewer: OrganizationRecord | None, webhook_id: str
    ) -> Outcome[tuple[WebhookRecord, str]]:
        if (denied := self._denied(viewer)) is not None:
            return denied
        secret = new_secret()
        collection, oid = webhooks(self.ground.store), parse_object_id(webhook_id)
        doc = None
        if await self._owns(collection, viewer, oid):
            doc = await collection.find_one_and_update(
                {"_id": oid}, {"$set": {"secret": secret}}, return_document=ReturnDocument.AFTER
            )
        if doc is None:
            return not_found(("input", "webhookId"), "webhook")
        return Outcome((webhook_record(doc), secret))

    async def delete_webhook(
        self, viewer: OrganizationRecord | None, webhook_id: str
    ) -> Outcome[WebhookRecord]:
        if (denied := self._denied(viewer)) is not None:
            return denied
        collection, oid = webhooks(self.ground.store), parse_object_id(webhook_id)
        owned = await self._owns(collection, viewer, oid)
        doc = await collection.find_one_and_delete({"_id": oid}) if owned else None
        if doc is None:
            return not_found(("input", "webhookId"), "webhook")
        return Outcome(webhook_record(doc))

    async def deliveries(self, viewer: OrganizationRecord | None, webhook_id: str) -> list[DeliveryRecord]:
        """The webhook's latest deliveries, newest first; nothing for another organization's."""
        if self._denied(viewer) is not None:
            return []
        if not await self._owns(webhooks(self.ground.store), viewer, parse_object_id(webhook_id)):
            return []
        found = deliveries(self.ground.store).find({"webhookId": ObjectId(webhook_id)})
        docs = await found.sort("createdAt", -1).limit(DELIVERY_LOG_LIMIT).to_list(DELIVERY_LOG_LIMIT)
        return [delivery_record(doc) for doc in docs]

    async def replay_delivery(
        self, viewer: OrganizationRecord | None, delivery_id: str
    ) -> Outcome[DeliveryRecord]:
        """Sends a delivery again (same id, so the receiver can tell), whatever its state."""
        if viewer is None:
            return not_found(("input", "deliveryId"), "delivery")
        if (denied := self._denied(viewer)) is not None:
            return denied
        collection, doc = deliveries(self.ground.store), None
        if await self._owns(collection, viewer, delivery_id):
            doc = await collection.find_one_and_update(
                {"_id": delivery_id},
                {"$set": {"status": PENDING, "attempts": 0, "nextAttemptAt": self.ground.now()}},
                return_document=ReturnDocument.AFTER,
            )
        if doc is None:
            return not_found(("input", "deliveryId"), "delivery")
        return Outcome(delivery_record(doc))

    @staticmethod
    async def _owns(
        collection: AsyncCollection[Document], viewer: OrganizationRecord | None, key: Any
    ) -> bool:
        """Whether `viewer` owns the document of `_id` `key` (a webhook or a delivery): read by `_id`
        alone, a point lookup (with the owner beside it the filter was planned as a scan of every
        webhook or delivery), the owner compared here. An owner never changes, so the write that
        follows, by `_id`, still writes the viewer's own."""
        if viewer is None or key is None:
            return False
        doc = await collection.find_one({"_id": key}, {"organizationId": 1})
        return doc is not None and doc.get("organizationId") == ObjectId(viewer.id)


class WebhookDispatcher:
    """Per instance: records deliveries for the feed's events and sends the due ones."""

    def __init__(self, ground: MarketGround, feed: LiveFeed, settings: WebhookSettings) -> None:
        self.ground = ground
        self.feed = feed
        self.settings = settings
        self.tasks: list[asyncio.Task[None]] = []
        self.opened = asyncio.Event()

    async def start(self) -> None:
        """Opens the recorder's stream before returning (bounded, as the feed's start): it resumes
        after the last event any instance recorded, so events committed while none ran are recorded."""
        self.tasks = [asyncio.create_task(self._record()), asyncio.create_task(self._send_loop())]
        try:
            await asyncio.wait_for(self.opened.wait(), START_SECONDS)
        except TimeoutError:
            log.error("the webhook recorder's stream did not open within %s s; still trying", START_SECONDS)

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        if self.tasks:  # bounded, as the feed's close
            _, pending = await asyncio.wait(self.tasks, timeout=CLOSE_SECONDS)
            if pending:
                log.warning("%d webhook tasks did not stop within %s s", len(pending), CLOSE_SECONDS)

    async def _record(self) -> None:
        delay = 0.1
        while True:
            try:
                await self._record_from_stream()
                delay = 0.1
            except PyMongoError as error:
                log.warning("the webhook recorder's stream was interrupted (%s); resuming", error)
            except Exception:
                log.exception("the webhook recorder failed; restarting it")
            await asyncio.sleep(delay)  # not a busy loop if it keeps failing
            delay = min(delay * 2, 5.0)

    async def _record_from_stream(self) -> None:
        """Its own change stream (not the feed's: that one starts from the present), resumed from
        the token stored after the last recorded event. The token is stored after the event's
        deliveries are: a failure in between records the event again, which makes no second
        delivery (their ids derive from the event's). Reading at its own pace, nothing is skipped."""
        store = self.ground.store
        token = await load_resume_token(store)
        try:
            stream = await store.audit_events.watch(RECORDED_CHANGES, resume_after=token)
        except OperationFailure as error:
            if token is None or error.code not in HISTORY_LOST:
                raise
            # The stored point fell out of the oplog (every instance down longer than it holds):
            # what was committed meanwhile cannot be read any more; say so and start from now.
            log.error("webhook deliveries were lost: the recorder cannot resume (%s)", error)
            await save_resume_token(store, None)
            return
        async with stream:
            self.opened.set()
            async for event in stream:
                if event.get("operationType") == "invalidate":  # the collection was dropped
                    await save_resume_token(store, None)
                    return
                change = await self.feed._route(event["fullDocument"])
                if change is not None:
                    await self.record(change)
                await save_resume_token(store, stream.resume_token)

    async def record(self, change: Change) -> None:
        if change.event_id is None:
            return
        recipients = await self._recipients(change)
        if change.rescores_proposals():
            recipients += await self._rescored(change, part=len(change.rfp_kinds()))
        for webhook, event, data, part in recipients:
            body = {"id": "", "event": event, "occurredAt": change.at.isoformat(), "data": data}
            doc = new_delivery_document(change.event_id, webhook, event, body, self.ground.now(), part)
            doc["body"]["id"] = doc["_id"]
            with contextlib.suppress(DuplicateKeyError):  # another instance recorded it already
                await deliveries(self.ground.store).insert_one(doc)

    async def _recipients(self, change: Change) -> list[tuple[Document, str, dict[str, Any], int]]:
        """(webhook, event name, data, part) of each delivery the change makes; `part` numbers the
        events of one audit event (an addendum moving the deadline is AMENDED and DEADLINE_CHANGED)."""
        store = self.ground.store
        rfp_gid = to_global_id("Rfp", str(change.rfp_id))  # the ids the GraphQL API speaks
        events: list[tuple[str, dict[str, Any]]]
        if change.rfp_kinds():
            events = [
                (rfp_event_name(kind), {"rfpId": rfp_gid, "kind": kind.value}) for kind in change.rfp_kinds()
            ]
        elif change.proposal_id is not None and change.action in PROPOSAL_EVENT_KINDS:
            kind = PROPOSAL_EVENT_KINDS[change.action]
            proposal_gid = to_global_id("Proposal", str(change.proposal_id))
            events = [
                (
                    proposal_event_name(kind),
                    {"proposalId": proposal_gid, "rfpId": rfp_gid, "kind": kind.value},
                )
            ]
        else:
            return []
        # The subscribed webhooks first (by_event, a flat `$in`), then whose they are: bounded by the
        # subscribers, never a walk over the RFP's proposals (a `distinct` of its 20,000 bidders
        # held the embedded database for over 30 s, and every other request with it).
        listening = (
            await webhooks(store).find({"events": {"$in": [event for event, _ in events]}}).to_list(None)
        )
        if not listening:
            return []  # the usual case in a flood of events: the RFP is not even read
        rfp_doc = await store.rfps.find_one({"_id": change.rfp_id})
        if rfp_doc is None:
            return []
        rfp = rfp_record(rfp_doc, self.ground.now())
        owners = {webhook["organizationId"] for webhook in listening}
        if change.rfp_kinds():
            # The buyer and every vendor bidding on it (one_per_vendor: rfpId, then an `$in`).
            bidding = store.proposals.find(
                {"rfpId": change.rfp_id, "vendorId": {"$in": list(owners)}}, {"vendorId": 1}
            )
            candidates = [rfp_doc["buyerId"], *[doc["vendorId"] async for doc in bidding]]
        else:
            candidates = [change.vendor_id]  # the vendor's own proposal; nobody else's
        organizations = store.organizations.find(
            {"_id": {"$in": [oid for oid in candidates if oid in owners]}}, {"apiKeys": 0}
        )
        readers = {
            doc["_id"] async for doc in organizations if visibility.sees_rfp(organization_record(doc), rfp)
        }
        return [
            (webhook, event, data, part)
            for part, (event, data) in enumerate(events)
            for webhook in listening
            if webhook["organizationId"] in readers and event in webhook.get("events", [])
        ]

    async def _rescored(self, change: Change, part: int) -> list[tuple[Document, str, dict[str, Any], int]]:
        """proposal.rescored to each webhook subscribed to it whose organization has a live proposal
        on the RFP, carrying that organization's own proposal only. Bounded: the subscribed webhooks
        first (an index on `events`), then their organizations' proposals on the RFP (the
        (rfpId, vendorId) index): never a walk over the RFP's proposals."""
        store, event = self.ground.store, proposal_event_name(RESCORED)
        listening = await webhooks(store).find({"events": event}).to_list(None)  # by_event, unhinted
        if not listening:
            return []
        organizations = list({webhook["organizationId"] for webhook in listening})
        # Flat on one_per_vendor (rfpId, then an `$in` of vendors), withdrawn ones dropped here.
        query = {"rfpId": change.rfp_id, "vendorId": {"$in": organizations}}
        found = store.proposals.find(query, {"vendorId": 1, "status": 1})
        withdrawn = ProposalStatus.WITHDRAWN.value
        own = {doc["vendorId"]: doc["_id"] async for doc in found if doc.get("status") != withdrawn}
        rfp_gid = to_global_id("Rfp", str(change.rfp_id))
        return [
            (
                webhook,
                event,
                {
                    "proposalId": to_global_id("Proposal", str(own[webhook["organizationId"]])),
                    "rfpId": rfp_gid,
                    "kind": RESCORED.value,
                },
                part,
            )
            for webhook in listening
            if webhook["organizationId"] in own
        ]

    async def _send_loop(self) -> None:
        async with httpx.AsyncClient(timeout=self.settings.timeout_seconds, follow_redirects=False) as client:
            while True:
                try:
                    sent = await self.send_due(client)
                except PyMongoError:
                    log.warning("webhook sender could not read its outbox", exc_info=True)
                    sent = 0
                except Exception:
                    # One odd delivery (a URL httpx refuses) must not stop every later one.
                    log.exception("webhook sender failed; carrying on")
                    sent = 0
                if not sent:
                    await asyncio.sleep(self.settings.poll_seconds)

    async def send_due(self, client: httpx.AsyncClient) -> int:
        """Claims and sends due deliveries one at a time (a claim is a lease: another instance's
        sender skips it), returning how many were attempted."""
        sent = 0
        while True:
            now = self.ground.now()
            lease = next_attempt(now, 1, self.settings.timeout_seconds * 3)
            doc = await deliveries(self.ground.store).find_one_and_update(
                {"status": PENDING, "nextAttemptAt": {"$lte": now}},
                {"$set": {"nextAttemptAt": lease}},
                sort=[("nextAttemptAt", 1)],
                return_document=ReturnDocument.AFTER,
            )
            if doc is None:
                return sent
            await self._attempt(client, doc)
            sent += 1

    async def _attempt(self, client: httpx.AsyncClient, doc: Document) -> None:
        webhook = await webhooks(self.ground.store).find_one({"_id": doc["webhookId"]})
        if webhook is None:  # deleted meanwhile: nothing to send to
            await deliveries(self.ground.store).update_one({"_id": doc["_id"]}, {"$set": {"status": FAILED}})
            return
        body = json.dumps(doc["body"], separators=(",", ":")).encode()
        timestamp = int(self.ground.now().timestamp())
        headers = {
            "Content-Type": "application/json",
            "X-Rfpmarket-Delivery": doc["_id"],
            "X-Rfpmarket-Timestamp": str(timestamp),
            "X-Rfpmarket-Signature": signature(webhook["secret"], timestamp, body),
        }
        status: int | None = None
        # Checked again before each attempt: a name re-pointed inside our network since the webhook
        # was created is refused too (the attempt fails without a request).
        refused = await endpoint_problem(webhook["url"], self.settings.production)
        if refused is not None:
            log.warning("webhook delivery %s not sent: %s", doc["_id"], refused)
        else:
            try:
                response = await client.post(webhook["url"], content=body, headers=headers)
                status = response.status_code
            except (httpx.HTTPError, httpx.InvalidURL) as error:  # a failed attempt, counted as such
                log.info("webhook delivery %s failed: %s", doc["_id"], error)
        attempts = doc["attempts"] + 1
        now = self.ground.now()
        update: Document = {"attempts": attempts, "lastStatusCode": status}
        if status is not None and 200 <= status < 300:
            update |= {"status": DELIVERED, "deliveredAt": now}
        elif attempts >= self.settings.max_attempts:
            update["status"] = FAILED
        else:
            update["nextAttemptAt"] = next_attempt(now, attempts, self.settings.retry_base_seconds)
        await deliveries(self.ground.store).update_one({"_id": doc["_id"]}, {"$set": update})
