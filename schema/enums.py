"""GraphQL enums over the Python enums of scoring/ and market/ (one source of truth).

scoring/ and market/ stay free of strawberry, so their members cannot be `strawberry.enum_value`s:
`described_enum` registers an enum and attaches a description to each GraphQL value instead."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import TypeVar

import strawberry
from strawberry.types.enum import has_enum_definition

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

E = TypeVar("E", bound=Enum)


def described_enum(cls: type[E], name: str, description: str, values: Mapping[str, str]) -> type[E]:
    """`strawberry.enum(cls)` with a description on the enum and on each value (by member name)."""
    registered: object = strawberry.enum(cls, name=name, description=description)
    assert has_enum_definition(registered), "strawberry.enum stamps its definition on the class"
    definition = registered.__strawberry_definition__
    unknown = set(values) - {value.name for value in definition.values}
    if unknown:  # a typo would leave a value undescribed without a word
        raise ValueError(f"{name} has no values {sorted(unknown)}")
    for value in definition.values:
        value.description = values.get(value.name)
    return cls


OrganizationKindEnum = described_enum(
    OrganizationKind,
    "OrganizationKind",
    "What an organization does on the marketplace; chosen at registration and never changed.",
    {
        "BUYER": "Publishes RFPs, reads and ranks the proposals made to them, and awards one.",
        "VENDOR": "Lists open RFPs, asks clarifications, and submits, revises or withdraws proposals.",
    },
)
RfpStatusEnum = described_enum(
    RfpStatus,
    "RfpStatus",
    "Where an RFP is in its lifecycle: DRAFT -> OPEN -> CLOSED -> AWARDED, or CANCELLED. Reads show "
    "the effective status: an OPEN RFP past its submission deadline reads CLOSED.",
    {
        "DRAFT": "Created, not yet published: only its buyer sees it.",
        "OPEN": "Published and before its submission deadline: vendors may submit and revise proposals.",
        "CLOSED": "Closed by the buyer, or OPEN past its deadline: no more submissions; may be awarded.",
        "AWARDED": "One proposal won (AWARDED), the others were REJECTED. Final.",
        "CANCELLED": "Cancelled by the buyer before an award. Final.",
    },
)
ProposalStatusEnum = described_enum(
    ProposalStatus,
    "ProposalStatus",
    "Where a proposal is: SUBMITTED or SHORTLISTED proposals are still in the running.",
    {
        "SUBMITTED": "Submitted (and possibly revised) by its vendor; in the running.",
        "WITHDRAWN": "Withdrawn by its vendor. Final: it is no longer ranked and cannot be revised.",
        "SHORTLISTED": "Marked as a favourite by the buyer; still in the running and revisable.",
        "AWARDED": "Won the RFP's award.",
        "REJECTED": "Another proposal of the RFP was awarded.",
    },
)
ServiceCategoryEnum = described_enum(
    ServiceCategory,
    "ServiceCategory",
    "The kind of managed service an RFP buys.",
    {
        "CUSTOMER_SUPPORT": "Customer support desks (email, chat, phone).",
        "IT_MANAGED_SERVICES": "IT operations: service desk, infrastructure, endpoint management.",
        "SECURITY_OPERATIONS": "Security operations: monitoring, detection and incident response (SOC).",
        "BOOKKEEPING": "Bookkeeping and accounting operations.",
        "QA_TESTING": "Software quality assurance and testing.",
        "CONTENT_MODERATION": "Moderation of user-generated content.",
        "SEO_MARKETING": "Search-engine optimization and marketing operations.",
        "OTHER": "Any other managed service.",
    },
)
KpiMetricEnum = described_enum(
    KpiMetric,
    "KpiMetric",
    "What a KPI or requirement measures. Outcome metrics weigh most in SLA quality, responsiveness "
    "metrics half, activity metrics and CUSTOM a fifth (they can be gamed).",
    {
        "CSAT": "Customer satisfaction (outcome), at least a rating in PERCENT, SCORE_5 or SCORE_10.",
        "NPS": "Net promoter score (outcome), at least a value in NPS_POINTS (-100 to 100).",
        "QUALITY_SCORE": "Quality-assurance score (outcome), at least a rating in PERCENT, SCORE_5 or "
        "SCORE_10.",
        "FIRST_CONTACT_RESOLUTION": "Share resolved at first contact (outcome), at least a PERCENT.",
        "REOPEN_RATE": "Share of reopened work (outcome), at most a PERCENT.",
        "ACCURACY": "Share of work done correctly (outcome), at least a PERCENT.",
        "UPTIME": "Availability (outcome), at least a PERCENT.",
        "FIRST_RESPONSE_TIME": "Time to a first response (responsiveness), at most MINUTES, HOURS or DAYS.",
        "RESOLUTION_TIME": "Time to resolution (responsiveness), at most MINUTES, HOURS or DAYS.",
        "BACKLOG_AGE": "Age of the open backlog (responsiveness), at most MINUTES, HOURS or DAYS.",
        "TICKETS_CLOSED": "Tickets closed (activity, gameable), at least a COUNT.",
        "TICKETS_HANDLED": "Tickets handled (activity, gameable), at least a COUNT.",
        "HOURS_LOGGED": "Hours worked (activity, gameable), at least HOURS or a COUNT.",
        "CUSTOM": "Anything else, named by the KPI's name; weighed as activity and never checked for "
        "meaning.",
    },
)
KpiUnitEnum = described_enum(
    KpiUnit,
    "KpiUnit",
    "The unit of a KPI's or requirement's target; a target outside the unit's range is refused. "
    "Requirements compare across units: durations in minutes, ratings on 0-100.",
    {
        "PERCENT": "A percentage, 0-100.",
        "SCORE_5": "A rating on a 0-5 scale (x20 to compare with PERCENT).",
        "SCORE_10": "A rating on a 0-10 scale (x10 to compare with PERCENT).",
        "NPS_POINTS": "Net promoter score points, -100 to 100.",
        "MINUTES": "A duration in minutes, 0-525,600.",
        "HOURS": "A duration in hours, 0-8,760.",
        "DAYS": "A duration in days, 0-365.",
        "COUNT": "A number of items, 0 to 1e9.",
    },
)
ComparatorEnum = described_enum(
    Comparator,
    "Comparator",
    "Which side of the target a KPI or requirement promises.",
    {
        "AT_LEAST": "The measured value is at or above the target (ratings, shares, counts).",
        "AT_MOST": "The measured value is at or below the target (times, reopen rates).",
    },
)
CadenceEnum = described_enum(
    Cadence,
    "Cadence",
    "How often something is reported or measured.",
    {
        "REAL_TIME": "Continuously (a live dashboard).",
        "DAILY": "Every day.",
        "WEEKLY": "Every week.",
        "MONTHLY": "Every month (the norm for SLA reporting).",
        "QUARTERLY": "Every quarter: half the reporting points in SLA quality.",
        "NONE": "Never: no reporting points, and as a measurement window no window at all.",
    },
)
RemedyTypeEnum = described_enum(
    RemedyType,
    "RemedyType",
    "What the buyer gets when a KPI is breached; only a remedy with something at stake counts.",
    {
        "SERVICE_CREDIT": "A credit of creditPercent of the monthly fee (10% or more is a full stake, "
        "below 1% none).",
        "FEE_AT_RISK": "creditPercent of the fee withheld on a breach; staked like SERVICE_CREDIT.",
        "TERMINATION_RIGHT": "The buyer may terminate after afterConsecutiveBreaches monthly breaches "
        "(3 if unstated); a full stake only when that fits within the term.",
        "CORRECTIVE_ACTION_PLAN": "A plan to fix the breach: nothing at stake on its own.",
    },
)
OwnershipEnum = described_enum(
    Ownership,
    "Ownership",
    "Who owns an artefact of the service (runbooks, tooling configuration) at exit; vendor ownership "
    "raises lock-in exposure.",
    {
        "CLIENT": "The buyer owns it: no lock-in from it.",
        "SHARED": "Owned jointly: half the lock-in of vendor ownership.",
        "VENDOR": "The vendor owns it: the buyer must rebuild it to switch.",
    },
)
SeverityEnum = described_enum(
    Severity,
    "Severity",
    "How much a finding matters.",
    {
        "INFO": "Worth knowing; usually costs few or no points.",
        "WARNING": "A weakness that costs points or deserves a question to the vendor.",
        "CRITICAL": "Disqualifying or capping: an unmet requirement, over budget, or no remedies at all.",
    },
)
FindingCodeEnum = described_enum(
    FindingCode,
    "FindingCode",
    "Why a score lost points or deserves attention; each finding names the input path it is about. "
    "See docs/scoring.md for every rule.",
    {
        "GAMEABLE_METRIC": "A KPI counts activity (or is CUSTOM) and no outcome metric balances it.",
        "NO_OUTCOME_METRIC": "The SLA has no KPI at all, or none that measures an outcome.",
        "MISSING_MEASUREMENT_METHOD": 'A KPI states no usable measurement method ("TBD" is none) or '
        "no measurement window.",
        "KPI_WITHOUT_REMEDY": "A KPI has no remedy with anything at stake.",
        "NO_REMEDIES": "No KPI that carries weight has a remedy with something at stake: SLA quality "
        "is capped at 25.",
        "NO_REPORTING": "No reporting cadence (or only quarterly reporting, as INFO).",
        "NO_ESCALATION_PATH": "No escalation step answers within 720 hours.",
        "REQUIREMENT_NOT_MET": "A requirement of the RFP has no KPI at least as strict and enforceable.",
        "LONG_TERM": "A long contract term raises lock-in exposure.",
        "LONG_NOTICE": "A long termination notice raises lock-in exposure.",
        "EXIT_PENALTY": "An early-termination fee raises lock-in exposure.",
        "AUTO_RENEWAL": "The contract renews automatically.",
        "VENDOR_OWNS_RUNBOOKS": "The vendor owns (or shares) the runbooks.",
        "VENDOR_OWNS_TOOLING_CONFIG": "The vendor owns (or shares) the tooling configuration.",
        "NO_KNOWLEDGE_TRANSFER": "No knowledge-transfer clause at exit.",
        "NO_TRANSITION_ASSISTANCE": "No (or too little) transition assistance at exit.",
        "NO_DATA_EXPORT": "No data export on exit.",
        "OVER_BUDGET": "The normalized monthly cost is above the budget: not eligible. Budget-derived: "
        "hidden from vendors while the budget is not disclosed.",
        "UNCAPPED_COST": "Per-unit or outcome-based pricing: the cost grows with volume without a ceiling.",
        "ABNORMALLY_LOW_PRICE": "At most 60% of the mean of the other proposals' costs or 70% of the next "
        "higher price (underinvestment risk); raised when ranking, never changes a score.",
        "DUPLICATE_KPI": "Repeats a KPI with the same metric, comparator and unit; the repeat adds nothing.",
        "WEAK_REMEDY": "A remedy with little or nothing at stake (a credit below 1%, a termination "
        "right beyond the term, a corrective-action plan alone).",
        "METRIC_NOT_MEANINGFUL": "A KPI points the wrong way, uses a meaningless unit, or promises "
        "nothing (e.g. CSAT at least 0).",
        "IMPLAUSIBLE_TARGET": "A perfect target (100% uptime, a 0-minute response): worth asking for "
        "evidence; costs no points.",
        "SLOW_ESCALATION": "An escalation step answers later than 720 hours.",
        "HIGH_VOLUME_OVER_BUDGET": "Only at the RFP's high volume is the monthly cost above the budget. "
        "Budget-derived: hidden from vendors while the budget is not disclosed.",
        "HOURS_NOT_FROM_RFP": "Time and materials without the RFP's expected hours: costed at the "
        "monthly cap, never the vendor's own estimate.",
        "CAP_BELOW_WORKLOAD": "The time-and-materials cap buys fewer hours than the RFP expects.",
    },
)
