"""The `organizations` collection: one constructor of an organization document (registration, the
demo seed and synthetic load data all build theirs here), its API key entries, and the record."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from bson import ObjectId

from api.store.document import Document
from market.records import OrganizationRecord
from market.vocabulary import OrganizationKind

API_KEY_PREFIX = "rfpm_"


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


def new_organization(
    name: str,
    kind: OrganizationKind,
    contact_email: str,
    now: datetime,
    *keys: Document,
    name_key: str | None = None,
    demo_key: str | None = None,
    organization_id: ObjectId | None = None,
) -> Document:
    """An organization document with its key entries (key_entry). `name_key` makes the name unique
    (registration and the demo seed set it); synthetic load data has none."""
    doc: Document = {"name": name}
    if organization_id is not None:
        doc = {"_id": organization_id, **doc}
    if name_key is not None:
        doc["nameKey"] = name_key
    doc.update(kind=kind.value, contactEmail=contact_email, createdAt=now)
    if demo_key is not None:
        doc["demoKey"] = demo_key
    doc["apiKeys"] = list(keys)
    return doc


def organization_record(doc: Document) -> OrganizationRecord:
    return OrganizationRecord(
        id=str(doc["_id"]), name=doc["name"], kind=OrganizationKind(doc["kind"]), created_at=doc["createdAt"]
    )
