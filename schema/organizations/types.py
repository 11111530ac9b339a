"""GraphQL types of organizations: the organization, the viewer and its API keys, their payloads."""

from __future__ import annotations

from datetime import datetime

import strawberry

from market.records import (
    ApiKeyRecord,
    OrganizationRecord,
)
from market.vocabulary import OrganizationKind
from schema import enums  # noqa: F401  (registers the enums used below)
from schema.common import (
    USER_ERRORS,
    Node,
    UserError,
    described_field,
    to_global_id,
)
from schema.context import ContextInfo, context_of


@strawberry.type(
    name="Organization",
    description="A buyer or a vendor. Signed-in callers see buyers; a vendor is seen by itself and by "
    "buyers only, so vendors cannot list their competitors.",
)
class Organization(Node):
    name: str = strawberry.field(
        description="One line, 1-200 characters, unique on the marketplace (ignoring case and spacing)."
    )
    kind: OrganizationKind = strawberry.field(description="BUYER or VENDOR, fixed at registration.")
    created_at: datetime = strawberry.field(description="When it registered.")

    @classmethod
    def of(cls, record: OrganizationRecord) -> Organization:
        return cls(
            id=to_global_id("Organization", record.id),
            name=record.name,
            kind=record.kind,
            created_at=record.created_at,
        )


async def load_organization(info: ContextInfo, organization_id: str | None) -> Organization | None:
    if organization_id is None:
        return None
    record = await context_of(info).loaders.organizations.load(organization_id)
    return Organization.of(record) if record else None


@strawberry.type(
    description="One of the viewer's API keys, without the key itself (only its SHA-256 is stored)."
)
class ApiKey:
    id: strawberry.ID = strawberry.field(description="The key's id, for revokeApiKey.")
    hint: str = strawberry.field(description="The key's first characters, to tell keys apart.")
    label: str | None = strawberry.field(description="The label given at creation (up to 100 characters).")
    created_at: datetime = strawberry.field(description="When it was issued.")
    revoked_at: datetime | None = strawberry.field(description="When it was revoked; null while it works.")

    @classmethod
    def of(cls, record: ApiKeyRecord) -> ApiKey:
        return cls(
            id=to_global_id("ApiKey", record.id),
            hint=record.hint,
            label=record.label,
            created_at=record.created_at,
            revoked_at=record.revoked_at,
        )


@strawberry.type(description="The signed-in caller: the organization its API key belongs to.")
class Viewer:
    record: strawberry.Private[OrganizationRecord]
    organization: Organization = strawberry.field(description="The caller's organization.")

    @described_field(
        description="The organization's API keys, revoked ones included; neither a key nor its hash is "
        "ever shown again."
    )
    async def api_keys(self, info: ContextInfo) -> list[ApiKey]:
        """The organization's API keys; neither a key nor its hash is ever shown again."""
        return [ApiKey.of(key) for key in await context_of(info).market.organizations.api_keys(self.record)]


@strawberry.type(description="The result of registerOrganization.")
class RegisterOrganizationPayload:
    organization: Organization | None = strawberry.field(
        description="The new organization; null when nothing was written."
    )
    api_key: str | None = strawberry.field(
        description="Its first API key, for `Authorization: Bearer <key>`: shown once (and on an "
        "idempotent retry); store it safely."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)


@strawberry.type(description="The result of createApiKey.")
class CreateApiKeyPayload:
    api_key: str | None = strawberry.field(description="Shown once; store it safely.")
    key: ApiKey | None = strawberry.field(description="The new key's record; null when nothing was written.")
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)


@strawberry.type(description="The result of revokeApiKey.")
class RevokeApiKeyPayload:
    key: ApiKey | None = strawberry.field(description="The revoked key; null when nothing was written.")
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)
