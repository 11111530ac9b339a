"""GraphQL inputs of member writes."""

from __future__ import annotations

import strawberry

from market.vocabulary import MemberRole
from schema.members import types  # noqa: F401  (registers MemberRole)


@strawberry.input(description="A person to add to the caller's organization (OWNER only).")
class InviteMemberInput:
    name: str = strawberry.field(description="The member's name, 1 to 200 characters.")
    email: str = strawberry.field(description="The member's email; one member per email.")
    role: MemberRole = strawberry.field(description="A role of the organization's kind.")


@strawberry.input(description="A new role for a member of the caller's organization (OWNER only).")
class ChangeMemberRoleInput:
    member_id: strawberry.ID = strawberry.field(description="The member's global id.")
    role: MemberRole = strawberry.field(description="A role of the organization's kind.")


@strawberry.input(description="Names a member of the caller's organization.")
class MemberIdInput:
    member_id: strawberry.ID = strawberry.field(description="The member's global id.")
