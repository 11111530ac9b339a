"""An organization's members (its team), and the payloads of member writes."""

from __future__ import annotations

from datetime import datetime

import strawberry

from market.records import MemberRecord
from market.vocabulary import MemberRole, Outcome
from schema.common import Node, UserError, described_field, to_global_id, user_errors
from schema.context import ContextInfo, context_of
from schema.enums import described_enum
from schema.keys import ApiKey

described_enum(
    MemberRole,
    "MemberRole",
    "A member's role in its organization (README: Roles says what each may do and read).",
    {
        "OWNER": "Everything the organization may do; organization-level keys act as OWNER.",
        "PROCUREMENT_LEAD": "A buyer's lead: runs RFPs, assigns evaluators, opens and records consensus.",
        "EVALUATOR": "A buyer's evaluator: scores qualitative criteria on the RFPs assigned to them.",
        "OBSERVER": "A buyer's observer: reads, changes nothing.",
        "BID_MANAGER": "A vendor's bid manager: submits, revises and withdraws proposals.",
    },
)


@strawberry.type(
    name="Member",
    description="A person of an organization with their own API key and role; seen by their own "
    "organization only.",
)
class Member(Node):
    record: strawberry.Private[MemberRecord]
    name: str = strawberry.field(description="The member's name, as invited.")
    email: str = strawberry.field(description="The member's email, lower-cased; unique in the team.")
    role: MemberRole = strawberry.field(description="What the member may do (README: Roles).")
    active: bool = strawberry.field(
        description="False once deactivated: the member's key stops working at once."
    )
    created_at: datetime = strawberry.field(description="When the member was invited (UTC).")

    @described_field(
        description="The member's own API keys, revoked ones included (ids for revokeApiKey): to the "
        "member itself and its organization's OWNER; empty to anyone else."
    )
    async def api_keys(self, info: ContextInfo) -> list[ApiKey]:

        context = context_of(info)
        keys = await context.market.members.keys_of_member(context.viewer, self.record)
        return [ApiKey.of(key) for key in keys]

    @classmethod
    def of(cls, record: MemberRecord) -> Member:
        return cls(
            record=record,
            id=to_global_id("Member", record.id),
            name=record.name,
            email=record.email,
            role=record.role,
            active=record.active,
            created_at=record.created_at,
        )


@strawberry.type(description="The answer to inviteMember.")
class InviteMemberPayload:
    member: Member | None = strawberry.field(description="The new member; null on userErrors.")
    api_key: str | None = strawberry.field(
        description="The member's API key, shown once (only its hash is kept): hand it to the member."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing was done, by input path.")


@strawberry.type(description="The answer to changeMemberRole and deactivateMember.")
class MemberPayload:
    member: Member | None = strawberry.field(description="The member as changed; null on userErrors.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was done, by input path.")

    @classmethod
    def of(cls, outcome: Outcome[MemberRecord]) -> MemberPayload:
        member = Member.of(outcome.value) if outcome.value else None
        return cls(member=member, user_errors=user_errors(outcome.errors))
