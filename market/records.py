"""The plain records of the marketplace (built by api/, read by schema/ and the exports).

Records are frozen dataclasses holding the scoring models, so a resolver never sees a MongoDB
document and the schema can be tested with records built by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Generic, TypeVar

from market.vocabulary import (
    ClarificationStatus,
    MemberRole,
    OrganizationKind,
    ProposalStatus,
    RfpStatus,
    ServiceCategory,
)
from scoring.model import ProposalScore, ProposalTerms, RfpContext, Weights
from scoring.qualitative import JoinedTotal

T = TypeVar("T")


@dataclass(frozen=True)
class OrganizationRecord:
    id: str
    name: str
    kind: OrganizationKind
    created_at: datetime
    # The caller as a viewer: the member whose key was sent (None for an organization-level key,
    # which acts as the OWNER) and the role every permission check reads (market/roles.py).
    member_id: str | None = None
    role: MemberRole = MemberRole.OWNER


@dataclass(frozen=True)
class MemberRecord:
    """A person of an organization with their own API key and role; a deactivated member's key
    stops working at once."""

    id: str
    organization_id: str
    name: str
    email: str
    role: MemberRole
    active: bool
    created_at: datetime


@dataclass(frozen=True)
class ApiKeyRecord:
    id: str
    hint: str
    label: str | None
    created_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True)
class AuditRecord:
    at: datetime
    actor_id: str | None
    action: str
    changed_fields: tuple[str, ...]
    changed_fields_omitted: int = 0  # beyond the cap on changed_fields
    id: str = ""
    actor_member_id: str | None = None  # the member who acted; None for an organization-level key


@dataclass(frozen=True)
class RankingDigest:
    """What the RFP keeps of its ranking so no read scans it: the number and the sum of its live
    costs and the costs the next-price half of ABNORMALLY_LOW_PRICE flags (with their next price),
    all kept exact by every write's own transaction; and the ranking key at every FENCE_SPACING-th
    rank, refreshed in the background now and then, which bounds a page's range scan (a hint only)."""

    count: int
    total: Decimal | None = None  # None: written before issue 14, until the start-up migration
    flagged_next: tuple[tuple[Decimal, Decimal], ...] = ()
    fences: tuple[str, ...] = ()
    version: int = -1  # bumped by every write that changes an entry; -1: none yet

    def next_prices(self) -> dict[Decimal, Decimal]:
        return dict(self.flagged_next)


@dataclass(frozen=True)
class ReweighingRecord:
    """A ranking job under way: a re-weighting (the weights it moves to) or an addendum's rescoring
    (`context`: the amended context, whose weights are `weights`), and how many entries it has done."""

    weights: Weights
    done: int
    total: int
    started_at: datetime
    at: datetime  # the last batch: a job silent for long was interrupted and may be taken over
    context: RfpContext | None = None  # set for an addendum's rescoring: writes score under it too
    confirm: bool = False  # the addendum asks every vendor to confirm (needsConfirmation)
    addendum: int | None = None  # the number the pending addendum gets when it switches in


@dataclass(frozen=True)
class AddendumRecord:
    """A numbered amendment of an OPEN RFP: what changed, as input paths (like the audit trail)."""

    number: int
    summary: str
    at: datetime
    changed_fields: tuple[str, ...]


@dataclass(frozen=True)
class QualitativeCriterionRecord:
    """A criterion no formula scores (the transition plan, references): evaluators score it from 0
    to scale_max, guided by one text per level; weight is its share of the RFP's total."""

    id: str
    name: str
    description: str
    scale_max: int
    weight: float
    guidance: tuple[str, ...] = ()


@dataclass(frozen=True)
class DeclarationRecord:
    """An evaluator's conflict-of-interest declaration about one vendor of an RFP: final once made."""

    member_id: str
    vendor_id: str
    conflict: bool
    note: str | None
    at: datetime


@dataclass(frozen=True)
class EvaluationRecord:
    """One evaluator's score of one proposal on one qualitative criterion, with its justification."""

    id: str
    rfp_id: str
    proposal_id: str
    criterion_id: str
    member_id: str
    score: float
    justification: str
    at: datetime


@dataclass(frozen=True)
class ConsensusRecord:
    """The lead's agreed score of a proposal on a criterion, with the evaluators' mean and spread
    when it was recorded: the score that enters the total."""

    proposal_id: str
    criterion_id: str
    score: float
    reason: str
    rfp_id: str
    mean: float
    spread: float
    at: datetime


@dataclass(frozen=True)
class RfpRecord:
    id: str
    buyer_id: str
    title: str
    scope: str
    category: ServiceCategory
    status: RfpStatus  # effective: an OPEN RFP past its deadline reads CLOSED
    sealed: bool
    submission_deadline: datetime
    created_at: datetime
    context: RfpContext
    proposal_count: int
    updated_at: datetime | None = None
    ranking_digest: RankingDigest | None = None
    budget_disclosed: bool = False  # until the buyer discloses it, vendors learn nothing of the budget
    enquiry_deadline: datetime | None = None  # clarification questions until then (else the deadline)
    addenda: tuple[AddendumRecord, ...] = ()
    debriefs_published: bool = True  # once AWARDED, each vendor reads its own debrief
    award_published: bool = False  # debriefs name the winner and its total only once published
    debrief_comment: str | None = None
    # The evaluation team (issue 17): qualitative criteria, assigned evaluators (member ids), their
    # conflict declarations, and whether the lead opened consensus (evaluators then see each other).
    qualitative_criteria: tuple[QualitativeCriterionRecord, ...] = ()
    evaluator_ids: tuple[str, ...] = ()
    declarations: tuple[DeclarationRecord, ...] = ()
    consensus_open: bool = False
    # Which ranking key field orders the RFP's entries ("key" or "keyB"): re-weighting writes the
    # other one in batches, then switches it with the weights in one small transaction.
    rank_field: str = "key"
    reweighing: ReweighingRecord | None = None
    # Which score slot is live (0 or 1): an addendum's rescoring writes the other one in batches,
    # then switches it with the context and rank_field in one small transaction. Read it only
    # through live_score / live_needs_confirmation (and api.store.rankings.live_entry).
    score_slot: int = 0

    def accepts_questions(self, now: datetime) -> bool:
        """Vendors may ask while the RFP is open and its enquiry period lasts."""
        last = self.enquiry_deadline or self.submission_deadline
        return self.status is RfpStatus.OPEN and now < last

    def is_unsealed(self, now: datetime) -> bool:
        return not self.sealed or now >= self.submission_deadline


@dataclass(frozen=True)
class ClarificationRecord:
    """A question on an RFP and the buyer's answer. `asker_id` is None for a clarification the buyer
    published unasked; once ANSWERED it is published to every vendor, without the asker."""

    id: str
    rfp_id: str
    asker_id: str | None
    question: str
    answer: str | None
    status: ClarificationStatus
    asked_at: datetime
    answered_at: datetime | None


@dataclass(frozen=True)
class ProposalRecord:
    id: str
    rfp_id: str
    vendor_id: str
    status: ProposalStatus
    version: int
    submitted_at: datetime
    updated_at: datetime
    terms: ProposalTerms
    score: ProposalScore | None  # slot 0: read through live_score(proposal, rfp)
    needs_confirmation: bool = False  # an addendum changed what it was bid on: confirm or revise
    score_b: ProposalScore | None = None  # slot 1 (RfpRecord.score_slot says which is live)
    needs_confirmation_b: bool = False


def live_score(proposal: ProposalRecord, rfp: RfpRecord) -> ProposalScore | None:
    """The proposal's score in the RFP's live slot: the one accessor of stored proposal scores (an
    addendum's rescoring fills the other slot while readers keep reading this one)."""
    return proposal.score_b if rfp.score_slot else proposal.score


def live_needs_confirmation(proposal: ProposalRecord, rfp: RfpRecord) -> bool:
    """Whether the proposal awaits its vendor's confirmation, in the RFP's live slot."""
    return proposal.needs_confirmation_b if rfp.score_slot else proposal.needs_confirmation


@dataclass(frozen=True)
class DebriefRecord:
    """What an unsuccessful (or successful) tenderer learns once the RFP is AWARDED: its rank of N,
    its score, the winner's criteria (never its prices or terms), the winner's name and score only
    once the buyer published the award, and the buyer's comment."""

    rank: int
    of: int
    score: ProposalScore
    winner_score: ProposalScore | None
    winner_name: str | None
    comment: str | None


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a connection: items with their cursors."""

    items: tuple[tuple[str, T], ...]
    has_next_page: bool
    has_previous_page: bool
    total_count: int

    @classmethod
    def empty(cls) -> Page[T]:
        return cls(items=(), has_next_page=False, has_previous_page=False, total_count=0)


@dataclass(frozen=True)
class RankedItem:
    rank: int
    proposal: ProposalRecord
    score: ProposalScore
    joined: JoinedTotal | None = None  # the overall total with qualitative criteria, when the RFP has any


@dataclass(frozen=True)
class RankedPage:
    page: Page[RankedItem]
    rfp: RfpRecord
    weights_override: Weights | None = None  # what-if weights, None for the RFP's own
