"""GraphQL types of organizations: the organization and the payloads of its writes (the viewer,
which also lists a vendor's proposals, is schema/viewer.py)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from market.records import (
    OrganizationRecord,
)
from market.vocabulary import OrganizationKind
from schema import enums  # noqa: F401  (registers the enums used below)
from schema.common import (
    USER_ERRORS,
    Node,
    UserError,
    from_global_id,
    to_global_id,
)
from schema.context import ContextInfo, context_of
from schema.keys import ApiKey
from schema.members.types import Member


async def _members_of(root: strawberry.Parent[Organization], info: ContextInfo) -> list[Member]:
    context = context_of(info)
    local = from_global_id(root.id, "Organization")
    found = await context.market.members.members(context.viewer, local[1] if local else "")
    return [Member.of(member) for member in found]


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

    members: list[Member] = strawberry.field(
        resolver=_members_of,
        description="The organization's members; seen by the organization itself only (empty for "
        "anyone else).",
    )

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
