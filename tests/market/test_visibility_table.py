"""The "who sees what" table as pure predicates, row by row, without a database.

tests/api/http/test_visibility.py keeps the same table as an end-to-end guard over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from market import visibility
from market.lifecycle import effective_rfp_status, proposal_is_revisable, rfp_is_final
from market.records import OrganizationRecord, ProposalRecord, RfpRecord
from market.vocabulary import OrganizationKind, ProposalStatus, RfpStatus, ServiceCategory
from scoring.model import ProposalTerms, RfpContext

NOW = datetime(2026, 6, 1, tzinfo=UTC)
BEFORE, AFTER = NOW - timedelta(days=1), NOW + timedelta(days=1)

BUYER = OrganizationRecord("b1", "Buyer", OrganizationKind.BUYER, NOW)
OTHER_BUYER = OrganizationRecord("b2", "Other buyer", OrganizationKind.BUYER, NOW)
VENDOR = OrganizationRecord("v1", "Vendor", OrganizationKind.VENDOR, NOW)
COMPETITOR = OrganizationRecord("v2", "Competitor", OrganizationKind.VENDOR, NOW)
VIEWERS = {
    "buyer": BUYER,
    "other_buyer": OTHER_BUYER,
    "vendor": VENDOR,
    "competitor": COMPETITOR,
    "anon": None,
}


def rfp(
    status: RfpStatus, *, sealed: bool = False, deadline: datetime = AFTER, disclosed: bool = False
) -> RfpRecord:
    return RfpRecord(
        id="r1",
        buyer_id=BUYER.id,
        title="t",
        scope="s",
        category=ServiceCategory.OTHER,
        status=status,
        sealed=sealed,
        submission_deadline=deadline,
        created_at=BEFORE,
        context=RfpContext.model_construct(**{}),
        proposal_count=1,
        budget_disclosed=disclosed,
    )


PROPOSAL = ProposalRecord(
    id="p1",
    rfp_id="r1",
    vendor_id=VENDOR.id,
    status=ProposalStatus.SUBMITTED,
    version=1,
    submitted_at=BEFORE,
    updated_at=BEFORE,
    terms=ProposalTerms.model_construct(**{}),
    score=None,
)


def who(predicate: object) -> set[str]:
    assert callable(predicate)
    return {name for name, viewer in VIEWERS.items() if predicate(viewer)}


def test_a_draft_is_seen_by_its_buyer_only_and_anything_else_by_every_signed_in_caller() -> None:
    assert who(lambda v: visibility.sees_rfp(v, rfp(RfpStatus.DRAFT))) == {"buyer"}
    for status in (RfpStatus.OPEN, RfpStatus.CLOSED, RfpStatus.AWARDED, RfpStatus.CANCELLED):
        assert who(lambda v, s=status: visibility.sees_rfp(v, rfp(s))) == set(VIEWERS) - {"anon"}


@pytest.mark.parametrize(
    ("sealed", "deadline", "expected"),
    [(False, AFTER, {"buyer"}), (True, AFTER, set()), (True, BEFORE, {"buyer"})],
)
def test_proposals_and_rankings_are_the_buyers_once_unsealed(
    sealed: bool, deadline: datetime, expected: set[str]
) -> None:
    subject = rfp(RfpStatus.OPEN, sealed=sealed, deadline=deadline)
    assert who(lambda v: visibility.sees_proposals_of(v, subject, NOW)) == expected


def test_a_proposal_and_its_score_are_its_vendors_and_the_buyers_once_unsealed() -> None:
    sealed = rfp(RfpStatus.OPEN, sealed=True)
    assert who(lambda v: visibility.sees_proposal(v, PROPOSAL, sealed, NOW)) == {"vendor"}
    assert who(lambda v: visibility.sees_score(v, PROPOSAL, sealed, NOW)) == {"vendor"}
    unsealed = rfp(RfpStatus.OPEN)
    assert who(lambda v: visibility.sees_score(v, PROPOSAL, unsealed, NOW)) == {"vendor", "buyer"}


def test_the_budget_is_the_buyers_until_disclosed_then_whoever_sees_the_rfp() -> None:
    assert who(lambda v: visibility.sees_budget(v, rfp(RfpStatus.OPEN))) == {"buyer"}
    disclosed = rfp(RfpStatus.OPEN, disclosed=True)
    assert who(lambda v: visibility.sees_budget(v, disclosed)) == set(VIEWERS) - {"anon"}
    # A disclosed budget on a DRAFT stays the buyer's: nobody else sees the RFP at all.
    assert who(lambda v: visibility.sees_budget(v, rfp(RfpStatus.DRAFT, disclosed=True))) == {"buyer"}


def test_score_previews_are_the_buyers_and_any_vendors_while_open() -> None:
    assert who(lambda v: visibility.may_preview_score(v, rfp(RfpStatus.OPEN))) == {
        "buyer",
        "vendor",
        "competitor",
    }
    assert who(lambda v: visibility.may_preview_score(v, rfp(RfpStatus.CLOSED))) == {"buyer"}
    assert who(lambda v: visibility.may_preview_score(v, rfp(RfpStatus.DRAFT))) == {"buyer"}


def test_an_open_rfp_past_its_deadline_reads_closed_and_final_states_stay() -> None:
    assert effective_rfp_status(RfpStatus.OPEN, BEFORE, NOW) is RfpStatus.CLOSED
    assert effective_rfp_status(RfpStatus.OPEN, AFTER, NOW) is RfpStatus.OPEN
    assert effective_rfp_status(RfpStatus.DRAFT, BEFORE, NOW) is RfpStatus.DRAFT
    assert {s for s in RfpStatus if rfp_is_final(s)} == {RfpStatus.AWARDED, RfpStatus.CANCELLED}
    assert {s for s in ProposalStatus if proposal_is_revisable(s)} == {
        ProposalStatus.SUBMITTED,
        ProposalStatus.SHORTLISTED,
    }
