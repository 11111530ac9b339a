"""Bearer authentication: `Authorization: Bearer <apiKey>` names the calling organization."""

from __future__ import annotations

from collections.abc import Mapping

from api.observability.requests import note_caller
from api.services.market import MarketService
from market.records import OrganizationRecord


def bearer_token(headers: Mapping[str, str]) -> str | None:
    scheme, _, token = headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    return token


async def authenticate(market: MarketService, headers: Mapping[str, str]) -> OrganizationRecord | None:
    """The caller, or None for anonymous. An unknown or revoked key is anonymous: it sees nothing."""
    token = bearer_token(headers)
    if token is None or len(token) > 200:
        return None
    viewer = await market.organizations.authenticate(token)
    note_caller(viewer)  # the access line's caller kind, on every route (exports included)
    return viewer
