"""Organization writes: registration and API keys."""

from __future__ import annotations

from typing import Annotated

import strawberry

from market.records import ApiKeyRecord
from market.vocabulary import ErrorCode, Outcome
from schema import enums  # noqa: F401  (registers the enums used below)
from schema.common import (
    INPUT,
    described_mutation,
    local_id,
    user_errors,
)
from schema.context import ContextInfo, context_of, idempotency_key
from schema.keys import ApiKey
from schema.organizations.inputs import CreateApiKeyInput, RegisterOrganizationInput, RevokeApiKeyInput
from schema.organizations.types import (
    CreateApiKeyPayload,
    Organization,
    RegisterOrganizationPayload,
    RevokeApiKeyPayload,
)


@strawberry.type
class OrganizationMutation:
    @described_mutation(
        description="Registers a BUYER or VENDOR organization and returns its first API key, shown once. "
        "Open to anonymous callers; rate-limited per client address."
    )
    async def register_organization(
        self, info: ContextInfo, input: Annotated[RegisterOrganizationInput, INPUT]
    ) -> RegisterOrganizationPayload:
        context = context_of(info)
        outcome = await context.market.organizations.register_organization(
            input.name,
            input.kind,
            input.contact_email,
            context.client_address,
            idempotency_key(input.idempotency_key, context),
        )
        if outcome.value is None:
            return RegisterOrganizationPayload(
                organization=None, api_key=None, user_errors=user_errors(outcome.errors)
            )
        organization, api_key = outcome.value
        return RegisterOrganizationPayload(
            organization=Organization.of(organization), api_key=api_key, user_errors=[]
        )

    @described_mutation(
        description="Issues another API key for the caller; it is shown once (at most 10 active keys). "
        "Called with a member's key, it is a key of that member, with the member's role (never an "
        "organization-level key); with an organization-level key, an organization-level key."
    )
    async def create_api_key(
        self, info: ContextInfo, input: Annotated[CreateApiKeyInput, INPUT]
    ) -> CreateApiKeyPayload:
        """Issues another API key for the calling organization; it is shown once."""
        context = context_of(info)
        viewer = context.viewer
        if viewer is not None and viewer.member_id is not None:
            # A member's key makes a key of that member (its role), never an organization-level one.
            outcome = await context.market.members.create_member_api_key(viewer, input.label)
        else:
            outcome = await context.market.organizations.create_api_key(viewer, input.label)
        if outcome.value is None:
            return CreateApiKeyPayload(api_key=None, key=None, user_errors=user_errors(outcome.errors))
        record, api_key = outcome.value
        return CreateApiKeyPayload(api_key=api_key, key=ApiKey.of(record), user_errors=[])

    @described_mutation(
        description="Revokes a key; it stops working at once (UNAUTHENTICATED). A member may revoke "
        "its own keys (not its last live one); the OWNER the organization's keys and any member's."
    )
    async def revoke_api_key(
        self, info: ContextInfo, input: Annotated[RevokeApiKeyInput, INPUT]
    ) -> RevokeApiKeyPayload:
        """Revokes one of the calling organization's keys; it stops working at once."""
        context = context_of(info)
        viewer, key_id = context.viewer, local_id(input.key_id, "ApiKey")
        organizations, members = context.market.organizations, context.market.members
        # A member's keys first for a member (its own; the OWNER's role any member's), the
        # organization's first for an organization-level key; each refuses what it may not touch.
        if viewer is not None and viewer.member_id is not None:
            outcome = await members.revoke_member_api_key(viewer, key_id)
            if _not_found(outcome):
                outcome = await organizations.revoke_api_key(viewer, key_id)
        else:
            outcome = await organizations.revoke_api_key(viewer, key_id)
            if viewer is not None and _not_found(outcome):
                outcome = await members.revoke_member_api_key(viewer, key_id)
        key = ApiKey.of(outcome.value) if outcome.value else None
        return RevokeApiKeyPayload(key=key, user_errors=user_errors(outcome.errors))


def _not_found(outcome: Outcome[ApiKeyRecord]) -> bool:
    return any(error.code is ErrorCode.NOT_FOUND for error in outcome.errors)
