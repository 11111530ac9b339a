"""The ground every marketplace rule stands on: the clock, transactions, audit events, and who may
see which RFP and proposal. The use cases themselves live in organizations.py, rfps.py, proposals.py
and ranking.py, each a service holding this ground, composed by market.MarketService.

Each write is one document update, or one transaction where several documents must change together,
and appends its audit event in the same write. Business problems come back as `Outcome` errors;
nothing here raises HTTP errors.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from api.services import cursors
from api.services.idempotency import FIELD, RETENTION, IdempotencyKey, Replay, reused
from api.store.audit import audit_record, new_audit_event
from api.store.database import Store, parse_object_id
from api.store.document import Document
from api.store.proposals import proposal_record
from api.store.rankings import DigestRefresher
from api.store.rfps import rfp_record
from market import visibility
from market.lifecycle import REVISABLE_PROPOSAL_STATUSES
from market.records import AuditRecord, OrganizationRecord, Page, ProposalRecord, RfpRecord
from market.roles import Action, may, role_forbidden
from market.vocabulary import ErrorCode, InputError, OrganizationKind, Outcome

T = TypeVar("T")

REVISABLE = tuple(status.value for status in REVISABLE_PROPOSAL_STATUSES)  # as stored


def utcnow() -> datetime:
    # MongoDB keeps milliseconds: truncate, so what a write returns equals what a later read returns.
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def forbidden(kind: OrganizationKind) -> Outcome[Any]:
    return Outcome.fail(ErrorCode.FORBIDDEN, f"only a {kind.value.lower()} organization may do this")


def not_found(field: tuple[str, ...], what: str) -> Outcome[Any]:
    return Outcome.fail(ErrorCode.NOT_FOUND, f"{what} not found", field)


def changed_meanwhile(what: str) -> Outcome[Any]:
    return Outcome.fail(ErrorCode.INVALID_STATE, f"the {what} changed state meanwhile; reload it")


AUDIT_TRAIL_LIMIT = 50  # what the deprecated auditTrail returns: the latest events only
AUDIT_ORDER = [("at", 1), ("_id", 1)]


def _audit_position(cursor: str, argument: str) -> tuple[datetime, ObjectId]:
    try:
        at, event_id = cursors.decode(cursor, "audit", 2)
        oid = parse_object_id(str(event_id))
        if oid is None:
            raise ValueError(event_id)
        moment = datetime.fromisoformat(str(at))
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)), oid  # naive: UTC
    except (InputError, ValueError) as error:
        raise InputError(argument, "the cursor is not valid for this list") from error


def _around(position: tuple[datetime, ObjectId], newer: bool, argument: str) -> Document:
    """A range on `at` that takes in a position's time: strict, a millisecond beyond it (on
    SecantusDB an inclusive bound on a compound index misses the equal time)."""
    try:
        step = timedelta(milliseconds=1)
        return {"$gt": position[0] - step} if newer else {"$lt": position[0] + step}
    except OverflowError:  # a forged cursor at the end of time
        raise InputError(argument, "the cursor is not valid for this list") from None


def _beyond(doc: Document, position: tuple[datetime, ObjectId], newer: bool) -> bool:
    """Whether an event lies strictly after (or before) a position in (at, _id) order."""
    at = (doc["at"], doc["_id"])
    return bool(at > position) if newer else bool(at < position)


class Aborted(Exception):
    """Raised inside a transaction when a precondition no longer holds: the transaction is aborted
    (nothing it wrote stays) and the outcome explains why to the caller."""

    def __init__(self, outcome: Outcome[Any]) -> None:
        super().__init__(outcome.errors[0].message if outcome.errors else "aborted")
        self.outcome = outcome


class MarketGround:
    """What every service stands on: the store, the clock, the ranking digests, and the shared reads,
    audit events, transactions and idempotency. Each service holds one; none inherits from it."""

    def __init__(self, store: Store, clock: Callable[[], datetime], digests: DigestRefresher) -> None:
        self.store = store
        self.clock = clock
        self.digests = digests

    def now(self) -> datetime:
        return self.clock()

    def event(
        self,
        subject_id: str | ObjectId,
        actor: OrganizationRecord | None,
        action: str,
        fields: Sequence[str] = (),
    ) -> Document:
        """One audit event, to insert in the same transaction as the change it records."""
        return new_audit_event(
            ObjectId(subject_id),
            self.now(),
            actor.id if actor else None,
            action,
            fields,
            actor.member_id if actor else None,
        )

    async def audit(
        self,
        session: AsyncClientSession,
        subject_id: str | ObjectId,
        actor: OrganizationRecord | None,
        action: str,
        fields: Sequence[str] = (),
    ) -> None:
        await self.store.audit_events.insert_one(
            self.event(subject_id, actor, action, fields), session=session
        )

    # ------------------------------------------------------------------------------ idempotency

    async def prior_answer(self, key: IdempotencyKey) -> Outcome[Document] | None:
        """The stored answer to an earlier request with this key, or why it cannot be replayed."""
        now = self.now()
        doc = await self.store.idempotency.find_one({"_id": key.record_id})
        if doc is None:
            return None
        if doc["expiresAt"] <= now:  # the TTL monitor runs about once a minute: expire it now
            await self.store.idempotency.delete_one({"_id": key.record_id, "expiresAt": {"$lte": now}})
            return None
        if doc["fingerprint"] != key.fingerprint:
            return reused()
        return Outcome(doc["answer"])

    async def remember(
        self, session: AsyncClientSession, key: IdempotencyKey | None, answer: Document
    ) -> None:
        """Stores the answer in the transaction of the effect, before the effect's own writes: a
        concurrent request with the same key conflicts here, and once this one commits it replays."""
        if key is None:
            return
        now = self.now()
        record = {
            "_id": key.record_id,
            "fingerprint": key.fingerprint,
            "answer": answer,
            "createdAt": now,
            "expiresAt": now + RETENTION,
        }
        try:
            await self.store.idempotency.insert_one(record, session=session)
        except DuplicateKeyError as duplicate:
            raise Replay from duplicate

    async def idempotent(
        self,
        key: IdempotencyKey | None,
        replay: Callable[[Document], Awaitable[Outcome[T]]],
        run: Callable[[], Awaitable[Outcome[T]]],
    ) -> Outcome[T]:
        """Runs the use case once per key: a retry (or a concurrent duplicate) replays the answer."""
        if key is None:
            return await run()
        for _ in range(3):
            prior = await self.prior_answer(key)
            if prior is not None:
                return await replay(prior.value) if prior.value is not None else Outcome(errors=prior.errors)
            try:
                return await run()
            except Replay:
                continue  # the other request committed: its answer is there now
        return Outcome.fail(ErrorCode.CONFLICT, "a request with this idempotency key is in progress", FIELD)

    # ------------------------------------------------------------------------------ audit reads

    async def audit_trail(self, subject_id: str) -> list[AuditRecord]:
        """The latest AUDIT_TRAIL_LIMIT events, oldest first (what the deprecated auditTrail shows)."""
        oid = parse_object_id(subject_id)
        if oid is None:
            return []
        found = self.store.audit_events.find({"subjectId": oid}).sort([("at", -1), ("_id", -1)])
        docs = await found.limit(AUDIT_TRAIL_LIMIT).to_list(AUDIT_TRAIL_LIMIT)
        return [audit_record(doc) for doc in reversed(docs)]

    async def audit_events(
        self, subject_id: str, first: int | None, after: str | None, last: int | None, before: str | None
    ) -> Page[AuditRecord]:
        """A keyset page of a subject's events in time order: first/after forwards, last/before
        backwards (the newest events are `last: N`)."""
        oid = parse_object_id(subject_id)
        if oid is None:
            return Page.empty()
        subject: Document = {"subjectId": oid}
        backwards = last is not None and first is None
        size = (last if backwards else first) or 0
        # The cursors bound `at` by a range a millisecond (BSON's precision) wider than their
        # positions, flat beside subjectId (planned on by_subject; the exact keyset condition, an
        # `$or`, was planned as a collection scan); their ties are dropped here, by `_id`.
        bounds: Document = {}
        positions: list[tuple[tuple[datetime, ObjectId], bool]] = []
        for argument, cursor, newer in (("after", after, True), ("before", before, False)):
            if cursor is not None:
                position = _audit_position(cursor, argument)
                positions.append((position, newer))
                bounds.update(_around(position, newer, argument))
        query = subject | ({"at": bounds} if bounds else {})
        direction = -1 if backwards else 1
        limit = size + 1
        while True:
            found = self.store.audit_events.find(query).sort([("at", direction), ("_id", direction)])
            read = await found.limit(limit).to_list(limit)
            docs = [doc for doc in read if all(_beyond(doc, *each) for each in positions)]
            if len(docs) > size or len(read) < limit:
                break
            limit *= 4  # ties on a cursor's time took the room
        more = len(docs) > size
        docs = docs[:size]
        if backwards:
            docs.reverse()
        items = tuple(
            (cursors.encode("audit", doc["at"].isoformat(), str(doc["_id"])), audit_record(doc))
            for doc in docs
        )
        return Page(
            items=items,
            has_next_page=before is not None if backwards else more,
            has_previous_page=more if backwards else after is not None,
            total_count=await self.store.audit_events.count_documents(subject),
        )

    async def in_transaction(self, work: Callable[[AsyncClientSession], Awaitable[T]]) -> T:
        async with self.store.client.start_session() as session:
            result: T = await session.with_transaction(work)
            return result

    async def load_rfps(self, ids: Sequence[str]) -> list[RfpRecord | None]:
        oids = [oid for oid in map(parse_object_id, ids) if oid is not None]
        now = self.now()
        found = {
            str(doc["_id"]): rfp_record(doc, now)
            async for doc in self.store.rfps.find({"_id": {"$in": oids}})
        }
        return [found.get(key) for key in ids]

    # ------------------------------------------------------------------------------ visibility

    def denied(self, viewer: OrganizationRecord | None, action: Action) -> Outcome[Any] | None:
        """FORBIDDEN when the caller's member role may not do this (market/roles.py, the one role
        table); None otherwise. Anonymous callers and the organization's kind are each use case's
        own check, as before."""
        return None if viewer is None else role_forbidden(viewer.role, action)

    def sees_rfp(self, viewer: OrganizationRecord | None, rfp: RfpRecord) -> bool:
        return visibility.sees_rfp(viewer, rfp)

    def owns(self, viewer: OrganizationRecord | None, rfp: RfpRecord) -> bool:
        return visibility.owns_rfp(viewer, rfp)

    def sees_proposals_of(self, viewer: OrganizationRecord | None, rfp: RfpRecord) -> bool:
        return visibility.sees_proposals_of(viewer, rfp, self.now())

    def can_see_budget(self, viewer: OrganizationRecord | None, rfp: RfpRecord) -> bool:
        return visibility.sees_budget(viewer, rfp)

    def can_see_score(
        self, viewer: OrganizationRecord | None, proposal: ProposalRecord, rfp: RfpRecord
    ) -> bool:
        return visibility.sees_score(viewer, proposal, rfp, self.now())

    async def rfp_doc(self, rfp_id: str) -> Document | None:
        oid = parse_object_id(rfp_id)
        return await self.store.rfps.find_one({"_id": oid}) if oid else None

    async def get_rfp(self, viewer: OrganizationRecord | None, rfp_id: str) -> RfpRecord | None:
        doc = await self.rfp_doc(rfp_id)
        if doc is None:
            return None
        rfp = rfp_record(doc, self.now())
        return rfp if self.sees_rfp(viewer, rfp) else None

    async def owned_rfp(self, viewer: OrganizationRecord | None, rfp_id: str) -> RfpRecord | None:
        rfp = await self.get_rfp(viewer, rfp_id)
        return rfp if rfp is not None and self.owns(viewer, rfp) else None

    async def readable_proposal(self, viewer: OrganizationRecord | None, proposal_id: str) -> ObjectId | None:
        """The proposal's id when the viewer may read it, else None.

        Whatever the answer, the same two small reads run (who bid, then who bought and whether it is
        sealed: for an unknown id, by an id no RFP has), both projected to a few fields, so a
        competitor's real id and a made-up one cost the same work and the same bytes: response times
        tell nobody which proposals exist. Only a readable proposal is then read in full.
        """
        oid = parse_object_id(proposal_id)
        if viewer is None or oid is None:
            return None
        doc = await self.store.proposals.find_one({"_id": oid}, {"rfpId": 1, "vendorId": 1})
        rfp_doc = await self.store.rfps.find_one(
            {"_id": doc["rfpId"] if doc else oid}, {"buyerId": 1, "sealed": 1, "submissionDeadline": 1}
        )
        if doc is None or rfp_doc is None:
            return None
        if str(doc["vendorId"]) != viewer.id:
            # sees_proposals_of, on the raw fields: the buyer, once the bids are unsealed.
            unsealed = not rfp_doc["sealed"] or self.now() >= rfp_doc["submissionDeadline"]
            if str(rfp_doc["buyerId"]) != viewer.id or not unsealed:
                return None
            if not may(viewer.role, Action.READ_PROPOSALS) and not await self._cleared(viewer, doc):
                return None
        return oid

    async def _cleared(self, viewer: OrganizationRecord, proposal_doc: Document) -> bool:
        """An evaluator of the viewer's own RFP: cleared for this vendor (market/visibility)."""
        rfp_doc = await self.store.rfps.find_one({"_id": proposal_doc["rfpId"]})
        if rfp_doc is None:
            return False
        rfp = rfp_record(rfp_doc, self.now())
        return visibility.sees_proposal_as_evaluator(viewer, str(proposal_doc["vendorId"]), rfp, self.now())

    async def proposal_and_rfp(
        self, viewer: OrganizationRecord | None, proposal_id: str
    ) -> tuple[ProposalRecord | None, RfpRecord | None]:
        """A proposal the viewer may read, with its RFP; else (None, None)."""
        proposal = await self.get_proposal(viewer, proposal_id)
        if proposal is None:
            return None, None
        rfp_doc = await self.rfp_doc(proposal.rfp_id)
        return (proposal, rfp_record(rfp_doc, self.now())) if rfp_doc else (None, None)

    async def get_proposal(
        self, viewer: OrganizationRecord | None, proposal_id: str
    ) -> ProposalRecord | None:
        readable = await self.readable_proposal(viewer, proposal_id)
        doc = await self.store.proposals.find_one({"_id": readable}) if readable else None
        return proposal_record(doc) if doc else None

    async def buyer_proposal(
        self, viewer: OrganizationRecord | None, proposal_id: str
    ) -> tuple[ProposalRecord | None, RfpRecord | None]:
        proposal, rfp = await self.proposal_and_rfp(viewer, proposal_id)
        if proposal is None or rfp is None or not self.sees_proposals_of(viewer, rfp):
            return None, None
        return proposal, rfp

    async def vendor_proposal(
        self, viewer: OrganizationRecord | None, proposal_id: str
    ) -> tuple[ProposalRecord | None, RfpRecord | None]:
        proposal, rfp = await self.proposal_and_rfp(viewer, proposal_id)
        if proposal is None or viewer is None or proposal.vendor_id != viewer.id:
            return None, None
        return proposal, rfp
