"""The API key as GraphQL shows it: an organization's (Viewer.apiKeys) or a member's (Member.apiKeys).
Its own module because both schema/organizations and schema/members show keys, and organizations
already imports members (Organization.members): one type, no import circle."""

from __future__ import annotations

from datetime import datetime

import strawberry

from market.records import ApiKeyRecord
from schema.common import to_global_id


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
