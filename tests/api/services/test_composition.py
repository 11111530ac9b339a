"""Each domain service stands alone on the shared ground: built without MarketService or HTTP, it runs
its use case on the real database, and its rules hold for a hostile caller too."""

from __future__ import annotations

import uuid
from typing import Any

from api.services.ground import MarketGround
from api.services.organizations import OrganizationService
from api.services.proposals import ProposalService
from api.services.rfps import RfpService
from api.store.rankings import DigestRefresher
from market.records import OrganizationRecord
from market.vocabulary import ErrorCode, OrganizationKind, ProposalStatus, RfpStatus
from tests.conftest import Api, Clock
from tests.helpers import proposal_input, rfp_input


def _terms() -> dict[str, Any]:
    """proposal_input as the market takes it: the @oneOf pricing as {"model": <its field>, ...}."""
    terms = proposal_input()
    ((model, fields),) = terms["pricing"].items()
    return {**terms, "pricing": {"model": model, **fields}}


async def _organization(organizations: OrganizationService, kind: OrganizationKind) -> OrganizationRecord:
    outcome = await organizations.register_organization(
        f"{kind.value} {uuid.uuid4().hex[:8]}", kind, "ops@example.com"
    )
    assert outcome.value is not None, outcome.errors
    return outcome.value[0]


async def test_each_service_is_built_and_used_alone(api: Api, clock: Clock) -> None:
    digests = DigestRefresher(api.store, clock)
    ground = MarketGround(api.store, clock, digests)
    organizations, rfps, proposals = OrganizationService(ground), RfpService(ground), ProposalService(ground)
    buyer = await _organization(organizations, OrganizationKind.BUYER)
    vendor = await _organization(organizations, OrganizationKind.VENDOR)
    created = await rfps.create_rfp(buyer, rfp_input(clock()))
    assert created.value is not None, created.errors
    published = await rfps.publish_rfp(buyer, created.value.id)
    assert published.value is not None and published.value.status is RfpStatus.OPEN
    submitted = await proposals.submit_proposal(vendor, created.value.id, _terms())
    assert submitted.value is not None and submitted.value.status is ProposalStatus.SUBMITTED
    assert submitted.value.score is not None and submitted.value.score.total > 0
    await digests.close()


async def test_a_competitor_cannot_withdraw_through_the_service_either(api: Api, clock: Clock) -> None:
    ground = MarketGround(api.store, clock, DigestRefresher(api.store, clock))
    organizations, rfps, proposals = OrganizationService(ground), RfpService(ground), ProposalService(ground)
    buyer = await _organization(organizations, OrganizationKind.BUYER)
    vendor = await _organization(organizations, OrganizationKind.VENDOR)
    competitor = await _organization(organizations, OrganizationKind.VENDOR)
    created = await rfps.create_rfp(buyer, rfp_input(clock()))
    assert created.value is not None
    await rfps.publish_rfp(buyer, created.value.id)
    submitted = await proposals.submit_proposal(vendor, created.value.id, _terms())
    assert submitted.value is not None
    refused = await proposals.withdraw_proposal(competitor, submitted.value.id)
    assert refused.value is None and [e.code for e in refused.errors] == [ErrorCode.NOT_FOUND]
    anonymous = await proposals.withdraw_proposal(None, submitted.value.id)
    assert anonymous.value is None and [e.code for e in anonymous.errors] == [ErrorCode.NOT_FOUND]
    await ground.digests.close()
