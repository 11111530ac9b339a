"""What each member role may do: THE role table (README's "Roles" tables), consulted by the services.

An organization-level API key acts as the OWNER. The organization's kind is checked separately by
each use case (only a buyer creates RFPs, only a vendor bids); this table only narrows what a member
of that organization may do. Pure: no I/O.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from market.vocabulary import ErrorCode, MemberRole, OrganizationKind, Outcome


class Action(str, Enum):
    MANAGE_TEAM = "MANAGE_TEAM"  # invite, change roles, deactivate; API keys and webhooks
    DRAFT_RFP = "DRAFT_RFP"  # createRfp
    PUBLISH = "PUBLISH"  # publish, close, cancel an RFP
    AMEND = "AMEND"  # amendRfp, updateRfpWeights, configureDebriefs
    ANSWER_QUESTIONS = "ANSWER_QUESTIONS"  # answer, decline, publish clarifications
    AWARD = "AWARD"  # shortlist, award
    EXPORT = "EXPORT"  # CSV, JSON, XLSX, OCDS exports
    READ_PROPOSALS = "READ_PROPOSALS"  # every proposal of the organization's RFPs, the ranking
    LEAD_EVALUATION = "LEAD_EVALUATION"  # assignEvaluators, openConsensus, recordConsensus
    EVALUATE = "EVALUATE"  # declareConflict, submitEvaluation (on RFPs the member is assigned to)
    BID = "BID"  # submit, revise, withdraw, confirm proposals; ask questions


_LEAD = frozenset(
    {
        Action.DRAFT_RFP,
        Action.PUBLISH,
        Action.AMEND,
        Action.ANSWER_QUESTIONS,
        Action.AWARD,
        Action.EXPORT,
        Action.READ_PROPOSALS,
        Action.LEAD_EVALUATION,
    }
)

ROLE_TABLE: dict[MemberRole, frozenset[Action]] = {
    # OWNER may do everything its organization's kind allows, except scoring as an evaluator:
    # evaluators are named people assigned to an RFP, never the organization's key.
    MemberRole.OWNER: frozenset(Action) - {Action.EVALUATE},
    MemberRole.PROCUREMENT_LEAD: _LEAD,
    MemberRole.EVALUATOR: frozenset({Action.EVALUATE}),
    MemberRole.OBSERVER: frozenset({Action.READ_PROPOSALS, Action.EXPORT}),
    MemberRole.BID_MANAGER: frozenset({Action.BID}),
}

ROLES_OF_KIND: dict[OrganizationKind, tuple[MemberRole, ...]] = {
    OrganizationKind.BUYER: (
        MemberRole.OWNER,
        MemberRole.PROCUREMENT_LEAD,
        MemberRole.EVALUATOR,
        MemberRole.OBSERVER,
    ),
    OrganizationKind.VENDOR: (MemberRole.OWNER, MemberRole.BID_MANAGER),
}


def may(role: MemberRole, action: Action) -> bool:
    return action in ROLE_TABLE[role]


def role_fits(kind: OrganizationKind, role: MemberRole) -> bool:
    """A role an organization of this kind may give a member."""
    return role in ROLES_OF_KIND[kind]


def role_forbidden(role: MemberRole, action: Action) -> Outcome[Any] | None:
    """The FORBIDDEN outcome a use case returns when the caller's role may not do this, else None."""
    if may(role, action):
        return None
    return Outcome.fail(ErrorCode.FORBIDDEN, f"a member with the role {role.value} may not do this")
