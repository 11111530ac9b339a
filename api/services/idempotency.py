"""Client idempotency keys: a retried mutation returns the first answer instead of a second effect.

A key is scoped to its caller (the organization, or for anonymous registration the client address),
so nobody can replay another caller's key. Only hashes are stored: the record's id is a hash of
scope and key, the request's fingerprint a hash of the operation and its input. The one secret an
answer can hold (registerOrganization's API key) is stored encrypted with AES-GCM under a key
derived from scope and idempotency key, which is never stored: only the same caller presenting the
same key can read it back. Records expire after RETENTION (a TTL index) and are written in the
same transaction as the effect, so neither exists without the other.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from market.vocabulary import ErrorCode, Outcome

RETENTION = timedelta(hours=24)
MAX_KEY_LENGTH = 255
FIELD = ("input", "idempotencyKey")


class Replay(Exception):
    """Raised inside a transaction when a request with the same key got there first."""


@dataclass(frozen=True)
class IdempotencyKey:
    record_id: str  # what is stored: sha256 of scope and key
    fingerprint: str  # sha256 of the operation and its input
    sealing_key: bytes  # encrypts secrets in the stored answer; derived, never stored

    def seal(self, secret: str) -> bytes:
        nonce = os.urandom(12)
        return nonce + AESGCM(self.sealing_key).encrypt(nonce, secret.encode(), self.record_id.encode())

    def unseal(self, sealed: bytes) -> str | None:
        try:
            plain = AESGCM(self.sealing_key).decrypt(sealed[:12], sealed[12:], self.record_id.encode())
        except (InvalidTag, ValueError):
            return None
        return plain.decode()


def _hash(*parts: str) -> bytes:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode())
        digest.update(b"\0")  # unambiguous boundaries between parts
    return digest.digest()


def idempotency_key(
    key: str | None, scope: str, operation: str, request: Any
) -> Outcome[IdempotencyKey | None]:
    """The stored form of a client's key for one request, None without a key, or why it is invalid."""
    if key is None:
        return Outcome(None)
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        return Outcome.fail(
            ErrorCode.INVALID, f"1 to {MAX_KEY_LENGTH} printable ASCII characters (a UUID is best)", FIELD
        )
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"), default=str)
    return Outcome(
        IdempotencyKey(
            record_id=_hash("record", scope, key).hex(),
            fingerprint=_hash(operation, canonical).hex(),
            sealing_key=_hash("seal", scope, key),
        )
    )


def reused() -> Outcome[Any]:
    return Outcome.fail(
        ErrorCode.IDEMPOTENCY_KEY_REUSED,
        "this idempotency key was used for a different request; use a new key for a new request",
        FIELD,
    )
