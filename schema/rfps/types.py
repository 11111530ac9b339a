"""RFPs and the proposals made to them, as one graph: an Rfp lists its proposals and each Proposal
points back to its Rfp. The two node types are mutually recursive, so they share this module
(strawberry resolves both in one namespace, with no lazy import); everything else about proposals
lives in schema/proposals."""

from __future__ import annotations

from datetime import datetime
from typing import cast

import strawberry
from graphql import GraphQLError

import scoring
from market.records import (
    Page,
    ProposalRecord,
    RankedPage,
    RfpRecord,
)
from market.vocabulary import InputError, Outcome, ProposalStatus, RfpStatus, ServiceCategory
from schema import enums  # noqa: F401  (registers the enums used below)
from schema.audit.types import (
    AUDIT_TRAIL_DEPRECATION,
    AuditEvent,
    AuditEventConnection,
    audit_events_of,
    audit_trail_of,
)
from schema.clarifications.types import ClarificationConnection
from schema.common import (
    Money,
    Node,
    PageInfo,
    UserError,
    page_size,
    to_global_id,
    user_errors,
)
from schema.context import ContextInfo, context_of
from schema.organizations.types import Organization, load_organization
from schema.rfps.addenda import Addendum
from schema.rfps.debriefs import Debrief
from schema.rfps.listing import ProposalFilter, ProposalOrder, proposal_listing, window
from schema.scores.inputs import ScoringWeightsInput, to_data
from schema.scores.types import (
    ContractTerms,
    KpiRequirement,
    Pricing,
    ProposalScore,
    ScoringWeights,
    Sla,
    VolumeScenario,
    _money,
    pricing_of,
)
from scoring.disclosure import budget_blind


def remember(info: ContextInfo, rfp: RfpRecord) -> RfpRecord:
    """Primes the RFP loader with an RFP just read, so its proposals' `rfp` costs no second read."""
    context_of(info).loaders.rfps.prime(rfp.id, rfp)
    return rfp


@strawberry.type(
    description="A re-weighting under way (updateRfpWeights on a large RFP re-keys its ranking in "
    "batches): the weights it moves to and its progress. Rankings and totals stay under `Rfp.weights` "
    "until it completes, then switch at once. Only the RFP's buyer sees it."
)
class WeightsUpdateProgress:
    weights: ScoringWeights = strawberry.field(description="The weights the RFP moves to.")
    proposals_done: int = strawberry.field(description="Ranking entries re-keyed so far.")
    proposals_total: int = strawberry.field(
        description="Ranking entries when it started (proposals submitted meanwhile key themselves)."
    )
    started_at: datetime = strawberry.field(description="When it started (UTC).")
    updated_at: datetime = strawberry.field(
        description="Its last batch (UTC); one silent for two minutes was interrupted and the next "
        "updateRfpWeights takes it over."
    )


def _weights_update(root: Rfp, info: ContextInfo) -> WeightsUpdateProgress | None:
    context = context_of(info)
    job = root.record.reweighing
    if job is None or context.viewer is None or context.viewer.id != root.record.buyer_id:
        return None
    return WeightsUpdateProgress(
        weights=ScoringWeights(**job.weights.model_dump()),
        proposals_done=job.done,
        proposals_total=job.total,
        started_at=job.started_at,
        updated_at=job.at,
    )


@strawberry.type(name="Rfp")
class Rfp(Node):
    record: strawberry.Private[RfpRecord]
    title: str
    scope: str
    category: ServiceCategory
    status: RfpStatus
    currency_code: str
    submission_deadline: datetime
    evaluation_months: int
    volume: VolumeScenario
    expected_hours_per_month: float | None
    expected_outcomes_per_month: float | None
    requirements: list[KpiRequirement]
    weights: ScoringWeights
    sealed: bool
    budget_disclosed: bool = strawberry.field(
        description="False (the default): vendors see neither monthlyBudget nor anything computed "
        "from it; their scores come in the budget-hidden view. True: vendors see the budget and full scores."
    )
    created_at: datetime
    enquiry_deadline: datetime | None = None
    addenda: list[Addendum] = strawberry.field(default_factory=list)
    debriefs_published: bool = True
    award_published: bool = False
    weights_update: WeightsUpdateProgress | None = strawberry.field(
        description="The re-weighting under way, if any (null otherwise, and for anyone but the "
        "RFP's buyer).",
        resolver=_weights_update,
    )

    @classmethod
    def of(cls, record: RfpRecord) -> Rfp:
        context = record.context
        return cls(
            record=record,
            id=to_global_id("Rfp", record.id),
            title=record.title,
            scope=record.scope,
            category=record.category,
            status=record.status,
            currency_code=context.currency_code,
            submission_deadline=record.submission_deadline,
            evaluation_months=context.evaluation_months,
            volume=VolumeScenario(**context.volume.model_dump()),
            expected_hours_per_month=context.expected_hours_per_month,
            expected_outcomes_per_month=context.expected_outcomes_per_month,
            requirements=[KpiRequirement(**requirement.model_dump()) for requirement in context.requirements],
            weights=ScoringWeights(**context.weights.model_dump()),
            sealed=record.sealed,
            budget_disclosed=record.budget_disclosed,
            created_at=record.created_at,
            enquiry_deadline=record.enquiry_deadline,
            addenda=[Addendum.of(addendum) for addendum in record.addenda],
            debriefs_published=record.debriefs_published,
            award_published=record.award_published,
        )

    @strawberry.field
    async def buyer(self, info: ContextInfo) -> Organization:
        organization = await load_organization(info, self.record.buyer_id)
        assert organization is not None, "every RFP has a buyer"
        return organization

    @strawberry.field
    def monthly_budget(self, info: ContextInfo) -> Money | None:
        context = context_of(info)
        if not context.market.ground.can_see_budget(context.viewer, self.record):
            return None
        return Money.of(self.record.context.monthly_budget)

    @strawberry.field
    async def proposal_count(self, info: ContextInfo) -> int:
        context = context_of(info)
        return await context.loaders.proposal_counts.load(self.record.id)

    @strawberry.field
    async def proposals(
        self,
        info: ContextInfo,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: ProposalFilter | None = None,
        order_by: ProposalOrder | None = None,
    ) -> ProposalConnection:
        context = context_of(info)
        listing = proposal_listing(window(first, after, last, before), filter, order_by)
        page = await context.market.proposals.find_proposals(context.viewer, self.record, listing)
        return ProposalConnection.of(page)

    @strawberry.field
    async def ranked_proposals(
        self,
        info: ContextInfo,
        first: int | None = None,
        after: str | None = None,
        weights: ScoringWeightsInput | None = None,
    ) -> RankedProposalConnection:
        context = context_of(info)
        try:
            ranked = await context.market.ranking.ranked_proposals(
                context.viewer,
                self.record,
                page_size(first),
                after,
                to_data(weights) if weights is not None else None,
            )
        except InputError as error:
            # A bad cursor or weights fail this field only: an empty connection and the error at its
            # path, so the RFP itself still reads (the connection is non-null in the contract).
            extensions = {"code": "BAD_USER_INPUT", "field": [error.argument]}
            context.field_errors.append(
                GraphQLError(error.message, path=info.path.as_list(), extensions=extensions)
            )
            return RankedProposalConnection.of(RankedPage(page=Page.empty(), rfp=self.record))
        return RankedProposalConnection.of(ranked)

    audit_trail: list[AuditEvent] = strawberry.field(
        resolver=audit_trail_of, deprecation_reason=AUDIT_TRAIL_DEPRECATION
    )
    audit_events: AuditEventConnection = strawberry.field(
        resolver=audit_events_of,
        description="Every audit event, oldest first; visible with the object itself.",
    )

    @strawberry.field
    async def clarifications(
        self, info: ContextInfo, first: int | None = None, after: str | None = None
    ) -> ClarificationConnection:
        context = context_of(info)
        page = await context.market.clarifications.list_clarifications(
            context.viewer, self.record, page_size(first), after
        )
        return ClarificationConnection.of(page)


@strawberry.type
class RfpEdge:
    cursor: str
    node: Rfp


@strawberry.type
class RfpConnection:
    edges: list[RfpEdge]
    page_info: PageInfo
    total_count: int

    @classmethod
    def of(cls, page: Page[RfpRecord]) -> RfpConnection:
        return cls(
            edges=[RfpEdge(cursor=cursor, node=Rfp.of(record)) for cursor, record in page.items],
            page_info=PageInfo.of(cast(Page[object], page)),
            total_count=page.total_count,
        )


@strawberry.type(name="Proposal")
class Proposal(Node):
    record: strawberry.Private[ProposalRecord]
    status: ProposalStatus
    version: int
    submitted_at: datetime
    updated_at: datetime
    summary: str
    sla: Sla
    pricing: Pricing
    one_time_fee: Money | None
    annual_escalation_percent: float
    terms: ContractTerms
    needs_confirmation: bool = False

    @classmethod
    def of(cls, record: ProposalRecord) -> Proposal:
        terms = record.terms
        return cls(
            record=record,
            id=to_global_id("Proposal", record.id),
            status=record.status,
            version=record.version,
            submitted_at=record.submitted_at,
            updated_at=record.updated_at,
            summary=terms.summary,
            sla=Sla.of(terms.sla),
            pricing=pricing_of(terms.pricing),
            one_time_fee=_money(terms.one_time_fee),
            annual_escalation_percent=terms.annual_escalation_percent,
            terms=ContractTerms(**terms.terms.model_dump()),
            needs_confirmation=record.needs_confirmation,
        )

    async def _rfp_record(self, info: ContextInfo) -> RfpRecord:
        record = await context_of(info).loaders.rfps.load(self.record.rfp_id)
        assert record is not None, "every proposal has an RFP"
        return record

    @strawberry.field
    async def rfp(self, info: ContextInfo) -> Rfp:
        return Rfp.of(await self._rfp_record(info))

    @strawberry.field
    async def vendor(self, info: ContextInfo) -> Organization:
        organization = await load_organization(info, self.record.vendor_id)
        assert organization is not None, "every proposal has a vendor"
        return organization

    @strawberry.field
    async def score(self, info: ContextInfo) -> ProposalScore | None:
        if self.record.score is None:
            return None
        context = context_of(info)
        rfp = await self._rfp_record(info)
        if not context.market.ground.can_see_score(context.viewer, self.record, rfp):
            return None
        # Under the RFP's current weights: a re-weighting leaves stored scores be (Rfp.reweighing).
        score = scoring.under_weights(self.record.score, rfp.context.weights)
        if not context.market.ground.can_see_budget(context.viewer, rfp):
            return ProposalScore.of(budget_blind(score))  # the vendor, budget undisclosed
        return ProposalScore.of(score)

    @strawberry.field
    async def debrief(self, info: ContextInfo) -> Debrief | None:
        context = context_of(info)
        rfp = await self._rfp_record(info)
        found = await context.market.debriefs.debrief(context.viewer, self.record, rfp)
        if found is None:
            return None
        return Debrief.from_record(found, context.market.ground.can_see_budget(context.viewer, rfp))

    audit_trail: list[AuditEvent] = strawberry.field(
        resolver=audit_trail_of, deprecation_reason=AUDIT_TRAIL_DEPRECATION
    )
    audit_events: AuditEventConnection = strawberry.field(
        resolver=audit_events_of,
        description="Every audit event, oldest first; visible with the object itself.",
    )


@strawberry.type
class ProposalEdge:
    cursor: str
    node: Proposal


@strawberry.type
class ProposalConnection:
    edges: list[ProposalEdge]
    page_info: PageInfo
    total_count: int

    @classmethod
    def of(cls, page: Page[ProposalRecord]) -> ProposalConnection:
        return cls(
            edges=[ProposalEdge(cursor=cursor, node=Proposal.of(record)) for cursor, record in page.items],
            page_info=PageInfo.of(cast(Page[object], page)),
            total_count=page.total_count,
        )


@strawberry.type
class RankedProposalEdge:
    cursor: str
    rank: int
    score: ProposalScore
    node: Proposal


@strawberry.type
class RankedProposalConnection:
    ranked: strawberry.Private[RankedPage]
    edges: list[RankedProposalEdge]
    page_info: PageInfo
    total_count: int

    @classmethod
    def of(cls, ranked: RankedPage) -> RankedProposalConnection:
        page = ranked.page
        return cls(
            ranked=ranked,
            edges=[
                RankedProposalEdge(
                    cursor=cursor,
                    rank=item.rank,
                    score=ProposalScore.of(item.score),
                    node=Proposal.of(item.proposal),
                )
                for cursor, item in page.items
            ],
            page_info=PageInfo.of(cast(Page[object], page)),
            total_count=page.total_count,
        )

    @strawberry.field
    async def rank_stability(self, info: ContextInfo) -> float | None:
        # Computed only when asked for: it reads every live entry of the RFP.
        if self.ranked.page.total_count == 0:
            return None
        return await context_of(info).market.ranking.rank_stability(
            self.ranked.rfp, self.ranked.weights_override
        )


@strawberry.type
class RfpPayload:
    rfp: Rfp | None
    user_errors: list[UserError]

    @classmethod
    def of(cls, outcome: Outcome[RfpRecord]) -> RfpPayload:
        rfp = Rfp.of(outcome.value) if outcome.value else None
        return cls(rfp=rfp, user_errors=user_errors(outcome.errors))
