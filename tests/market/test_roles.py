"""The role table as a table: every role against every action, spelled out here as README's "Roles"
table says it, so a change to market/roles.py that README does not make fails here."""

from __future__ import annotations

import pytest

from market.roles import Action, may, role_fits
from market.vocabulary import MemberRole, OrganizationKind

A = Action
R = MemberRole

# README, "Roles": what each role may do (anything not listed is refused with FORBIDDEN).
EXPECTED: dict[MemberRole, set[Action]] = {
    R.OWNER: set(Action) - {A.EVALUATE},
    R.PROCUREMENT_LEAD: {
        A.DRAFT_RFP,
        A.PUBLISH,
        A.AMEND,
        A.ANSWER_QUESTIONS,
        A.AWARD,
        A.EXPORT,
        A.READ_PROPOSALS,
        A.LEAD_EVALUATION,
    },
    R.EVALUATOR: {A.EVALUATE},
    R.OBSERVER: {A.READ_PROPOSALS, A.EXPORT},
    R.BID_MANAGER: {A.BID},
}


@pytest.mark.parametrize("role", list(MemberRole))
@pytest.mark.parametrize("action", list(Action))
def test_role_table(role: MemberRole, action: Action) -> None:
    assert may(role, action) is (action in EXPECTED[role])


@pytest.mark.parametrize(
    ("kind", "role", "fits"),
    [
        (OrganizationKind.BUYER, R.OWNER, True),
        (OrganizationKind.BUYER, R.PROCUREMENT_LEAD, True),
        (OrganizationKind.BUYER, R.EVALUATOR, True),
        (OrganizationKind.BUYER, R.OBSERVER, True),
        (OrganizationKind.BUYER, R.BID_MANAGER, False),
        (OrganizationKind.VENDOR, R.OWNER, True),
        (OrganizationKind.VENDOR, R.BID_MANAGER, True),
        (OrganizationKind.VENDOR, R.EVALUATOR, False),
        (OrganizationKind.VENDOR, R.PROCUREMENT_LEAD, False),
        (OrganizationKind.VENDOR, R.OBSERVER, False),
    ],
)
def test_roles_of_each_kind(kind: OrganizationKind, role: MemberRole, fits: bool) -> None:
    assert role_fits(kind, role) is fits
