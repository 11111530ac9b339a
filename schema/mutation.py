"""Mutation root: thin resolvers that call one market use case and shape its outcome."""

from __future__ import annotations

import strawberry

from market.records import ProposalRecord, RfpRecord
from market.vocabulary import Outcome
from schema.common import local_id, user_errors
from schema.context import Context
from schema.inputs import (
    AwardProposalInput,
    CreateApiKeyInput,
    CreateRfpInput,
    ProposalIdInput,
    RegisterOrganizationInput,
    ReviseProposalInput,
    RevokeApiKeyInput,
    RfpIdInput,
    SubmitProposalInput,
    UpdateRfpWeightsInput,
    to_data,
)
from schema.types import (
    ApiKey,
    ContextInfo,
    CreateApiKeyPayload,
    Organization,
    Proposal,
    ProposalPayload,
    RegisterOrganizationPayload,
    RevokeApiKeyPayload,
    Rfp,
    RfpPayload,
    _context,
)


def _rfp_payload(outcome: Outcome[RfpRecord]) -> RfpPayload:
    return RfpPayload(
        rfp=Rfp.of(outcome.value) if outcome.value else None, user_errors=user_errors(outcome.errors)
    )


def _proposal_payload(outcome: Outcome[ProposalRecord]) -> ProposalPayload:
    proposal = Proposal.of(outcome.value) if outcome.value else None
    return ProposalPayload(proposal=proposal, user_errors=user_errors(outcome.errors))


def _key(from_input: str | None, context: Context) -> str | None:
    """The input's idempotencyKey, else the request's `Idempotency-Key` header."""
    return from_input if from_input is not None else context.idempotency_key


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def register_organization(
        self, info: ContextInfo, input: RegisterOrganizationInput
    ) -> RegisterOrganizationPayload:
        context = _context(info)
        outcome = await context.market.register_organization(
            input.name,
            input.kind,
            input.contact_email,
            context.client_address,
            _key(input.idempotency_key, context),
        )
        if outcome.value is None:
            return RegisterOrganizationPayload(
                organization=None, api_key=None, user_errors=user_errors(outcome.errors)
            )
        organization, api_key = outcome.value
        return RegisterOrganizationPayload(
            organization=Organization.of(organization), api_key=api_key, user_errors=[]
        )

    @strawberry.mutation
    async def create_api_key(self, info: ContextInfo, input: CreateApiKeyInput) -> CreateApiKeyPayload:
        """Issues another API key for the calling organization; it is shown once."""
        context = _context(info)
        outcome = await context.market.create_api_key(context.viewer, input.label)
        if outcome.value is None:
            return CreateApiKeyPayload(api_key=None, key=None, user_errors=user_errors(outcome.errors))
        record, api_key = outcome.value
        return CreateApiKeyPayload(api_key=api_key, key=ApiKey.of(record), user_errors=[])

    @strawberry.mutation
    async def revoke_api_key(self, info: ContextInfo, input: RevokeApiKeyInput) -> RevokeApiKeyPayload:
        """Revokes one of the calling organization's keys; it stops working at once."""
        context = _context(info)
        outcome = await context.market.revoke_api_key(context.viewer, local_id(input.key_id, "ApiKey"))
        key = ApiKey.of(outcome.value) if outcome.value else None
        return RevokeApiKeyPayload(key=key, user_errors=user_errors(outcome.errors))

    @strawberry.mutation
    async def create_rfp(self, info: ContextInfo, input: CreateRfpInput) -> RfpPayload:
        context = _context(info)
        data = to_data(input)
        data.pop("idempotencyKey", None)  # not part of the RFP; the market gets it on its own
        return _rfp_payload(
            await context.market.create_rfp(context.viewer, data, _key(input.idempotency_key, context))
        )

    @strawberry.mutation
    async def publish_rfp(self, info: ContextInfo, input: RfpIdInput) -> RfpPayload:
        context = _context(info)
        return _rfp_payload(await context.market.publish_rfp(context.viewer, local_id(input.rfp_id, "Rfp")))

    @strawberry.mutation
    async def close_rfp(self, info: ContextInfo, input: RfpIdInput) -> RfpPayload:
        context = _context(info)
        return _rfp_payload(await context.market.close_rfp(context.viewer, local_id(input.rfp_id, "Rfp")))

    @strawberry.mutation
    async def cancel_rfp(self, info: ContextInfo, input: RfpIdInput) -> RfpPayload:
        context = _context(info)
        return _rfp_payload(await context.market.cancel_rfp(context.viewer, local_id(input.rfp_id, "Rfp")))

    @strawberry.mutation
    async def update_rfp_weights(self, info: ContextInfo, input: UpdateRfpWeightsInput) -> RfpPayload:
        context = _context(info)
        outcome = await context.market.update_rfp_weights(
            context.viewer, local_id(input.rfp_id, "Rfp"), to_data(input.weights)
        )
        return _rfp_payload(outcome)

    @strawberry.mutation
    async def submit_proposal(self, info: ContextInfo, input: SubmitProposalInput) -> ProposalPayload:
        context = _context(info)
        outcome = await context.market.submit_proposal(
            context.viewer,
            local_id(input.rfp_id, "Rfp"),
            to_data(input.proposal),
            _key(input.idempotency_key, context),
        )
        return _proposal_payload(outcome)

    @strawberry.mutation
    async def revise_proposal(self, info: ContextInfo, input: ReviseProposalInput) -> ProposalPayload:
        context = _context(info)
        outcome = await context.market.revise_proposal(
            context.viewer,
            local_id(input.proposal_id, "Proposal"),
            input.expected_version,
            to_data(input.proposal),
            _key(input.idempotency_key, context),
        )
        return _proposal_payload(outcome)

    @strawberry.mutation
    async def withdraw_proposal(self, info: ContextInfo, input: ProposalIdInput) -> ProposalPayload:
        context = _context(info)
        outcome = await context.market.withdraw_proposal(
            context.viewer, local_id(input.proposal_id, "Proposal")
        )
        return _proposal_payload(outcome)

    @strawberry.mutation
    async def shortlist_proposal(self, info: ContextInfo, input: ProposalIdInput) -> ProposalPayload:
        context = _context(info)
        outcome = await context.market.shortlist_proposal(
            context.viewer, local_id(input.proposal_id, "Proposal")
        )
        return _proposal_payload(outcome)

    @strawberry.mutation
    async def award_proposal(self, info: ContextInfo, input: AwardProposalInput) -> RfpPayload:
        context = _context(info)
        return _rfp_payload(
            await context.market.award_proposal(context.viewer, local_id(input.proposal_id, "Proposal"))
        )
