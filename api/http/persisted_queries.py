"""Automatic persisted queries as Apollo Client's persisted-queries link and urql's
persistedExchange speak them (https://www.apollographql.com/docs/apollo-server/performance/apq):

- `extensions.persistedQuery = {version: 1, sha256Hash}` without `query` (GET or POST): the stored text
  runs, or the answer is PERSISTED_QUERY_NOT_FOUND and the client sends hash and query together.
- hash and query together: the hash must be the query's SHA-256 (else PERSISTED_QUERY_HASH_MISMATCH);
  the query runs, and once it has passed validation it is stored for every API instance.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from graphql import GraphQLError
from strawberry.http import GraphQLRequestData

from api.store.persisted_queries import PersistedQueries

SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Registration:
    """A hash and its query to store once the operation has passed validation."""

    sha256_hash: str
    query: str


class PersistedQueryError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.error = GraphQLError(message, extensions={"code": code})


def requested_hash(data: GraphQLRequestData) -> str | None:
    """The persisted query's hash the request names, or None when it uses no persisted query."""
    extension = (data.extensions or {}).get("persistedQuery")
    if extension is None:
        return None
    if not isinstance(extension, dict) or extension.get("version") != 1:
        raise PersistedQueryError("PERSISTED_QUERY_NOT_SUPPORTED", "Unsupported persisted query version")
    sha256_hash = extension.get("sha256Hash")
    if not isinstance(sha256_hash, str) or not SHA256_HEX.match(sha256_hash):
        raise PersistedQueryError(
            "BAD_USER_INPUT", "persistedQuery.sha256Hash must be 64 lowercase hex digits"
        )
    return sha256_hash


async def resolve_persisted_query(store: PersistedQueries, data: GraphQLRequestData) -> Registration | None:
    """Fills `data.query` from the store for a hash-only request; returns what to register when the
    request carries both. Raises PersistedQueryError for what the client must act on."""
    sha256_hash = requested_hash(data)
    if sha256_hash is None:
        return None
    if data.query is None:
        stored = await store.query_of(sha256_hash)
        if stored is None:
            # The message is what older Apollo links compare; the code what current clients read.
            raise PersistedQueryError("PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound")
        data.query = stored
        return None
    if hashlib.sha256(data.query.encode()).hexdigest() != sha256_hash:
        raise PersistedQueryError("PERSISTED_QUERY_HASH_MISMATCH", "provided sha does not match query")
    return Registration(sha256_hash, data.query)
