"""Organization writes: registration and API keys."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema import enums  # noqa: F401  (registers the enums used below)
from schema.common import (
    INPUT,
    described_mutation,
    local_id,
    user_errors,
)
from schema.context import ContextInfo, context_of, idempotency_key
from schema.organizations.inputs import CreateApiKeyInput, RegisterOrganizationInput, RevokeApiKeyInput
from schema.organizations.types import (
    ApiKey,
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
        description="Issues another API key for the calling organization; it is shown once (at most 10 "
        "active keys)."
    )
    async def create_api_key(
        self, info: ContextInfo, input: Annotated[CreateApiKeyInput, INPUT]
    ) -> CreateApiKeyPayload:
        """Issues another API key for the calling organization; it is shown once."""
        context = context_of(info)
        outcome = await context.market.organizations.create_api_key(context.viewer, input.label)
        if outcome.value is None:
            return CreateApiKeyPayload(api_key=None, key=None, user_errors=user_errors(outcome.errors))
        record, api_key = outcome.value
        return CreateApiKeyPayload(api_key=api_key, key=ApiKey.of(record), user_errors=[])

    @described_mutation(
        description="Revokes one of the calling organization's keys; it stops working at once "
        "(UNAUTHENTICATED)."
    )
    async def revoke_api_key(
        self, info: ContextInfo, input: Annotated[RevokeApiKeyInput, INPUT]
    ) -> RevokeApiKeyPayload:
        """Revokes one of the calling organization's keys; it stops working at once."""
        context = context_of(info)
        outcome = await context.market.organizations.revoke_api_key(
            context.viewer, local_id(input.key_id, "ApiKey")
        )
        key = ApiKey.of(outcome.value) if outcome.value else None
        return RevokeApiKeyPayload(key=key, user_errors=user_errors(outcome.errors))
