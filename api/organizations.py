"""Organizations and their API keys: registration (rate-limited), authentication, issuing and
revoking keys. Keys live inside the organization's document, so each change is a single write."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bson import ObjectId
from pymongo import ReturnDocument

from api.inputs import Registration, validate
from api.rules import MarketBase
from api.store import Document, organization_record, parse_object_id
from schema.records import ApiKeyRecord, ErrorCode, OrganizationKind, OrganizationRecord, Outcome

API_KEY_PREFIX = "rfpm_"
MAX_ACTIVE_KEYS = 10
LIVE_KEY = {"$eq": ["$$this.revokedAt", None]}


def hash_api_key(key: str) -> str:
    # Keys are 256-bit random tokens, so a fast hash is enough: there is nothing to brute-force.
    return hashlib.sha256(key.encode()).hexdigest()


def new_api_key() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def key_entry(key: str, now: datetime, label: str | None = None, demo: bool = False) -> Document:
    entry: Document = {
        "id": ObjectId(),
        "hash": hash_api_key(key),
        "hint": key[:9],  # enough to tell keys apart in a list, useless to an attacker
        "label": label,
        "createdAt": now,
        "revokedAt": None,
    }
    if demo:
        entry["demo"] = True
    return entry


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


class OrganizationRules(MarketBase):
    register_limit: RateLimit
    # Registrations from every address together: a botnet rotating addresses still meets a ceiling.
    register_global_limit: RateLimit = DEFAULT_REGISTER_GLOBAL_LIMIT

    async def authenticate(self, api_key: str) -> OrganizationRecord | None:
        hashed = hash_api_key(api_key)
        doc = await self.store.organizations.find_one(
            # The top-level clause is what the api_key_hash index serves; $elemMatch then checks
            # that this very key, not another of the organization's, is unrevoked.
            {"apiKeys.hash": hashed, "apiKeys": {"$elemMatch": {"hash": hashed, "revokedAt": None}}},
            projection={"apiKeys": 0},
        )
        return organization_record(doc) if doc else None

    async def within_rate_limit(self, bucket: str, limit: RateLimit) -> bool:
        """A fixed-window counter in MongoDB, so every API instance shares it; a TTL index cleans up."""
        now = self.now()
        window_start = int(now.timestamp()) // limit.window_seconds * limit.window_seconds
        doc = await self.store.rate_limits.find_one_and_update(
            {"_id": f"{bucket}:{window_start}"},
            {
                "$inc": {"count": 1},
                "$setOnInsert": {"expiresAt": now + timedelta(seconds=limit.window_seconds)},
            },
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        return doc is not None and doc["count"] <= limit.calls

    async def register_organization(
        self, name: str, kind: OrganizationKind, contact_email: str, client_address: str = ""
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
        key = new_api_key()
        now = self.now()
        doc = {
            "name": registration.name,
            "kind": kind.value,
            "contactEmail": registration.contact_email,
            "createdAt": now,
            "apiKeys": [key_entry(key, now, "registration")],
        }
        result = await self.store.organizations.insert_one(doc)
        doc["_id"] = result.inserted_id
        return Outcome((organization_record(doc), key))

    async def api_keys(self, viewer: OrganizationRecord) -> list[ApiKeyRecord]:
        doc = await self.store.organizations.find_one({"_id": ObjectId(viewer.id)}, projection={"apiKeys": 1})
        return [api_key_record(entry) for entry in (doc or {}).get("apiKeys", [])]

    async def create_api_key(
        self, viewer: OrganizationRecord | None, label: str | None
    ) -> Outcome[tuple[ApiKeyRecord, str]]:
        if viewer is None:
            return Outcome.fail(ErrorCode.FORBIDDEN, "sign in to issue a key")
        if label is not None and len(label.strip()) > 100:
            return Outcome.fail(ErrorCode.INVALID, "at most 100 characters", ("input", "label"))
        key = new_api_key()
        entry = key_entry(key, self.now(), label.strip() if label else None)
        updated = await self.store.organizations.update_one(
            # The filter caps live keys atomically: no race can push an organization past the cap.
            {
                "_id": ObjectId(viewer.id),
                f"apiKeys.{MAX_ACTIVE_KEYS - 1}": {"$exists": False},
            },
            {"$push": {"apiKeys": entry}},
        )
        if updated.modified_count == 0:
            return Outcome.fail(
                ErrorCode.INVALID_STATE, f"at most {MAX_ACTIVE_KEYS} keys per organization; revoke one first"
            )
        return Outcome((api_key_record(entry), key))

    async def revoke_api_key(self, viewer: OrganizationRecord | None, key_id: str) -> Outcome[ApiKeyRecord]:
        oid = parse_object_id(key_id)
        if viewer is None or oid is None:
            return Outcome.fail(ErrorCode.NOT_FOUND, "key not found", ("input", "keyId"))
        now = self.now()
        # Refuse to revoke the last live key: the organization would lock itself out for good.
        doc = await self.store.organizations.find_one_and_update(
            {
                "_id": ObjectId(viewer.id),
                "apiKeys": {"$elemMatch": {"id": oid, "revokedAt": None}},
                "$expr": {"$gt": [{"$size": {"$filter": {"input": "$apiKeys", "cond": LIVE_KEY}}}, 1]},
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
        doc = await self.store.organizations.find_one(
            {"_id": ObjectId(viewer.id), "apiKeys": {"$elemMatch": {"id": key_id, "revokedAt": None}}},
            projection={"_id": 1},
        )
        if doc is None:
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
