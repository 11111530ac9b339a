"""GraphQL inputs of organization writes."""

from __future__ import annotations

import strawberry

from market.vocabulary import OrganizationKind
from schema import enums  # noqa: F401  (registers the enums used below)
from schema.common import (
    IDEMPOTENCY_KEY,
)


@strawberry.input
class RegisterOrganizationInput:
    name: str
    kind: OrganizationKind
    contact_email: str
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input
class CreateApiKeyInput:
    label: str | None = None


@strawberry.input
class RevokeApiKeyInput:
    key_id: strawberry.ID
