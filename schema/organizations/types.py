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
    Node,
    UserError,
    to_global_id,
)
from schema.context import ContextInfo, context_of
from schema.webhooks.types import Webhook


@strawberry.type(name="Organization")
class Organization(Node):
    name: str
    kind: OrganizationKind
    created_at: datetime

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


@strawberry.type
class ApiKey:
    id: strawberry.ID
    hint: str = strawberry.field(description="The key's first characters, to tell keys apart.")
    label: str | None
    created_at: datetime
    revoked_at: datetime | None

    @classmethod
    def of(cls, record: ApiKeyRecord) -> ApiKey:
        return cls(
            id=to_global_id("ApiKey", record.id),
            hint=record.hint,
            label=record.label,
            created_at=record.created_at,
            revoked_at=record.revoked_at,
        )


@strawberry.type
class Viewer:
    record: strawberry.Private[OrganizationRecord]
    organization: Organization

    @strawberry.field
    async def api_keys(self, info: ContextInfo) -> list[ApiKey]:
        """The organization's API keys; neither a key nor its hash is ever shown again."""
        return [ApiKey.of(key) for key in await context_of(info).market.organizations.api_keys(self.record)]

    @strawberry.field
    async def webhooks(self, info: ContextInfo) -> list[Webhook]:
        """The organization's webhook endpoints (their secrets are never shown again)."""
        found = await context_of(info).market.webhooks.list_webhooks(self.record)
        return [Webhook.of(record) for record in found]


@strawberry.type
class RegisterOrganizationPayload:
    organization: Organization | None
    api_key: str | None
    user_errors: list[UserError]


@strawberry.type
class CreateApiKeyPayload:
    api_key: str | None = strawberry.field(description="Shown once; store it safely.")
    key: ApiKey | None
    user_errors: list[UserError]


@strawberry.type
class RevokeApiKeyPayload:
    key: ApiKey | None
    user_errors: list[UserError]
