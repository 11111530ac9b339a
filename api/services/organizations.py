"""Organizations and their API keys: registration (rate-limited), authentication, issuing and
revoking keys. Keys live inside the organization's document, so each change is a single write."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from bson import ObjectId
from pymongo import ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from api.services.ground import MarketGround
from api.services.idempotency import FIELD, IdempotencyKey
from api.services.idempotency import idempotency_key as idempotency_key_for
from api.services.inputs import Registration, name_key, validate
from api.store.database import parse_object_id
from api.store.document import Document
from api.store.organizations import (
    API_KEY_PREFIX,
    hash_api_key,
    key_entry,
    new_api_key,
    new_organization,
    organization_record,
)
from market.records import ApiKeyRecord, OrganizationRecord
from market.roles import Action
from market.vocabulary import ErrorCode, OrganizationKind, Outcome

MAX_ACTIVE_KEYS = 10
LIVE_KEY = {"$eq": ["$$this.revokedAt", None]}
LIVE_KEY_COUNT = {"$size": {"$filter": {"input": "$apiKeys", "cond": LIVE_KEY}}}


def api_key_record(entry: Document) -> ApiKeyRecord:
    return ApiKeyRecord(
        id=str(entry.get("id") or entry["hash"][:24]),
        hint=entry.get("hint", API_KEY_PREFIX),
        label=entry.get("label"),
        created_at=entry["createdAt"],
        revoked_at=entry.get("revokedAt"),
    )


@dataclass(frozen=True)
class RateLimit:
    calls: int
    window_seconds: int


DEFAULT_REGISTER_LIMIT = RateLimit(calls=20, window_seconds=3600)
DEFAULT_REGISTER_GLOBAL_LIMIT = RateLimit(calls=500, window_seconds=3600)


def address_bucket(prefix: str, client_address: str) -> str:
    # The address is hashed: the limiter needs to recognise it, not to store it.
    return f"{prefix}:" + hashlib.sha256(client_address.encode()).hexdigest()[:32]


class OrganizationService:
    # register_global_limit: registrations from every address together, so a botnet rotating
    # addresses still meets a ceiling.
    def __init__(
        self,
        ground: MarketGround,
        register_limit: RateLimit = DEFAULT_REGISTER_LIMIT,
        register_global_limit: RateLimit = DEFAULT_REGISTER_GLOBAL_LIMIT,
    ) -> None:
        self.ground = ground
        self.store = ground.store
        self.register_limit = register_limit
        self.register_global_limit = register_global_limit

    async def authenticate(self, api_key: str) -> OrganizationRecord | None:
        hashed = hash_api_key(api_key)
        # The hash alone is the filter: the api_key_hash index serves it, while the database plans
        # any filter with an $elemMatch beside it as a scan of every organization, on every request
        # (tests/api/services/test_round_trips.py explains it). The hash is unique, so the one
        # document found is checked here: this very key, not another of the organization's, is live.
        doc = await self.store.organizations.find_one({"apiKeys.hash": hashed})
        if doc is None or not any(
            key.get("hash") == hashed and key.get("revokedAt") is None for key in doc.get("apiKeys", [])
        ):
            return None
        return organization_record(doc)

    async def within_rate_limit(self, bucket: str, limit: RateLimit) -> bool:
        """A fixed-window counter in MongoDB, so every API instance shares it; a TTL index cleans up."""
        now = self.ground.now()
        window_start = int(now.timestamp()) // limit.window_seconds * limit.window_seconds
        for _ in range(3):
            try:
                doc = await self.store.rate_limits.find_one_and_update(
                    {"_id": f"{bucket}:{window_start}"},
                    {
                        "$inc": {"count": 1},
                        "$setOnInsert": {"expiresAt": now + timedelta(seconds=limit.window_seconds)},
                    },
                    upsert=True,
                    return_document=ReturnDocument.AFTER,
                )
            except DuplicateKeyError:
                continue  # two first requests of a window raced to create the counter: count again
            if doc is not None:
                return bool(doc["count"] <= limit.calls)
        return False

    async def register_organization(
        self,
        name: str,
        kind: OrganizationKind,
        contact_email: str,
        client_address: str = "",
        idempotency_key: str | None = None,
    ) -> Outcome[tuple[OrganizationRecord, str]]:
        # Anonymous: the key is scoped to the client address, so another client cannot replay it.
        request = {"name": name, "kind": kind.value, "contactEmail": contact_email}
        made = idempotency_key_for(
            idempotency_key, f"address:{client_address}", "registerOrganization", request
        )
        if made.errors:
            return Outcome(errors=made.errors)
        key = made.value

        async def replay(answer: Document) -> Outcome[tuple[OrganizationRecord, str]]:
            assert key is not None, "only keyed requests replay"
            doc = await self.store.organizations.find_one({"_id": answer["organizationId"]}, {"apiKeys": 0})
            api_key = key.unseal(answer["apiKey"])
            if doc is None or api_key is None:
                return Outcome.fail(ErrorCode.NOT_FOUND, "the organization no longer exists", FIELD)
            return Outcome((organization_record(doc), api_key))

        async def run() -> Outcome[tuple[OrganizationRecord, str]]:
            return await self._register(name, kind, contact_email, client_address, key)

        return await self.ground.idempotent(key, replay, run)

    async def _register(
        self,
        name: str,
        kind: OrganizationKind,
        contact_email: str,
        client_address: str,
        key: IdempotencyKey | None,
    ) -> Outcome[tuple[OrganizationRecord, str]]:
        if not await self.within_rate_limit(address_bucket("register", client_address), self.register_limit):
            return Outcome.fail(
                ErrorCode.RATE_LIMITED, "too many registrations from this address; try again later"
            )
        if not await self.within_rate_limit("register:all", self.register_global_limit):
            return Outcome.fail(ErrorCode.RATE_LIMITED, "too many registrations right now; try again later")
        registration, errors = validate(
            Registration, {"name": name, "contactEmail": contact_email}, ("input",)
        )
        if registration is None:
            return Outcome(errors=errors)
        api_key = new_api_key()
        now = self.ground.now()
        doc = new_organization(
            registration.name,
            kind,
            registration.contact_email,
            now,
            key_entry(api_key, now, "registration"),
            name_key=name_key(registration.name),  # unique: no organization can pass for another
            organization_id=ObjectId(),  # known before the insert: the idempotent answer names it
        )

        async def work(session: AsyncClientSession) -> None:
            # The key shown once is kept only sealed, for a replay to the same caller and key.
            sealed = {"organizationId": doc["_id"], "apiKey": key.seal(api_key)} if key else {}
            await self.ground.remember(session, key, sealed)
            await self.store.organizations.insert_one(doc, session=session)

        try:
            await self.ground.in_transaction(work)
        except DuplicateKeyError as error:
            if "nameKey" not in str(error):
                raise  # a concurrent twin of the same idempotency key: handled by the caller's retry
            return Outcome.fail(
                ErrorCode.CONFLICT,
                "an organization with this name is already registered; choose a distinct name",
                ("input", "name"),
            )
        return Outcome((organization_record(doc), api_key))

    async def api_keys(self, viewer: OrganizationRecord) -> list[ApiKeyRecord]:
        if self.ground.denied(viewer, Action.MANAGE_TEAM) is not None:
            return []  # the organization's keys are the OWNER's business, not every member's
        doc = await self.store.organizations.find_one({"_id": ObjectId(viewer.id)}, projection={"apiKeys": 1})
        return [api_key_record(entry) for entry in (doc or {}).get("apiKeys", [])]

    async def create_api_key(
        self, viewer: OrganizationRecord | None, label: str | None
    ) -> Outcome[tuple[ApiKeyRecord, str]]:
        if (denied := self.ground.denied(viewer, Action.MANAGE_TEAM)) is not None:
            return denied
        if viewer is None:
            return Outcome.fail(ErrorCode.FORBIDDEN, "sign in to issue a key")
        if label is not None and len(label.strip()) > 100:
            return Outcome.fail(ErrorCode.INVALID, "at most 100 characters", ("input", "label"))
        key = new_api_key()
        entry = key_entry(key, self.ground.now(), label.strip() if label else None)
        updated = await self.store.organizations.update_one(
            # The filter caps live keys atomically: no race can push an organization past the cap.
            # Revoked keys do not count, so rotation (issue, then revoke) works indefinitely.
            {"_id": ObjectId(viewer.id), "$expr": {"$lt": [LIVE_KEY_COUNT, MAX_ACTIVE_KEYS]}},
            {"$push": {"apiKeys": entry}},
        )
        if updated.modified_count == 0:
            return Outcome.fail(
                ErrorCode.INVALID_STATE,
                f"at most {MAX_ACTIVE_KEYS} live keys per organization; revoke one first",
            )
        return Outcome((api_key_record(entry), key))

    async def revoke_api_key(self, viewer: OrganizationRecord | None, key_id: str) -> Outcome[ApiKeyRecord]:
        if (denied := self.ground.denied(viewer, Action.MANAGE_TEAM)) is not None:
            return denied
        oid = parse_object_id(key_id)
        if viewer is None or oid is None:
            return Outcome.fail(ErrorCode.NOT_FOUND, "key not found", ("input", "keyId"))
        now = self.ground.now()
        # Refuse to revoke the last live key: the organization would lock itself out for good.
        doc = await self.store.organizations.find_one_and_update(
            {
                "_id": ObjectId(viewer.id),
                "apiKeys": {"$elemMatch": {"id": oid, "revokedAt": None}},
                "$expr": {"$gt": [LIVE_KEY_COUNT, 1]},
            },
            {"$set": {"apiKeys.$[key].revokedAt": now}},
            array_filters=[{"key.id": oid}],
            projection={"apiKeys": 1},
            return_document=ReturnDocument.AFTER,
        )
        if doc is None:
            return await self._why_not_revoked(viewer, oid)
        entry = next(entry for entry in doc["apiKeys"] if entry.get("id") == oid)
        return Outcome(api_key_record(entry))

    async def _why_not_revoked(self, viewer: OrganizationRecord, key_id: ObjectId) -> Outcome[ApiKeyRecord]:
        # By _id alone, checked here: the planner scans for an $elemMatch beside the _id (see
        # authenticate), and the OWNER revoking a member's key comes through here first.
        doc = await self.store.organizations.find_one({"_id": ObjectId(viewer.id)}, projection={"apiKeys": 1})
        keys = (doc or {}).get("apiKeys", [])
        if not any(key.get("id") == key_id and key.get("revokedAt") is None for key in keys):
            return Outcome.fail(ErrorCode.NOT_FOUND, "key not found or already revoked", ("input", "keyId"))
        return Outcome.fail(ErrorCode.INVALID_STATE, "this is the last live key; issue another one first")

    async def get_organization(
        self, viewer: OrganizationRecord | None, organization_id: str
    ) -> OrganizationRecord | None:
        oid = parse_object_id(organization_id)
        if viewer is None or oid is None:
            return None
        doc = await self.store.organizations.find_one({"_id": oid}, projection={"apiKeys": 0})
        if doc is None:
            return None
        organization = organization_record(doc)
        # Buyers are public to signed-in callers; a vendor is seen by itself and by buyers only, so
        # vendors cannot enumerate their competitors.
        visible = (
            organization.kind is OrganizationKind.BUYER
            or viewer.id == organization.id
            or viewer.kind is OrganizationKind.BUYER
        )
        return organization if visible else None

    async def load_organizations(self, ids: Sequence[str]) -> list[OrganizationRecord | None]:
        oids = [oid for oid in map(parse_object_id, ids) if oid is not None]
        docs = self.store.organizations.find({"_id": {"$in": oids}}, projection={"apiKeys": 0})
        found = {str(doc["_id"]): organization_record(doc) async for doc in docs}
        return [found.get(key) for key in ids]
