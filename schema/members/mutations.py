"""Member writes: invite, change role, deactivate (OWNER only; audited with the member who acted)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.common import INPUT, local_id, user_errors
from schema.context import ContextInfo, context_of
from schema.members.inputs import ChangeMemberRoleInput, InviteMemberInput, MemberIdInput
from schema.members.types import InviteMemberPayload, Member, MemberPayload


async def _invite_member(
    info: ContextInfo, input: Annotated[InviteMemberInput, INPUT]
) -> InviteMemberPayload:
    context = context_of(info)
    data = {"name": input.name, "email": input.email, "role": input.role}
    outcome = await context.market.members.invite_member(context.viewer, data)
    if outcome.value is None:
        return InviteMemberPayload(member=None, api_key=None, user_errors=user_errors(outcome.errors))
    member, api_key = outcome.value
    return InviteMemberPayload(member=Member.of(member), api_key=api_key, user_errors=[])


async def _change_member_role(
    info: ContextInfo, input: Annotated[ChangeMemberRoleInput, INPUT]
) -> MemberPayload:
    context = context_of(info)
    member_id = local_id(input.member_id, "Member")
    return MemberPayload.of(
        await context.market.members.change_member_role(context.viewer, member_id, input.role)
    )


async def _deactivate_member(info: ContextInfo, input: Annotated[MemberIdInput, INPUT]) -> MemberPayload:
    context = context_of(info)
    member_id = local_id(input.member_id, "Member")
    return MemberPayload.of(await context.market.members.deactivate_member(context.viewer, member_id))


@strawberry.type
class MemberMutation:
    invite_member: InviteMemberPayload = strawberry.mutation(
        resolver=_invite_member,
        description="Adds a member to the caller's organization with their own API key, shown once.",
    )
    change_member_role: MemberPayload = strawberry.mutation(
        resolver=_change_member_role, description="Gives a member of the caller's organization another role."
    )
    deactivate_member: MemberPayload = strawberry.mutation(
        resolver=_deactivate_member,
        description="Deactivates a member: their API key stops working at once.",
    )
