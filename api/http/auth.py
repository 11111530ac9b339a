"""Bearer authentication: `Authorization: Bearer <apiKey>` names the calling organization."""

from __future__ import annotations

from collections.abc import Mapping

from api.observability.requests import note_caller
from api.services.market import MarketService
from market.records import OrganizationRecord

# Longer than any key we issue: refused without a database read.
MAX_TOKEN_LENGTH = 200
UNAUTHENTICATED_MESSAGE = (
    "The API key is unknown or revoked: sign in again and send `Authorization: Bearer <key>`"
)


class Unauthenticated(Exception):
    """A Bearer key was sent but names no live key: the client must sign in again, so it is told,
    never silently served as anonymous (which would look like an empty account)."""


def bearer_token(headers: Mapping[str, str]) -> str | None:
    scheme, _, token = headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    return token


async def authenticate(market: MarketService, headers: Mapping[str, str]) -> OrganizationRecord | None:
    """The caller, or None for anonymous. An unknown or revoked key is anonymous: it sees nothing."""
    token = bearer_token(headers)
    if token is None or len(token) > MAX_TOKEN_LENGTH:
        return None
    viewer = await market.authenticate(token)
    note_caller(viewer)  # the access line's caller kind, on every route (exports included)
    return viewer


async def authenticate_strictly(
    market: MarketService, headers: Mapping[str, str]
) -> OrganizationRecord | None:
    """The caller, or None when no Bearer key was sent (anonymous, where anonymous access is allowed).
    Raises Unauthenticated for a key that is sent but unknown, revoked or malformed."""
    if bearer_token(headers) is None:
        return None
    viewer = await authenticate(market, headers)
    if viewer is None:
        raise Unauthenticated(UNAUTHENTICATED_MESSAGE)
    return viewer
