"""GraphQL enums over the Python enums of scoring/ and market/ (one source of truth)."""

from __future__ import annotations

import strawberry

from market.vocabulary import OrganizationKind, ProposalStatus, RfpStatus, ServiceCategory
from scoring.model import (
    Cadence,
    Comparator,
    FindingCode,
    KpiMetric,
    KpiUnit,
    Ownership,
    RemedyType,
    Severity,
)

OrganizationKindEnum = strawberry.enum(OrganizationKind, name="OrganizationKind")
RfpStatusEnum = strawberry.enum(RfpStatus, name="RfpStatus")
ProposalStatusEnum = strawberry.enum(ProposalStatus, name="ProposalStatus")
ServiceCategoryEnum = strawberry.enum(ServiceCategory, name="ServiceCategory")
KpiMetricEnum = strawberry.enum(KpiMetric, name="KpiMetric")
KpiUnitEnum = strawberry.enum(KpiUnit, name="KpiUnit")
ComparatorEnum = strawberry.enum(Comparator, name="Comparator")
CadenceEnum = strawberry.enum(Cadence, name="Cadence")
RemedyTypeEnum = strawberry.enum(RemedyType, name="RemedyType")
OwnershipEnum = strawberry.enum(Ownership, name="Ownership")
SeverityEnum = strawberry.enum(Severity, name="Severity")
FindingCodeEnum = strawberry.enum(FindingCode, name="FindingCode")
