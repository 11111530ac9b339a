"""Who sees what: one pure predicate per row of the table in README's "Who sees what".

GraphQL resolvers, the use cases and the exports all ask these, so a rule changes in one place.
`now` is passed in: sealed bids open at the submission deadline.
"""

from __future__ import annotations

from datetime import datetime

from market.records import ClarificationRecord, OrganizationRecord, ProposalRecord, RfpRecord
from market.vocabulary import ClarificationStatus, OrganizationKind, ProposalStatus, RfpStatus


def owns_rfp(viewer: OrganizationRecord | None, rfp: RfpRecord) -> bool:
    """The RFP's buyer."""
    return viewer is not None and viewer.id == rfp.buyer_id


def sees_rfp(viewer: OrganizationRecord | None, rfp: RfpRecord) -> bool:
    """A DRAFT only its buyer; anything else every signed-in organization. Anonymous callers nothing."""
    if viewer is None:
        return False
    return owns_rfp(viewer, rfp) or rfp.status is not RfpStatus.DRAFT


def sees_proposals_of(viewer: OrganizationRecord | None, rfp: RfpRecord, now: datetime) -> bool:
    """The proposals, their ranking and exports: the buyer, once sealed bids are opened."""
    return owns_rfp(viewer, rfp) and rfp.is_unsealed(now)


def sees_proposal(
    viewer: OrganizationRecord | None, proposal: ProposalRecord, rfp: RfpRecord, now: datetime
) -> bool:
    """One proposal: the vendor who bid it, or whoever sees the RFP's proposals."""
    if viewer is None:
        return False
    return viewer.id == proposal.vendor_id or sees_proposals_of(viewer, rfp, now)


def sees_budget(viewer: OrganizationRecord | None, rfp: RfpRecord) -> bool:
    """The budget and everything computed from it (full scores): its buyer, or whoever sees the RFP
    once the buyer disclosed the budget. Everyone else gets scores through budget_blind."""
    return owns_rfp(viewer, rfp) or (rfp.budget_disclosed and sees_rfp(viewer, rfp))


def sees_score(
    viewer: OrganizationRecord | None, proposal: ProposalRecord, rfp: RfpRecord, now: datetime
) -> bool:
    """A proposal's score: the same people as the proposal itself."""
    return sees_proposal(viewer, proposal, rfp, now)


def may_preview_score(viewer: OrganizationRecord | None, rfp: RfpRecord) -> bool:
    """scorePreview: the buyer, or any vendor while the RFP is open."""
    if not sees_rfp(viewer, rfp):
        return False
    vendor_while_open = (
        viewer is not None and viewer.kind is OrganizationKind.VENDOR and rfp.status is RfpStatus.OPEN
    )
    return owns_rfp(viewer, rfp) or vendor_while_open


def sees_proposal_count(viewer: OrganizationRecord | None, rfp: RfpRecord) -> str:
    """Rfp.proposalCount: "all" for the buyer, "own" (0 or 1) for anyone else signed in, "none" anonymous."""
    if viewer is None:
        return "none"
    return "all" if owns_rfp(viewer, rfp) else "own"


def sees_clarification(
    viewer: OrganizationRecord | None, rfp: RfpRecord, clarification: ClarificationRecord
) -> bool:
    """Rfp.clarifications: the buyer all of them; whoever else sees the RFP the answered (published,
    anonymized) ones and their own questions (asked or declined). Anonymous callers nothing."""
    if viewer is None or not sees_rfp(viewer, rfp):
        return False
    if owns_rfp(viewer, rfp) or clarification.status is ClarificationStatus.ANSWERED:
        return True
    return clarification.asker_id == viewer.id


def sees_asker(viewer: OrganizationRecord | None, clarification: ClarificationRecord) -> bool:
    """Clarification.askedByViewer: true only for the asker; the buyer sees who asked in the audit."""
    return viewer is not None and clarification.asker_id == viewer.id


def sees_debrief(viewer: OrganizationRecord | None, proposal: ProposalRecord, rfp: RfpRecord) -> bool:
    """Proposal.debrief: once the RFP is AWARDED, the vendor who bid it (when the buyer publishes
    debriefs, the default) and the buyer; withdrawn proposals did not compete and have none."""
    if viewer is None or rfp.status is not RfpStatus.AWARDED:
        return False
    if proposal.status not in (ProposalStatus.AWARDED, ProposalStatus.REJECTED):
        return False
    own = viewer.id == proposal.vendor_id and rfp.debriefs_published
    return own or owns_rfp(viewer, rfp)


def sees_winner(viewer: OrganizationRecord | None, rfp: RfpRecord) -> bool:
    """The winner's name and total in a debrief: the buyer, or everyone once the award is published."""
    return owns_rfp(viewer, rfp) or (rfp.award_published and viewer is not None)
