"""RFPs and the proposals made to them, as one graph: an Rfp lists its proposals and each Proposal
points back to its Rfp. The two node types are mutually recursive, so they share this module
(strawberry resolves both in one namespace, with no lazy import); everything else about proposals
lives in schema/proposals."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Annotated, cast

import strawberry

import scoring
from market.records import (
    ClarificationRecord,
    Page,
    ProposalRecord,
    RankedPage,
    RfpRecord,
    live_needs_confirmation,
    live_score,
)
from market.vocabulary import Outcome, ProposalStatus, RfpStatus, ServiceCategory
from schema import enums  # noqa: F401  (registers the enums used below)
from schema.audit.types import (
    AUDIT_TRAIL_DEPRECATION,
    AUDIT_TRAIL_DESCRIPTION,
    AuditEvent,
    AuditEventConnection,
    audit_events_of,
    audit_trail_of,
)
from schema.clarifications.types import ClarificationConnection
from schema.common import (
    CURSOR,
    EDGES,
    PAGE_INFO,
    TOTAL_COUNT,
    USER_ERRORS,
    After,
    Before,
    First,
    Last,
    Money,
    Node,
    PageInfo,
    UserError,
    described_field,
    local_id,
    page_size,
    to_global_id,
    user_errors,
)
from schema.context import ContextInfo, context_of
from schema.members.types import Member
from schema.organizations.types import Organization, load_organization
from schema.paging import within_field
from schema.rfps.addenda import Addendum
from schema.rfps.debriefs import Debrief
from schema.rfps.evaluation import (
    Consensus,
    Evaluation,
    QualitativeCriterion,
    consensus_list_of,
    evaluations_of,
    evaluators_of,
    qualitative_criteria_of,
)
from schema.rfps.listing import ProposalFilter, ProposalOrder, proposal_listing, selects, window
from schema.scores.inputs import QualitativeWeightInput, ScoringWeightsInput, to_data
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
    addendum_number: int | None = strawberry.field(
        default=None,
        description="Set when the job is an addendum's rescoring (amendRfp changed how proposals "
        "score): the number the addendum gets once every proposal is rescored and it takes effect; "
        "until then the RFP, its addenda and every score stay at the previous version. Null for a "
        "re-weighting.",
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
        addendum_number=job.addendum,
    )


@strawberry.type(
    name="Rfp",
    description="A request for proposals: the managed service a buyer wants, the SLAs it requires, its "
    "budget and how proposals are weighed. Its buyer sees it always; every signed-in organization once "
    "published (not a DRAFT); anonymous callers never.",
)
class Rfp(Node):
    record: strawberry.Private[RfpRecord]
    title: str = strawberry.field(description="One line of printable text, 1-200 characters.")
    scope: str = strawberry.field(
        description="What is to be done, in the buyer's words (1-20,000 characters)."
    )
    category: ServiceCategory = strawberry.field(description="The kind of service bought.")
    status: RfpStatus = strawberry.field(
        description="The effective status: an OPEN RFP past its submission deadline reads CLOSED."
    )
    currency_code: str = strawberry.field(
        description="ISO 4217 code; the budget and every amount of every proposal are in this currency."
    )
    submission_deadline: datetime = strawberry.field(
        description="Proposals are accepted before this instant; sealed proposals open at it."
    )
    evaluation_months: int = strawberry.field(
        description="Months over which costs are compared (one-time fees, price escalation), 1-120; "
        "default 12."
    )
    volume: VolumeScenario = strawberry.field(
        description="The monthly volume bought, with its low and high scenarios."
    )
    expected_hours_per_month: float | None = strawberry.field(
        description="Hours of work a month that time-and-materials pricing is costed at; null: such "
        "pricing is costed at its monthly cap."
    )
    expected_outcomes_per_month: float | None = strawberry.field(
        description="Outcomes a month that outcome-based pricing is costed at; null: outcome-based "
        "pricing is refused."
    )
    requirements: list[KpiRequirement] = strawberry.field(
        description="KPIs every proposal must offer, at least as strictly and enforceably, to be eligible."
    )
    weights: ScoringWeights = strawberry.field(
        description="How the three criteria weigh in every proposal's total."
    )
    sealed: bool = strawberry.field(
        description="True: the buyer sees no proposal, score or ranking before the submission deadline "
        "(each vendor still sees its own)."
    )
    budget_disclosed: bool = strawberry.field(
        description="False (the default): vendors see neither monthlyBudget nor anything computed "
        "from it; their scores come in the budget-hidden view. True: vendors see the budget and full scores."
    )
    created_at: datetime = strawberry.field(description="When the buyer created it.")
    enquiry_deadline: datetime | None = strawberry.field(
        default=None,
        description="Vendors may ask clarifications until then; null: until the submission deadline.",
    )
    addenda: list[Addendum] = strawberry.field(
        default_factory=list, description="Amendments published while OPEN, oldest first."
    )
    debriefs_published: bool = strawberry.field(
        default=True,
        description="Whether each tenderer reads its debrief once AWARDED (configureDebriefs; default true).",
    )
    award_published: bool = strawberry.field(
        default=False,
        description="Whether debriefs name the winner and its total (configureDebriefs; default false).",
    )
    qualitative_criteria: list[QualitativeCriterion] = strawberry.field(
        resolver=qualitative_criteria_of,
        description="Criteria evaluators score (0-5 or 0-10) next to the three computed ones; "
        "public like the RFP, so vendors know what is judged.",
    )
    evaluators: list[Member] = strawberry.field(
        resolver=evaluators_of, description="The RFP's assigned evaluators; seen by the buyer's members only."
    )
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

    @described_field(description="The organization that created the RFP.")
    async def buyer(self, info: ContextInfo) -> Organization:
        organization = await load_organization(info, self.record.buyer_id)
        assert organization is not None, "every RFP has a buyer"
        return organization

    @described_field(
        description="The most the buyer means to pay a month. Its buyer sees it; others only when "
        "budgetDisclosed, else null."
    )
    def monthly_budget(self, info: ContextInfo) -> Money | None:
        context = context_of(info)
        if not context.market.ground.can_see_budget(context.viewer, self.record):
            return None
        return Money.of(self.record.context.monthly_budget)

    @described_field(
        description="Live proposals: the buyer counts all of them; anyone else only its own (0 or 1)."
    )
    async def proposal_count(self, info: ContextInfo) -> int:
        context = context_of(info)
        return await context.loaders.proposal_counts.load(self.record.id)

    @described_field(
        description="The proposals: the buyer all of them (a sealed RFP's none before the deadline), a "
        "vendor only its own. Paged both ways; default order SUBMITTED_AT ASC."
    )
    async def proposals(
        self,
        info: ContextInfo,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: Annotated[
            ProposalFilter | None, strawberry.argument(description="Narrows the list; null: every status.")
        ] = None,
        order_by: Annotated[
            ProposalOrder | None, strawberry.argument(description="Null: SUBMITTED_AT ASC.")
        ] = None,
    ) -> ProposalConnection:
        context = context_of(info)

        async def read() -> Page[ProposalRecord]:
            listing = proposal_listing(window(first, after, last, before), filter, order_by)
            listing = replace(listing, counted=selects(info, "totalCount"))
            return await context.market.proposals.find_proposals(context.viewer, self.record, listing)

        return ProposalConnection.of(await within_field(info, Page.empty(), read))

    @described_field(
        description="The ranking, for the buyer only (a sealed RFP's once the deadline passed; empty for "
        "anyone else): eligible proposals first, then those meeting the requirements, then by total. "
        "Ranks are counted when the page is read. A bad cursor or weights fail this field only "
        "(BAD_USER_INPUT), never the RFP."
    )
    async def ranked_proposals(
        self,
        info: ContextInfo,
        first: First = None,
        after: Annotated[
            str | None,
            strawberry.argument(
                description="An endCursor of an earlier page of this ranking: the proposals ranked after "
                "it, with their current ranks. A what-if cursor is valid only under the same weights "
                "(qualitative ones included), else STALE_CURSOR."
            ),
        ] = None,
        weights: Annotated[
            ScoringWeightsInput | None,
            strawberry.argument(
                description="What-if weights: rank as if the RFP weighed the criteria so; stores "
                "nothing. Null: the RFP's weights."
            ),
        ] = None,
        qualitative_weights: Annotated[
            list[QualitativeWeightInput] | None,
            strawberry.argument(
                description="What-if weights of qualitative criteria (those not listed keep the "
                "RFP's); with them the computed weights (`weights`, else the RFP's) and every "
                "criterion's must sum to 1, else BAD_USER_INPUT. Stores nothing. Null: the RFP's."
            ),
        ] = None,
    ) -> RankedProposalConnection:
        context = context_of(info)
        qualitative = None
        if qualitative_weights is not None:
            qualitative = [
                (local_id(w.criterion_id, "QualitativeCriterion"), w.weight) for w in qualitative_weights
            ]

        async def read() -> RankedPage:
            return await context.market.ranking.ranked_proposals(
                context.viewer,
                self.record,
                page_size(first),
                after,
                to_data(weights) if weights is not None else None,
                qualitative,
            )

        # A bad cursor, size or weights fail this field only (schema/paging.py).
        empty = RankedPage(page=Page.empty(), rfp=self.record)
        return RankedProposalConnection.of(await within_field(info, empty, read))

    audit_trail: list[AuditEvent] = strawberry.field(
        resolver=audit_trail_of,
        deprecation_reason=AUDIT_TRAIL_DEPRECATION,
        description=AUDIT_TRAIL_DESCRIPTION,
    )
    audit_events: AuditEventConnection = strawberry.field(
        resolver=audit_events_of,
        description="Every audit event, oldest first; visible with the object itself.",
    )

    @described_field(
        description="Questions on the RFP, oldest first: the buyer sees all; another organization the "
        "ANSWERED ones (anonymized) and its own."
    )
    async def clarifications(
        self, info: ContextInfo, first: First = None, after: After = None
    ) -> ClarificationConnection:
        context = context_of(info)

        async def read() -> Page[ClarificationRecord]:
            return await context.market.clarifications.list_clarifications(
                context.viewer, self.record, page_size(first), after
            )

        return ClarificationConnection.of(await within_field(info, Page.empty(), read))


@strawberry.type(description="An RFP in a list, with its cursor.")
class RfpEdge:
    cursor: str = strawberry.field(description=CURSOR)
    node: Rfp = strawberry.field(description="The RFP.")


@strawberry.type(description="A page of RFPs (Relay connection).")
class RfpConnection:
    edges: list[RfpEdge] = strawberry.field(description=EDGES)
    page_info: PageInfo = strawberry.field(description=PAGE_INFO)
    total_count: int = strawberry.field(description=TOTAL_COUNT)

    @classmethod
    def of(cls, page: Page[RfpRecord]) -> RfpConnection:
        return cls(
            edges=[RfpEdge(cursor=cursor, node=Rfp.of(record)) for cursor, record in page.items],
            page_info=PageInfo.of(cast(Page[object], page)),
            total_count=page.total_count,
        )


@strawberry.type(
    name="Proposal",
    description="A vendor's offer on an RFP: SLA, pricing and contract terms, scored on submission and "
    "on every revision. Its vendor sees it; the RFP's buyer too (a sealed RFP's once the deadline "
    "passed); nobody else.",
)
class Proposal(Node):
    record: strawberry.Private[ProposalRecord]
    status: ProposalStatus = strawberry.field(description="Where the proposal is in its lifecycle.")
    version: int = strawberry.field(
        description="1 on submission, +1 on every revision; send it as expectedVersion to revise."
    )
    submitted_at: datetime = strawberry.field(description="When it was first submitted.")
    updated_at: datetime = strawberry.field(
        description="When it last changed (a revision, a confirmation, a status change)."
    )
    summary: str = strawberry.field(description="The vendor's summary of its offer (1-10,000 characters).")
    sla: Sla = strawberry.field(description="The service levels the vendor commits to.")
    pricing: Pricing = strawberry.field(description="How the vendor charges: one of four pricing models.")
    one_time_fee: Money | None = strawberry.field(
        description="A one-off fee (onboarding, transition); null: none. Costed over "
        "min(evaluationMonths, termMonths)."
    )
    annual_escalation_percent: float = strawberry.field(
        description="Yearly price increase in percent, 0-50 (0 when not given)."
    )
    terms: ContractTerms = strawberry.field(description="The contract terms, which set lock-in exposure.")
    evaluations: list[Evaluation] = strawberry.field(
        resolver=evaluations_of,
        description="Evaluator scores on the qualitative criteria: all to the buyer's owner, lead and "
        "observers; to an evaluator only their own until consensus opens; never to vendors.",
    )
    consensus: list[Consensus] = strawberry.field(
        resolver=consensus_list_of,
        description="The lead's consensus scores (they enter the total): to the buyer's owner, lead and "
        "observers, and to evaluators once consensus is open; never to vendors.",
    )

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
        )

    async def _rfp_record(self, info: ContextInfo) -> RfpRecord:
        record = await context_of(info).loaders.rfps.load(self.record.rfp_id)
        assert record is not None, "every proposal has an RFP"
        return record

    @described_field(
        description="True after an addendum changed what is bought (volume, requirements, months, hours, "
        "outcomes): the vendor confirms the proposal (confirmProposal) or revises it."
    )
    async def needs_confirmation(self, info: ContextInfo) -> bool:
        # The RFP's live slot: an addendum still rescoring has not asked anything yet.
        return live_needs_confirmation(self.record, await self._rfp_record(info))

    @described_field(description="The RFP the proposal answers.")
    async def rfp(self, info: ContextInfo) -> Rfp:
        return Rfp.of(await self._rfp_record(info))

    @described_field(description="The vendor that submitted it.")
    async def vendor(self, info: ContextInfo) -> Organization:
        organization = await load_organization(info, self.record.vendor_id)
        assert organization is not None, "every proposal has a vendor"
        return organization

    @described_field(
        description="The stored score of the current version. The vendor gets the budget-hidden view "
        "while the RFP's budget is not disclosed."
    )
    async def score(self, info: ContextInfo) -> ProposalScore | None:
        context = context_of(info)
        rfp = await self._rfp_record(info)
        stored = live_score(self.record, rfp)  # the RFP's live slot (an addendum may be rescoring)
        if stored is None:
            return None
        if not context.market.ground.can_see_score(context.viewer, self.record, rfp):
            return None
        # Under the RFP's current weights: a re-weighting leaves stored scores be (Rfp.reweighing).
        score = scoring.under_weights(stored, rfp.context.weights)
        if not context.market.ground.can_see_budget(context.viewer, rfp):
            return ProposalScore.of(budget_blind(score))  # the vendor, budget undisclosed
        return ProposalScore.of(score)

    @described_field(
        description="Once the RFP is AWARDED: for the buyer, and for the vendor when debriefs are "
        "published. Null before, for anyone else, and for withdrawn proposals."
    )
    async def debrief(self, info: ContextInfo) -> Debrief | None:
        context = context_of(info)
        rfp = await self._rfp_record(info)
        found = await context.market.debriefs.debrief(context.viewer, self.record, rfp)
        if found is None:
            return None
        return Debrief.from_record(found, context.market.ground.can_see_budget(context.viewer, rfp))

    audit_trail: list[AuditEvent] = strawberry.field(
        resolver=audit_trail_of,
        deprecation_reason=AUDIT_TRAIL_DEPRECATION,
        description=AUDIT_TRAIL_DESCRIPTION,
    )
    audit_events: AuditEventConnection = strawberry.field(
        resolver=audit_events_of,
        description="Every audit event, oldest first; visible with the object itself.",
    )


@strawberry.type(description="A proposal in a list, with its cursor.")
class ProposalEdge:
    cursor: str = strawberry.field(description=CURSOR)
    node: Proposal = strawberry.field(description="The proposal.")


@strawberry.type(description="A page of proposals (Relay connection).")
class ProposalConnection:
    edges: list[ProposalEdge] = strawberry.field(description=EDGES)
    page_info: PageInfo = strawberry.field(description=PAGE_INFO)
    total_count: int = strawberry.field(description=TOTAL_COUNT)

    @classmethod
    def of(cls, page: Page[ProposalRecord]) -> ProposalConnection:
        return cls(
            edges=[ProposalEdge(cursor=cursor, node=Proposal.of(record)) for cursor, record in page.items],
            page_info=PageInfo.of(cast(Page[object], page)),
            total_count=page.total_count,
        )


@strawberry.type(description="A proposal at its place in the ranking.")
class RankedProposalEdge:
    cursor: str = strawberry.field(description=CURSOR)
    rank: int = strawberry.field(
        description="1-based place in the ranking as it stands now (under the what-if weights when given)."
    )
    score: ProposalScore = strawberry.field(
        description="The score the ranking used: re-totalled under what-if weights; flags an abnormally "
        "low price."
    )
    node: Proposal = strawberry.field(description="The proposal.")
    overall_total: float | None = strawberry.field(
        default=None,
        description="With qualitative criteria: the computed total and the consensus scores joined, "
        "0-100 (a criterion without consensus counts 0); null for an RFP without any.",
    )
    evaluation_complete: bool | None = strawberry.field(
        default=None,
        description="With qualitative criteria: true once every one has its consensus; incomplete "
        "proposals rank after complete ones (within the same eligibility). Null without criteria.",
    )


@strawberry.type(description="A page of the ranking, best first (Relay connection, forward only).")
class RankedProposalConnection:
    ranked: strawberry.Private[RankedPage]
    edges: list[RankedProposalEdge] = strawberry.field(description=EDGES)
    page_info: PageInfo = strawberry.field(description=PAGE_INFO)
    total_count: int = strawberry.field(description="How many proposals are ranked (live proposals).")

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
                    overall_total=item.joined.total if item.joined else None,
                    evaluation_complete=item.joined.complete if item.joined else None,
                )
                for cursor, item in page.items
            ],
            page_info=PageInfo.of(cast(Page[object], page)),
            total_count=page.total_count,
        )

    @described_field(
        description="0-1: the share of 500 weight draws around the weights under which rank 1 stays "
        "rank 1. Null with fewer than 2 proposals."
    )
    async def rank_stability(self, info: ContextInfo) -> float | None:
        # Computed only when asked for: it reads every live entry of the RFP.
        if self.ranked.page.total_count == 0:
            return None
        return await context_of(info).market.ranking.rank_stability(
            self.ranked.rfp, self.ranked.weights_override
        )


@strawberry.type(description="The result of an RFP write.")
class RfpPayload:
    rfp: Rfp | None = strawberry.field(description="The RFP as written; null when nothing was written.")
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS)

    @classmethod
    def of(cls, outcome: Outcome[RfpRecord]) -> RfpPayload:
        rfp = Rfp.of(outcome.value) if outcome.value else None
        return cls(rfp=rfp, user_errors=user_errors(outcome.errors))
