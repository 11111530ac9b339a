"""An organization's members, kept in its document (`members`, a short list), each with the hash of
its own API key: one constructor of a member entry and the entry -> record function.

A member's key is found through the `member_key_hash` index; deactivating the member (one update
of the organization's document) stops the key at once, because authentication reads `active`."""

from __future__ import annotations

from datetime import datetime

from bson import ObjectId

from api.store.document import Document
from api.store.organizations import hash_api_key
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
        "createdAt": now,
    }


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
