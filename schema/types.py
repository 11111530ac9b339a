"""GraphQL object types. Each wraps a record; relations resolve through the request's loaders."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Protocol, cast

import strawberry
from strawberry.types import Info

from market.records import (
    ApiKeyRecord,
    AuditRecord,
    OrganizationRecord,
    Page,
    ProposalRecord,
    RankedPage,
    RfpRecord,
)
from market.vocabulary import OrganizationKind, ProposalStatus, RfpStatus, ServiceCategory
from schema import enums  # noqa: F401  (registers the enums used below)
from schema.common import (
    MAX_PAGE_SIZE,
    Money,
    Node,
    PageInfo,
    UserError,
    client_error,
    page_size,
    to_global_id,
)
from schema.context import Context
from scoring import model
from scoring.disclosure import budget_blind

if TYPE_CHECKING:
    from schema.inputs import ScoringWeightsInput

ContextInfo = Info[Context, None]


def _context(info: ContextInfo) -> Context:
    return info.context


@strawberry.type(name="Organization")
class Organization(Node):
    name: str
    kind: OrganizationKind
    created_at: datetime

    @classmethod
    def of(cls, record: OrganizationRecord) -> Organization:
        return cls(
            id=to_global_id("Organization", record.id),
            name=record.name,
            kind=record.kind,
            created_at=record.created_at,
        )


def remember(info: ContextInfo, rfp: RfpRecord) -> RfpRecord:
    """Primes the RFP loader with an RFP just read, so its proposals' `rfp` costs no second read."""
    _context(info).loaders.rfps.prime(rfp.id, rfp)
    return rfp


async def load_organization(info: ContextInfo, organization_id: str | None) -> Organization | None:
    if organization_id is None:
        return None
    record = await _context(info).loaders.organizations.load(organization_id)
    return Organization.of(record) if record else None


@strawberry.type
class ApiKey:
    id: strawberry.ID
    hint: str = strawberry.field(description="The key's first characters, to tell keys apart.")
    label: str | None
    created_at: datetime
    revoked_at: datetime | None

    @classmethod
    def of(cls, record: ApiKeyRecord) -> ApiKey:
        return cls(
            id=to_global_id("ApiKey", record.id),
            hint=record.hint,
            label=record.label,
            created_at=record.created_at,
            revoked_at=record.revoked_at,
        )


@strawberry.type
class Viewer:
    record: strawberry.Private[OrganizationRecord]
    organization: Organization

    @strawberry.field
    async def api_keys(self, info: ContextInfo) -> list[ApiKey]:
        """The organization's API keys; neither a key nor its hash is ever shown again."""
        return [ApiKey.of(key) for key in await _context(info).market.api_keys(self.record)]


@strawberry.type
class AuditEvent:
    record: strawberry.Private[AuditRecord]
    at: datetime
    action: str
    changed_fields: list[str] = strawberry.field(
        description="Input paths that changed, at most 50; changedFieldsOmitted counts the rest."
    )
    changed_fields_omitted: int = strawberry.field(
        description="How many changed input paths changedFields leaves out."
    )

    @strawberry.field
    async def actor(self, info: ContextInfo) -> Organization | None:
        return await load_organization(info, self.record.actor_id)

    @classmethod
    def of(cls, record: AuditRecord) -> AuditEvent:
        return cls(
            record=record,
            at=record.at,
            action=record.action,
            changed_fields=list(record.changed_fields),
            changed_fields_omitted=record.changed_fields_omitted,
        )


@strawberry.type
class AuditEventEdge:
    cursor: str
    node: AuditEvent


@strawberry.type
class AuditEventConnection:
    edges: list[AuditEventEdge]
    page_info: PageInfo
    total_count: int

    @classmethod
    def of(cls, page: Page[AuditRecord]) -> AuditEventConnection:
        return cls(
            edges=[
                AuditEventEdge(cursor=cursor, node=AuditEvent.of(record)) for cursor, record in page.items
            ],
            page_info=PageInfo.of(cast(Page[object], page)),
            total_count=page.total_count,
        )


AUDIT_TRAIL_DEPRECATION = (
    "Returns only the latest 50 events; use auditEvents, which pages through all of them."
)


class _Audited(Protocol):
    """An Rfp or a Proposal: its audit events are visible to whoever sees the object itself."""

    @property
    def record(self) -> RfpRecord | ProposalRecord: ...


async def audit_trail_of(root: strawberry.Parent[_Audited], info: ContextInfo) -> list[AuditEvent]:
    return [AuditEvent.of(event) for event in await _context(info).market.audit_trail(root.record.id)]


async def audit_events_of(
    root: strawberry.Parent[_Audited],
    info: ContextInfo,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> AuditEventConnection:
    subject_id = root.record.id
    if first is not None and last is not None:
        raise client_error("use either first/after or last/before", ["last"])
    if last is not None and not 1 <= last <= MAX_PAGE_SIZE:
        raise client_error(f"last must be between 1 and {MAX_PAGE_SIZE}", ["last"])
    page = await _context(info).market.audit_events(
        subject_id, page_size(first) if last is None else None, after, last, before
    )
    return AuditEventConnection.of(page)


# ------------------------------------------------------------------------------------- SLA and terms


@strawberry.type
class KpiRequirement:
    metric: model.KpiMetric
    comparator: model.Comparator
    target: float
    unit: model.KpiUnit


@strawberry.type
class Remedy:
    type: model.RemedyType
    credit_percent: float | None
    after_consecutive_breaches: int | None
    description: str | None


@strawberry.type
class Kpi:
    metric: model.KpiMetric
    name: str | None
    comparator: model.Comparator
    target: float
    unit: model.KpiUnit
    measurement_method: str | None
    measurement_window: model.Cadence | None
    remedies: list[Remedy]

    @classmethod
    def of(cls, kpi: model.Kpi) -> Kpi:
        return cls(
            metric=kpi.metric,
            name=kpi.name,
            comparator=kpi.comparator,
            target=kpi.target,
            unit=kpi.unit,
            measurement_method=kpi.measurement_method,
            measurement_window=kpi.measurement_window,
            remedies=[Remedy(**remedy.model_dump()) for remedy in kpi.remedies],
        )


@strawberry.type
class EscalationStep:
    level: int
    role: str
    response_hours: float


@strawberry.type
class Sla:
    kpis: list[Kpi]
    reporting_cadence: model.Cadence
    escalation_path: list[EscalationStep]

    @classmethod
    def of(cls, sla: model.Sla) -> Sla:
        return cls(
            kpis=[Kpi.of(kpi) for kpi in sla.kpis],
            reporting_cadence=sla.reporting_cadence,
            escalation_path=[EscalationStep(**step.model_dump()) for step in sla.escalation_path],
        )


@strawberry.type
class FlatMonthlyPricing:
    monthly_fee: Money


@strawberry.type
class PerUnitPricing:
    unit_price: Money
    unit_name: str
    minimum_monthly_fee: Money | None


@strawberry.type
class OutcomeBasedPricing:
    base_monthly_fee: Money | None
    fee_per_outcome: Money
    outcome_name: str


@strawberry.type
class TimeAndMaterialsPricing:
    hourly_rate: Money
    monthly_cap: Money
    estimated_hours_per_month: float | None


Pricing = Annotated[
    FlatMonthlyPricing | PerUnitPricing | OutcomeBasedPricing | TimeAndMaterialsPricing,
    strawberry.union("Pricing"),
]


def _money(value: model.Money | None) -> Money | None:
    return Money.of(value) if value is not None else None


def pricing_of(pricing: model.Pricing) -> Any:
    if isinstance(pricing, model.FlatMonthlyPricing):
        return FlatMonthlyPricing(monthly_fee=Money.of(pricing.monthly_fee))
    if isinstance(pricing, model.PerUnitPricing):
        return PerUnitPricing(
            unit_price=Money.of(pricing.unit_price),
            unit_name=pricing.unit_name,
            minimum_monthly_fee=_money(pricing.minimum_monthly_fee),
        )
    if isinstance(pricing, model.OutcomeBasedPricing):
        return OutcomeBasedPricing(
            base_monthly_fee=_money(pricing.base_monthly_fee),
            fee_per_outcome=Money.of(pricing.fee_per_outcome),
            outcome_name=pricing.outcome_name,
        )
    return TimeAndMaterialsPricing(
        hourly_rate=Money.of(pricing.hourly_rate),
        monthly_cap=Money.of(pricing.monthly_cap),
        estimated_hours_per_month=pricing.estimated_hours_per_month,
    )


@strawberry.type
class ContractTerms:
    term_months: int
    termination_notice_days: int
    early_termination_fee_months: float
    auto_renews: bool
    runbook_ownership: model.Ownership
    tooling_config_ownership: model.Ownership
    knowledge_transfer_clause: bool
    transition_assistance_months: int
    data_export_on_exit: bool


@strawberry.type
class VolumeScenario:
    unit_name: str
    expected: float
    low: float
    high: float


@strawberry.type
class ScoringWeights:
    sla_quality: float
    lock_in: float
    cost: float


# ------------------------------------------------------------------------------------- scores


@strawberry.type
class Finding:
    code: model.FindingCode
    severity: model.Severity
    message: str
    path: list[str]


@strawberry.type
class ScoreComponent:
    criterion: str
    value: float
    weight: float
    contribution: float
    explanation: str


@strawberry.type(
    description="A proposal's score. While the RFP's budget is not disclosed, a vendor gets the "
    "budget-hidden view (budgetHidden true): nothing in it depends on the budget."
)
class ProposalScore:
    total: float = strawberry.field(
        description="0-100, the sum of the components' contributions. Budget hidden: the sum of the "
        "SLA-quality and lock-in contributions only."
    )
    sla_quality: float
    lock_in_exposure: float
    cost_score: float = strawberry.field(
        description="0-100 against the RFP's budget. Budget hidden: 0 (not scored for you)."
    )
    normalized_monthly_cost: Money
    monthly_cost_low: Money
    monthly_cost_high: Money
    exit_cost: Money
    meets_requirements: bool
    eligible: bool = strawberry.field(
        description="Meets every requirement AND within budget; findings say why not (ranked first)."
    )
    findings: list[Finding] = strawberry.field(
        description="Budget hidden: without the findings that depend on the budget (OVER_BUDGET)."
    )
    components: list[ScoreComponent] = strawberry.field(
        description="Budget hidden: without the cost component (its value and explanation name the budget)."
    )
    scoring_version: str
    budget_hidden: bool = strawberry.field(
        description="True in the view a vendor gets while the RFP's budget is not disclosed: cost "
        "score, cost component and budget findings are left out, and total covers the other criteria."
    )

    @classmethod
    def of(cls, score: model.ProposalScore) -> ProposalScore:
        return cls(
            total=score.total,
            sla_quality=score.sla_quality,
            lock_in_exposure=score.lock_in_exposure,
            cost_score=score.cost_score,
            normalized_monthly_cost=Money.of(score.normalized_monthly_cost),
            monthly_cost_low=Money.of(score.monthly_cost_low),
            monthly_cost_high=Money.of(score.monthly_cost_high),
            exit_cost=Money.of(score.exit_cost),
            meets_requirements=score.meets_requirements,
            eligible=score.eligible,
            findings=[
                Finding(code=f.code, severity=f.severity, message=f.message, path=list(f.path))
                for f in score.findings
            ],
            components=[ScoreComponent(**component.model_dump()) for component in score.components],
            scoring_version=score.scoring_version,
            budget_hidden=score.budget_hidden,
        )


# ------------------------------------------------------------------------------------- RFPs and proposals


def _weights_data(weights: ScoringWeightsInput | None) -> dict[str, Any] | None:
    from schema.inputs import to_data  # inputs import nothing from here; kept local to stay one-way

    return cast(dict[str, Any], to_data(weights)) if weights is not None else None


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
        )

    @strawberry.field
    async def buyer(self, info: ContextInfo) -> Organization:
        organization = await load_organization(info, self.record.buyer_id)
        assert organization is not None, "every RFP has a buyer"
        return organization

    @strawberry.field
    def monthly_budget(self, info: ContextInfo) -> Money | None:
        context = _context(info)
        if not context.market.can_see_budget(context.viewer, self.record):
            return None
        return Money.of(self.record.context.monthly_budget)

    @strawberry.field
    async def proposal_count(self, info: ContextInfo) -> int:
        context = _context(info)
        return await context.loaders.proposal_counts.load(self.record.id)

    @strawberry.field
    async def proposals(
        self, info: ContextInfo, first: int | None = None, after: str | None = None
    ) -> ProposalConnection:
        context = _context(info)
        page = await context.market.list_proposals(context.viewer, self.record, page_size(first), after)
        return ProposalConnection.of(page)

    @strawberry.field
    async def ranked_proposals(
        self,
        info: ContextInfo,
        first: int | None = None,
        after: str | None = None,
        weights: Annotated[ScoringWeightsInput, strawberry.lazy("schema.inputs")] | None = None,
    ) -> RankedProposalConnection:
        context = _context(info)
        ranked = await context.market.ranked_proposals(
            context.viewer, self.record, page_size(first), after, _weights_data(weights)
        )
        return RankedProposalConnection.of(ranked)

    audit_trail: list[AuditEvent] = strawberry.field(
        resolver=audit_trail_of, deprecation_reason=AUDIT_TRAIL_DEPRECATION
    )
    audit_events: AuditEventConnection = strawberry.field(
        resolver=audit_events_of,
        description="Every audit event, oldest first; visible with the object itself.",
    )


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
        record = await _context(info).loaders.rfps.load(self.record.rfp_id)
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
        context = _context(info)
        rfp = await self._rfp_record(info)
        if not context.market.can_see_score(context.viewer, self.record, rfp):
            return None
        if not context.market.can_see_budget(context.viewer, rfp):
            return ProposalScore.of(budget_blind(self.record.score))  # the vendor, budget undisclosed
        return ProposalScore.of(self.record.score)

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
        return await _context(info).market.rank_stability(self.ranked.rfp, self.ranked.weights_override)


@strawberry.type
class RegisterOrganizationPayload:
    organization: Organization | None
    api_key: str | None
    user_errors: list[UserError]


@strawberry.type
class CreateApiKeyPayload:
    api_key: str | None = strawberry.field(description="Shown once; store it safely.")
    key: ApiKey | None
    user_errors: list[UserError]


@strawberry.type
class RevokeApiKeyPayload:
    key: ApiKey | None
    user_errors: list[UserError]


@strawberry.type
class RfpPayload:
    rfp: Rfp | None
    user_errors: list[UserError]


@strawberry.type
class ProposalPayload:
    proposal: Proposal | None
    user_errors: list[UserError]
