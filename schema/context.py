"""What resolvers may use: the request context, declared here and implemented in api/.

Resolvers read `info.context` only through these Protocols, so the schema never imports api/ and
never touches MongoDB or HTTP.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any, Protocol

from strawberry.dataloader import DataLoader
from strawberry.types import Info

from market.listing import ProposalListing, RfpListing
from market.live import ProposalEventRecord, RankingChangeRecord, RfpEventRecord
from market.records import (
    ApiKeyRecord,
    AuditRecord,
    ClarificationRecord,
    ConsensusRecord,
    DebriefRecord,
    EvaluationRecord,
    MemberRecord,
    OrganizationRecord,
    Page,
    ProposalRecord,
    RankedPage,
    RfpRecord,
)
from market.vocabulary import MemberRole, OrganizationKind, Outcome, RfpStatus
from market.webhooks import DeliveryRecord, WebhookRecord
from scoring.model import ProposalScore, Weights

# Input data reaches the market as plain dicts keyed by the GraphQL (camelCase) names, so pydantic's
# error locations are the client's input paths.
InputData = dict[str, Any]


class OrganizationUseCases(Protocol):
    """Registration, API keys and organizations."""

    async def register_organization(
        self,
        name: str,
        kind: OrganizationKind,
        contact_email: str,
        client_address: str = "",
        idempotency_key: str | None = None,
    ) -> Outcome[tuple[OrganizationRecord, str]]: ...
    async def api_keys(self, viewer: OrganizationRecord) -> list[ApiKeyRecord]: ...
    async def create_api_key(
        self, viewer: OrganizationRecord | None, label: str | None
    ) -> Outcome[tuple[ApiKeyRecord, str]]: ...
    async def revoke_api_key(
        self, viewer: OrganizationRecord | None, key_id: str
    ) -> Outcome[ApiKeyRecord]: ...
    async def get_organization(
        self, viewer: OrganizationRecord | None, organization_id: str
    ) -> OrganizationRecord | None: ...


class MemberUseCases(Protocol):
    """An organization's members: invite, change role, deactivate, the team, one member."""

    async def invite_member(
        self, viewer: OrganizationRecord | None, data: InputData
    ) -> Outcome[tuple[MemberRecord, str]]: ...
    async def change_member_role(
        self, viewer: OrganizationRecord | None, member_id: str, role: MemberRole
    ) -> Outcome[MemberRecord]: ...
    async def deactivate_member(
        self, viewer: OrganizationRecord | None, member_id: str
    ) -> Outcome[MemberRecord]: ...
    async def members(
        self, viewer: OrganizationRecord | None, organization_id: str
    ) -> list[MemberRecord]: ...
    async def get_member(
        self, viewer: OrganizationRecord | None, member_id: str | None
    ) -> MemberRecord | None: ...
    async def member_api_keys(self, viewer: OrganizationRecord) -> list[ApiKeyRecord]: ...
    async def keys_of_member(
        self, viewer: OrganizationRecord | None, member: MemberRecord
    ) -> list[ApiKeyRecord]: ...
    async def create_member_api_key(
        self, viewer: OrganizationRecord, label: str | None
    ) -> Outcome[tuple[ApiKeyRecord, str]]: ...
    async def revoke_member_api_key(
        self, viewer: OrganizationRecord, key_id: str
    ) -> Outcome[ApiKeyRecord]: ...


class EvaluationUseCases(Protocol):
    """The evaluation team: evaluators, conflict declarations, independent scores, consensus."""

    async def assign_evaluators(
        self, viewer: OrganizationRecord | None, rfp_id: str, member_ids: Sequence[str]
    ) -> Outcome[RfpRecord]: ...
    async def declare_conflict(
        self,
        viewer: OrganizationRecord | None,
        rfp_id: str,
        vendor_id: str,
        has_conflict: bool,
        note: str | None,
    ) -> Outcome[RfpRecord]: ...
    async def submit_evaluation(
        self,
        viewer: OrganizationRecord | None,
        proposal_id: str,
        criterion_id: str,
        score: float,
        justification: str,
    ) -> Outcome[EvaluationRecord]: ...
    async def open_consensus(self, viewer: OrganizationRecord | None, rfp_id: str) -> Outcome[RfpRecord]: ...
    async def record_consensus(
        self,
        viewer: OrganizationRecord | None,
        proposal_id: str,
        criterion_id: str,
        score: float,
        reason: str,
    ) -> Outcome[ConsensusRecord]: ...
    async def evaluations(
        self, viewer: OrganizationRecord | None, proposal: ProposalRecord, rfp: RfpRecord
    ) -> list[tuple[EvaluationRecord, bool]]: ...
    async def consensus(
        self, viewer: OrganizationRecord | None, proposal: ProposalRecord, rfp: RfpRecord
    ) -> list[ConsensusRecord]: ...
    async def evaluators(self, viewer: OrganizationRecord | None, rfp: RfpRecord) -> list[MemberRecord]: ...


class RfpUseCases(Protocol):
    """An RFP's life: create, publish, close, cancel, reweigh, award; the RFP list."""

    async def create_rfp(
        self, viewer: OrganizationRecord | None, data: InputData, idempotency_key: str | None = None
    ) -> Outcome[RfpRecord]: ...
    async def publish_rfp(self, viewer: OrganizationRecord | None, rfp_id: str) -> Outcome[RfpRecord]: ...
    async def close_rfp(self, viewer: OrganizationRecord | None, rfp_id: str) -> Outcome[RfpRecord]: ...
    async def cancel_rfp(self, viewer: OrganizationRecord | None, rfp_id: str) -> Outcome[RfpRecord]: ...
    async def update_rfp_weights(
        self, viewer: OrganizationRecord | None, rfp_id: str, weights: InputData
    ) -> Outcome[RfpRecord]: ...
    async def award_proposal(
        self, viewer: OrganizationRecord | None, proposal_id: str
    ) -> Outcome[RfpRecord]: ...
    async def find_rfps(
        self, viewer: OrganizationRecord | None, listing: RfpListing, status: RfpStatus | None = None
    ) -> Page[RfpRecord]: ...


class ProposalUseCases(Protocol):
    """A proposal's life: submit, revise, withdraw, shortlist; an RFP's proposals; previews."""

    async def submit_proposal(
        self,
        viewer: OrganizationRecord | None,
        rfp_id: str,
        data: InputData,
        idempotency_key: str | None = None,
    ) -> Outcome[ProposalRecord]: ...
    async def revise_proposal(
        self,
        viewer: OrganizationRecord | None,
        proposal_id: str,
        expected_version: int,
        data: InputData,
        idempotency_key: str | None = None,
    ) -> Outcome[ProposalRecord]: ...
    async def withdraw_proposal(
        self, viewer: OrganizationRecord | None, proposal_id: str
    ) -> Outcome[ProposalRecord]: ...
    async def shortlist_proposal(
        self, viewer: OrganizationRecord | None, proposal_id: str
    ) -> Outcome[ProposalRecord]: ...
    async def find_proposals(
        self, viewer: OrganizationRecord | None, rfp: RfpRecord, listing: ProposalListing
    ) -> Page[ProposalRecord]: ...
    async def find_own_proposals(
        self, viewer: OrganizationRecord | None, listing: ProposalListing
    ) -> Page[ProposalRecord]: ...
    async def visible_proposal_counts(
        self, viewer: OrganizationRecord | None, rfps: Sequence[RfpRecord | None]
    ) -> list[int]: ...
    async def score_preview(
        self, viewer: OrganizationRecord | None, rfp_id: str, data: InputData
    ) -> Outcome[ProposalScore]: ...


class RankingUseCases(Protocol):
    """An RFP's ranked proposals (the RFP's weights or what-if weights) and their stability."""

    async def ranked_proposals(
        self,
        viewer: OrganizationRecord | None,
        rfp: RfpRecord,
        first: int,
        after: str | None,
        weights: InputData | None,
        qualitative_weights: Sequence[tuple[str, float]] | None = None,
    ) -> RankedPage: ...
    async def rank_stability(self, rfp: RfpRecord, weights: Weights | None) -> float | None: ...


class ClarificationUseCases(Protocol):
    """Questions on an RFP: vendors ask, the buyer answers for all, declines or publishes unasked."""

    async def ask_clarification(
        self, viewer: OrganizationRecord | None, rfp_id: str, question: str
    ) -> Outcome[ClarificationRecord]: ...
    async def answer_clarification(
        self, viewer: OrganizationRecord | None, clarification_id: str, answer: str
    ) -> Outcome[ClarificationRecord]: ...
    async def decline_clarification(
        self, viewer: OrganizationRecord | None, clarification_id: str, reason: str
    ) -> Outcome[ClarificationRecord]: ...
    async def publish_clarification(
        self, viewer: OrganizationRecord | None, rfp_id: str, question: str, answer: str
    ) -> Outcome[ClarificationRecord]: ...
    async def list_clarifications(
        self, viewer: OrganizationRecord | None, rfp: RfpRecord, first: int, after: str | None
    ) -> Page[ClarificationRecord]: ...
    async def get_clarification(
        self, viewer: OrganizationRecord | None, clarification_id: str
    ) -> ClarificationRecord | None: ...
    def asked_by(self, viewer: OrganizationRecord | None, clarification: ClarificationRecord) -> bool: ...
    async def asker_for(
        self, viewer: OrganizationRecord | None, clarification: ClarificationRecord
    ) -> str | None: ...


class AddendumUseCases(Protocol):
    """Amending an OPEN RFP (numbered addenda, rescoring) and vendors confirming their proposals."""

    async def amend_rfp(
        self, viewer: OrganizationRecord | None, rfp_id: str, data: InputData
    ) -> Outcome[RfpRecord]: ...
    async def confirm_proposal(
        self, viewer: OrganizationRecord | None, proposal_id: str
    ) -> Outcome[ProposalRecord]: ...


class DebriefUseCases(Protocol):
    """Debriefs once an RFP is awarded, and the buyer's settings for them."""

    async def debrief(
        self, viewer: OrganizationRecord | None, proposal: ProposalRecord, rfp: RfpRecord
    ) -> DebriefRecord | None: ...
    async def configure_debriefs(
        self, viewer: OrganizationRecord | None, rfp_id: str, data: InputData
    ) -> Outcome[RfpRecord]: ...


class SharedReads(Protocol):
    """Reads every domain shares: one RFP or proposal as the viewer may see it, audit events, and
    who may see a budget or a score (market/visibility)."""

    async def get_rfp(self, viewer: OrganizationRecord | None, rfp_id: str) -> RfpRecord | None: ...
    async def get_proposal(
        self, viewer: OrganizationRecord | None, proposal_id: str
    ) -> ProposalRecord | None: ...
    async def audit_trail(self, subject_id: str) -> list[AuditRecord]: ...
    async def audit_events(
        self, subject_id: str, first: int | None, after: str | None, last: int | None, before: str | None
    ) -> Page[AuditRecord]: ...
    def can_see_budget(self, viewer: OrganizationRecord | None, rfp: RfpRecord) -> bool: ...
    def can_see_score(
        self, viewer: OrganizationRecord | None, proposal: ProposalRecord, rfp: RfpRecord
    ) -> bool: ...


class LiveUseCases(Protocol):
    """Subscriptions: `credential` is the caller's API key (re-checked while the subscription
    lives), `connection` names the socket (per-connection caps)."""

    def ranking_changed(
        self, viewer: OrganizationRecord | None, credential: str | None, connection: str, rfp_id: str
    ) -> AsyncIterator[RankingChangeRecord]: ...
    def rfp_events(
        self, viewer: OrganizationRecord | None, credential: str | None, connection: str, rfp_id: str
    ) -> AsyncIterator[RfpEventRecord]: ...
    def my_proposal_events(
        self, viewer: OrganizationRecord | None, credential: str | None, connection: str
    ) -> AsyncIterator[ProposalEventRecord]: ...

    def proposal_events(
        self, viewer: OrganizationRecord | None, credential: str | None, connection: str, rfp_id: str
    ) -> AsyncIterator[ProposalEventRecord]: ...


class WebhookUseCases(Protocol):
    """An organization's webhook endpoints and their delivery log."""

    async def create_webhook(
        self, viewer: OrganizationRecord | None, url: str, events: list[str]
    ) -> Outcome[tuple[WebhookRecord, str]]: ...
    async def list_webhooks(self, viewer: OrganizationRecord) -> list[WebhookRecord]: ...
    async def rotate_secret(
        self, viewer: OrganizationRecord | None, webhook_id: str
    ) -> Outcome[tuple[WebhookRecord, str]]: ...
    async def delete_webhook(
        self, viewer: OrganizationRecord | None, webhook_id: str
    ) -> Outcome[WebhookRecord]: ...
    async def deliveries(
        self, viewer: OrganizationRecord | None, webhook_id: str
    ) -> list[DeliveryRecord]: ...
    async def replay_delivery(
        self, viewer: OrganizationRecord | None, delivery_id: str
    ) -> Outcome[DeliveryRecord]: ...


class Market(Protocol):
    """The marketplace, one set of use cases per domain: every rule and every authorization decision
    lives behind it. A new domain adds its Protocol above and one attribute here."""

    def now(self) -> datetime: ...

    @property
    def organizations(self) -> OrganizationUseCases: ...
    @property
    def members(self) -> MemberUseCases: ...
    @property
    def evaluation(self) -> EvaluationUseCases: ...
    @property
    def rfps(self) -> RfpUseCases: ...
    @property
    def proposals(self) -> ProposalUseCases: ...
    @property
    def ranking(self) -> RankingUseCases: ...
    @property
    def clarifications(self) -> ClarificationUseCases: ...
    @property
    def addenda(self) -> AddendumUseCases: ...
    @property
    def debriefs(self) -> DebriefUseCases: ...
    @property
    def ground(self) -> SharedReads: ...
    @property
    def live(self) -> LiveUseCases: ...
    @property
    def webhooks(self) -> WebhookUseCases: ...


class Loaders(Protocol):
    """Per-request batch loaders: one `$in` per loader per level of the query."""

    organizations: DataLoader[str, OrganizationRecord | None]
    rfps: DataLoader[str, RfpRecord | None]
    proposal_counts: DataLoader[str, int]  # what the viewer may see of Rfp.proposalCount


class Context(Protocol):
    # Read-only members, so an implementation may hold narrower types (api's MarketService).
    @property
    def viewer(self) -> OrganizationRecord | None: ...
    @property
    def client_address(self) -> str: ...

    @property
    def idempotency_key(self) -> str | None:
        """The request's `Idempotency-Key` header, used when the input names no idempotencyKey."""
        ...

    @property
    def market(self) -> Market: ...
    @property
    def credential(self) -> str | None:
        """The caller's API key (header or connection_init payload), for subscriptions."""
        ...

    @property
    def connection_id(self) -> str: ...
    @property
    def loaders(self) -> Loaders: ...
    @property
    def field_errors(self) -> list[Any]:
        """GraphQL errors of fields that answered with an empty value instead of failing their
        (nullable) parent: the request's error handling adds them to the response."""
        ...


ContextInfo = Info[Context, None]


def context_of(info: ContextInfo) -> Context:
    return info.context


def idempotency_key(from_input: str | None, context: Context) -> str | None:
    """The input's idempotencyKey, else the request's `Idempotency-Key` header."""
    return from_input if from_input is not None else context.idempotency_key
