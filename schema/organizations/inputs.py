"""GraphQL inputs of organization writes."""

from __future__ import annotations

import strawberry

from market.vocabulary import OrganizationKind
from schema import enums  # noqa: F401  (registers the enums used below)
from schema.common import (
    IDEMPOTENCY_KEY,
)


@strawberry.input(description="A new organization.")
class RegisterOrganizationInput:
    name: str = strawberry.field(
        description="One line, 1-200 characters, no control or invisible characters; unique on the "
        "marketplace (ignoring case and spacing)."
    )
    kind: OrganizationKind = strawberry.field(description="BUYER or VENDOR; cannot change later.")
    contact_email: str = strawberry.field(
        description="An email address, up to 254 characters; never shown to other organizations."
    )
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)


@strawberry.input(description="Another API key for the caller's organization.")
class CreateApiKeyInput:
    label: str | None = strawberry.field(
        default=None, description="A label to tell keys apart, up to 100 characters; default none."
    )


@strawberry.input(description="The key to revoke.")
class RevokeApiKeyInput:
    key_id: strawberry.ID = strawberry.field(description="The ApiKey's id (Viewer.apiKeys).")
