"""An organization's members, kept in its document (`members`, a short list), each with the hash of
its own API key: one constructor of a member entry and the entry -> record function.

A member's key is found through the `member_key_hash` index (the invitation key) or the
`member_keys_hash` index (the keys it created, `keys`); revoking one stops it, and deactivating the
member (one update of the organization's document) stops all its keys at once, because
authentication reads `active`."""

from __future__ import annotations

from datetime import datetime

from bson import ObjectId

from api.store.document import Document
from api.store.organizations import hash_api_key, key_entry
from market.records import MemberRecord
from market.vocabulary import MemberRole


def new_member_entry(name: str, email: str, role: MemberRole, api_key: str, now: datetime) -> Document:
    return {
        "id": ObjectId(),
        "name": name,
        "email": email,
        "role": role.value,
        "active": True,
        "keyHash": hash_api_key(api_key),
        "keyHint": api_key[:9],
        # The member's own keys (issue 17): the invitation key first (its hash is also keyHash, the
        # field members invited before keys existed are found by), then those it creates.
        "keys": [key_entry(api_key, now, "invitation")],
        "createdAt": now,
    }


def member_key_of(entry: Document, hashed: str) -> Document | None:
    """The entry of `keys` with this hash; None for a member's legacy keyHash-only key."""
    return next((key for key in entry.get("keys", []) if key.get("hash") == hashed), None)


def holds_key(entry: Document, hashed: str) -> bool:
    return entry.get("keyHash") == hashed or member_key_of(entry, hashed) is not None


def member_record(organization_id: ObjectId | str, entry: Document) -> MemberRecord:
    return MemberRecord(
        id=str(entry["id"]),
        organization_id=str(organization_id),
        name=entry["name"],
        email=entry["email"],
        role=MemberRole(entry["role"]),
        active=entry["active"],
        created_at=entry["createdAt"],
    )
