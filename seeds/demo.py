"""The demo marketplace: a few buyers, eight vendors, five open RFPs and the proposals bid on them.

Everything here is plain data in the shape the API's use cases validate: each RFP is a camelCase
``CreateRfpInput`` dict and each proposal a camelCase ``ProposalInput`` dict, except ``pricing``, which
is the scoring model's tagged form, e.g. ``{"model": "flatMonthly", "monthlyFee": {...}}``. Money
amounts are decimal strings, enum values their GraphQL names. No I/O and no server code: a loader
registers the organizations, creates and publishes each RFP as its buyer, and submits each proposal
as its vendor.

The proposals are chosen to show what the scoring tells apart: strong and weak SLAs, client-owned
and vendor-owned exits, every pricing model (flat monthly, per unit with and without a minimum fee,
outcome-based with a base fee, time and materials with a cap), an abnormally cheap bid, bids that
miss a buyer requirement and KPIs stated in a different unit than the requirement (minutes against
hours). ``northwind-support`` is the managed-services primer's worked example: a US ecommerce brand
whose support desk a vendor runs for a flat 14000.00 USD a month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

JsonDict = dict[str, Any]

PRIMER_RFP_KEY = "northwind-support"
PRIMER_VENDOR_KEY = "brightdesk"


@dataclass(frozen=True)
class DemoOrganization:
    key: str
    name: str
    kind: str  # "BUYER" | "VENDOR"
    contact_email: str


@dataclass(frozen=True)
class DemoProposal:
    vendor: str  # a DemoOrganization key
    proposal: JsonDict  # camelCase ProposalInput shape, pricing tagged by "model"


@dataclass(frozen=True)
class DemoRfp:
    key: str
    buyer: str  # a DemoOrganization key
    rfp: JsonDict  # camelCase CreateRfpInput shape
    proposals: tuple[DemoProposal, ...]


@dataclass(frozen=True)
class DemoClarification:
    """A question on a demo RFP and the buyer's answer, published to every vendor."""

    rfp: str  # a DemoRfp key
    vendor: str | None  # the asker (a DemoOrganization key); None: the buyer published it unasked
    question: str
    answer: str


@dataclass(frozen=True)
class DemoAddendum:
    """An amendment of a demo RFP after its proposals are in (AmendRfpInput shape without rfpId),
    and the vendors who confirm their proposals under it."""

    rfp: str  # a DemoRfp key
    amendment: JsonDict
    confirmed_by: tuple[str, ...]


# ------------------------------------------------------------------------------ organizations

_ORGANIZATIONS: tuple[DemoOrganization, ...] = (
    # buyers
    DemoOrganization(
        "northwind", "Northwind Outfitters", "BUYER", "procurement@northwind-outfitters.example"
    ),
    DemoOrganization(
        "harborview", "Harborview Dental Partners", "BUYER", "operations@harborview-dental.example"
    ),
    DemoOrganization(
        "vanderlinde", "Van der Linde Logistiek B.V.", "BUYER", "inkoop@vanderlinde-logistiek.example"
    ),
    # vendors
    DemoOrganization("brightdesk", "BrightDesk Managed Support", "VENDOR", "bids@brightdesk.example"),
    DemoOrganization("tidewater", "Tidewater Business Services", "VENDOR", "proposals@tidewater-bps.example"),
    DemoOrganization("callvantage", "CallVantage Global", "VENDOR", "sales@callvantage.example"),
    DemoOrganization("apexshore", "ApexShore Outsourcing", "VENDOR", "rfp@apexshore.example"),
    DemoOrganization("ledgerline", "Ledgerline Accounting Services", "VENDOR", "hello@ledgerline.example"),
    DemoOrganization("ironclad", "Ironclad Managed IT", "VENDOR", "bids@ironclad-it.example"),
    DemoOrganization("sentinelgrid", "SentinelGrid Security B.V.", "VENDOR", "tenders@sentinelgrid.example"),
    DemoOrganization("pixelproof", "PixelProof QA Labs", "VENDOR", "rfp@pixelproof.example"),
)


def demo_organizations() -> tuple[DemoOrganization, ...]:
    """The demo buyers and vendors, buyers first."""
    return _ORGANIZATIONS


# ------------------------------------------------------------------------------ building blocks


def _money(amount: str, currency_code: str) -> JsonDict:
    return {"amount": amount, "currencyCode": currency_code}


def _requirement(metric: str, comparator: str, target: float, unit: str) -> JsonDict:
    return {"metric": metric, "comparator": comparator, "target": target, "unit": unit}


def _kpi(
    metric: str,
    comparator: str,
    target: float,
    unit: str,
    *,
    name: str | None = None,
    method: str | None = None,
    window: str | None = "MONTHLY",
    remedies: tuple[JsonDict, ...] = (),
) -> JsonDict:
    kpi: JsonDict = {"metric": metric, "comparator": comparator, "target": target, "unit": unit}
    if name is not None:
        kpi["name"] = name
    if method is not None:
        kpi["measurementMethod"] = method
    if window is not None:
        kpi["measurementWindow"] = window
    kpi["remedies"] = list(remedies)
    return kpi


def _credit(percent: float, description: str) -> JsonDict:
    return {"type": "SERVICE_CREDIT", "creditPercent": percent, "description": description}


def _fee_at_risk(percent: float, description: str) -> JsonDict:
    return {"type": "FEE_AT_RISK", "creditPercent": percent, "description": description}


def _termination_right(after_breaches: int) -> JsonDict:
    return {
        "type": "TERMINATION_RIGHT",
        "afterConsecutiveBreaches": after_breaches,
        "description": f"The client may terminate without penalty after {after_breaches} consecutive "
        "monthly breaches.",
    }


def _action_plan(description: str) -> JsonDict:
    return {"type": "CORRECTIVE_ACTION_PLAN", "description": description}


def _escalation(*steps: tuple[str, float]) -> list[JsonDict]:
    return [
        {"level": level, "role": role, "responseHours": hours} for level, (role, hours) in enumerate(steps, 1)
    ]


def _sla(kpis: list[JsonDict], reporting: str, escalation: list[JsonDict]) -> JsonDict:
    return {"kpis": kpis, "reportingCadence": reporting, "escalationPath": escalation}


def _flat(fee: str, currency_code: str) -> JsonDict:
    return {"model": "flatMonthly", "monthlyFee": _money(fee, currency_code)}


def _per_unit(price: str, unit_name: str, currency_code: str, minimum: str | None = None) -> JsonDict:
    pricing: JsonDict = {"model": "perUnit", "unitPrice": _money(price, currency_code), "unitName": unit_name}
    if minimum is not None:
        pricing["minimumMonthlyFee"] = _money(minimum, currency_code)
    return pricing


def _outcome(
    fee_per_outcome: str, outcome_name: str, currency_code: str, base: str | None = None
) -> JsonDict:
    pricing: JsonDict = {
        "model": "outcomeBased",
        "feePerOutcome": _money(fee_per_outcome, currency_code),
        "outcomeName": outcome_name,
    }
    if base is not None:
        pricing["baseMonthlyFee"] = _money(base, currency_code)
    return pricing


def _time_and_materials(rate: str, cap: str, currency_code: str, hours: float | None = None) -> JsonDict:
    pricing: JsonDict = {
        "model": "timeAndMaterials",
        "hourlyRate": _money(rate, currency_code),
        "monthlyCap": _money(cap, currency_code),
    }
    if hours is not None:
        pricing["estimatedHoursPerMonth"] = hours
    return pricing


def _terms(
    *,
    months: int = 12,
    notice_days: int = 90,
    exit_fee_months: float = 0.0,
    auto_renews: bool = False,
    runbooks: str = "CLIENT",
    tooling: str = "CLIENT",
    knowledge_transfer: bool = True,
    transition_months: int = 3,
    data_export: bool = True,
) -> JsonDict:
    """Contract terms; the defaults are the buyer-friendly norm (12 months, 90 days, client owns all)."""
    return {
        "termMonths": months,
        "terminationNoticeDays": notice_days,
        "earlyTerminationFeeMonths": exit_fee_months,
        "autoRenews": auto_renews,
        "runbookOwnership": runbooks,
        "toolingConfigOwnership": tooling,
        "knowledgeTransferClause": knowledge_transfer,
        "transitionAssistanceMonths": transition_months,
        "dataExportOnExit": data_export,
    }


def _proposal(
    summary: str,
    sla: JsonDict,
    pricing: JsonDict,
    terms: JsonDict,
    *,
    one_time_fee: JsonDict | None = None,
    escalation_percent: float = 0.0,
) -> JsonDict:
    proposal: JsonDict = {"summary": summary, "sla": sla, "pricing": pricing}
    if one_time_fee is not None:
        proposal["oneTimeFee"] = one_time_fee
    proposal["annualEscalationPercent"] = escalation_percent
    proposal["terms"] = terms
    return proposal


def _rfp(
    now: datetime,
    *,
    title: str,
    scope: str,
    category: str,
    currency_code: str,
    deadline_days: int,
    volume: JsonDict,
    requirements: list[JsonDict],
    weights: JsonDict,
    budget: str,
    evaluation_months: int = 12,
    expected_hours: float | None = None,
    expected_outcomes: float | None = None,
) -> JsonDict:
    return {
        "title": title,
        "scope": scope,
        "category": category,
        "currencyCode": currency_code,
        "submissionDeadline": now + timedelta(days=deadline_days),
        "evaluationMonths": evaluation_months,
        "volume": volume,
        "expectedHoursPerMonth": expected_hours,
        "expectedOutcomesPerMonth": expected_outcomes,
        "requirements": requirements,
        "weights": weights,
        "monthlyBudget": _money(budget, currency_code),
        "sealed": False,
    }


# ------------------------------------------------------------------------------ the RFPs


def _northwind_support(now: datetime) -> DemoRfp:
    """The primer's example: a $50M/yr US ecommerce brand outsources its whole support desk."""
    usd = "USD"
    rfp = _rfp(
        now,
        title="Managed customer support desk (email, chat, social)",
        scope=(
            "Northwind Outfitters is a US ecommerce brand (outdoor apparel and gear, about $50M a year in "
            "online revenue). We have no internal customer-service manager and want a managed provider to "
            "run the whole support desk: email, live chat and Instagram/Facebook DMs in our Gorgias "
            "helpdesk, 7 days a week from 6am to 10pm US Eastern. The provider staffs, schedules, trains, "
            "QAs and reports; we review outcomes at a monthly business review. In scope: order status, "
            "returns and exchanges, sizing and product questions, shipping issues, refunds up to $250 "
            "under our policy. Out of scope: chargebacks and fraud review (our finance team). Volume is "
            "about 9,000 tickets a month and roughly doubles in November-December. We expect runbooks, "
            "macros and Gorgias configuration to stay ours."
        ),
        category="CUSTOMER_SUPPORT",
        currency_code=usd,
        deadline_days=21,
        volume={"unitName": "ticket", "expected": 9000.0, "low": 6500.0, "high": 14000.0},
        expected_outcomes=8500.0,  # tickets resolved (closed without reopen) in a typical month
        requirements=[
            _requirement("FIRST_RESPONSE_TIME", "AT_MOST", 2.0, "HOURS"),
            _requirement("CSAT", "AT_LEAST", 4.3, "SCORE_5"),
        ],
        weights={"slaQuality": 0.4, "lockIn": 0.25, "cost": 0.35},
        budget="15000.00",
    )
    gorgias_csat = (
        "Gorgias post-resolution CSAT survey (1-5), average of all responses received in the calendar "
        "month; the raw export is shared with the monthly report."
    )
    proposals = (
        DemoProposal(
            "brightdesk",
            _proposal(
                "Fully managed support desk for a flat 14000.00 USD a month: a dedicated team of 12 agents, "
                "a team lead, a QA analyst and a workforce manager, covering email, chat and social DMs "
                "7 days a week, 6am-10pm ET, in your Gorgias instance. We forecast and staff for the "
                "November-December peak at no extra charge up to 14,000 tickets a month. Runbooks and macros "
                "we write are yours; monthly business review with the SLA report. 30-day transition with "
                "shadowing of your current process.",
                _sla(
                    [
                        _kpi(
                            "CSAT",
                            "AT_LEAST",
                            4.3,
                            "SCORE_5",
                            name="Customer satisfaction",
                            method=gorgias_csat,
                            remedies=(
                                _credit(5.0, "5% of the monthly fee credited for each month below target."),
                                _termination_right(3),
                            ),
                        ),
                        _kpi(
                            "FIRST_RESPONSE_TIME",
                            "AT_MOST",
                            2.0,
                            "HOURS",
                            name="First response time (90th percentile)",
                            method="Gorgias first-response-time report: 90th percentile of time from ticket "
                            "creation to first human reply, over all tickets created in coverage hours.",
                            remedies=(_credit(5.0, "5% of the monthly fee credited for each month missed."),),
                        ),
                        _kpi(
                            "REOPEN_RATE",
                            "AT_MOST",
                            6.0,
                            "PERCENT",
                            name="Reopen rate",
                            method="Share of tickets closed in the month that were reopened within 7 days "
                            "(Gorgias ticket events).",
                            remedies=(
                                _credit(2.0, "2% of the monthly fee credited for each month above 6%."),
                                _action_plan("Root-cause review and a corrective plan within 10 days."),
                            ),
                        ),
                    ],
                    "MONTHLY",
                    _escalation(("Team lead", 1.0), ("Account manager", 4.0), ("Head of delivery", 24.0)),
                ),
                _flat("14000.00", usd),
                _terms(),
                one_time_fee=_money("3500.00", usd),
                escalation_percent=3.0,
            ),
        ),
        DemoProposal(
            "tidewater",
            _proposal(
                "Usage-based managed support: 1.45 USD per ticket handled, with an 11000.00 USD monthly "
                "minimum that funds a core team of 9 agents, a supervisor and shared QA. Elastic overflow "
                "team for peak season billed at the same per-ticket rate. First response within 90 minutes "
                "and CSAT of at least 4.4, backed by service credits.",
                _sla(
                    [
                        _kpi(
                            "FIRST_RESPONSE_TIME",
                            "AT_MOST",
                            90.0,
                            "MINUTES",
                            name="First response time (median)",
                            method="Median minutes from ticket creation to first agent reply, from the "
                            "Gorgias statistics API, coverage hours only.",
                            remedies=(_credit(4.0, "4% credit for each month missed."),),
                        ),
                        _kpi(
                            "CSAT",
                            "AT_LEAST",
                            4.4,
                            "SCORE_5",
                            name="CSAT",
                            method=gorgias_csat,
                            remedies=(_credit(6.0, "6% credit for each month below 4.4."),),
                        ),
                        _kpi(
                            "FIRST_CONTACT_RESOLUTION",
                            "AT_LEAST",
                            70.0,
                            "PERCENT",
                            name="One-touch resolution",
                            method="Tickets closed after a single agent reply, as a share of closed tickets.",
                            remedies=(_action_plan("Corrective plan at the next monthly review."),),
                        ),
                    ],
                    "MONTHLY",
                    _escalation(("Shift supervisor", 0.5), ("Client success manager", 8.0)),
                ),
                _per_unit("1.45", "ticket", usd, minimum="11000.00"),
                _terms(notice_days=60, runbooks="SHARED", transition_months=2),
                escalation_percent=4.0,
            ),
        ),
        DemoProposal(
            "callvantage",
            _proposal(
                "Enterprise-grade contact centre on the CallVantage OmniDesk platform. Low 4000.00 USD "
                "platform fee plus 0.95 USD per ticket closed. We migrate your queues to OmniDesk and our "
                "proprietary playbooks, so you never have to manage tooling again.",
                _sla(
                    [
                        _kpi(
                            "TICKETS_CLOSED", "AT_LEAST", 8500.0, "COUNT", name="Tickets closed", window=None
                        ),
                    ],
                    "QUARTERLY",
                    [],
                ),
                _outcome("0.95", "ticket closed", usd, base="4000.00"),
                _terms(
                    months=36,
                    notice_days=180,
                    exit_fee_months=6.0,
                    auto_renews=True,
                    runbooks="VENDOR",
                    tooling="VENDOR",
                    knowledge_transfer=False,
                    transition_months=0,
                    data_export=False,
                ),
                one_time_fee=_money("9500.00", usd),
                escalation_percent=7.0,
            ),
        ),
        DemoProposal(
            "apexshore",
            _proposal(
                "Offshore support pod at 0.55 USD per ticket, no minimum: 6 agents working from your Gorgias "
                "account, team lead shared with other clients. Best-effort first response within 4 hours; "
                "CSAT target 4.0.",
                _sla(
                    [
                        _kpi(
                            "CSAT",
                            "AT_LEAST",
                            4.0,
                            "SCORE_5",
                            method="Gorgias CSAT survey, monthly average.",
                            remedies=(_action_plan("Improvement plan on request."),),
                        ),
                        _kpi(
                            "FIRST_RESPONSE_TIME",
                            "AT_MOST",
                            4.0,
                            "HOURS",
                            method="Gorgias average first response time.",
                        ),
                    ],
                    "MONTHLY",
                    _escalation(("Shared team lead", 24.0)),
                ),
                _per_unit("0.55", "ticket", usd),
                _terms(notice_days=30, transition_months=0),
            ),
        ),
    )
    return DemoRfp(PRIMER_RFP_KEY, "northwind", rfp, proposals)


def _harborview_bookkeeping(now: datetime) -> DemoRfp:
    usd = "USD"
    rfp = _rfp(
        now,
        title="Outsourced bookkeeping and month-end close for 14 dental clinics",
        scope=(
            "Harborview Dental Partners runs 14 general-dentistry clinics in Oregon and Washington. We need "
            "a managed bookkeeping provider for day-to-day transaction coding in QuickBooks Online (one "
            "class per clinic), bank and credit-card reconciliations, accounts payable for about 180 "
            "suppliers, insurance-receivable reconciliation against our Dentrix practice-management "
            "reports, and a month-end close package (P&L by clinic, balance sheet, AR ageing) for our "
            "fractional CFO. Payroll is run by Gusto and out of scope except for journal entries. About "
            "2,400 transactions a month."
        ),
        category="BOOKKEEPING",
        currency_code=usd,
        deadline_days=14,
        volume={"unitName": "transaction", "expected": 2400.0, "low": 1900.0, "high": 3100.0},
        expected_hours=160.0,
        requirements=[
            _requirement("ACCURACY", "AT_LEAST", 99.5, "PERCENT"),
            _requirement("BACKLOG_AGE", "AT_MOST", 3.0, "DAYS"),
        ],
        weights={"slaQuality": 0.45, "lockIn": 0.2, "cost": 0.35},
        budget="6500.00",
    )
    accuracy_method = (
        "Monthly sample of 100 coded transactions reviewed by the client's fractional CFO; share coded "
        "to the right account and class."
    )
    proposals = (
        DemoProposal(
            "ledgerline",
            _proposal(
                "Flat 5800.00 USD a month: a dedicated senior bookkeeper, an AP specialist and CPA review of "
                "every close package. Close delivered by business day 7. All work stays in your QuickBooks "
                "Online and shared drive; close checklists and procedures are written for you and belong "
                "to you.",
                _sla(
                    [
                        _kpi(
                            "ACCURACY",
                            "AT_LEAST",
                            99.7,
                            "PERCENT",
                            name="Coding accuracy",
                            method=accuracy_method,
                            remedies=(
                                _credit(5.0, "5% credit for a month below target."),
                                _termination_right(3),
                            ),
                        ),
                        _kpi(
                            "BACKLOG_AGE",
                            "AT_MOST",
                            2.0,
                            "DAYS",
                            name="Oldest uncoded bank transaction",
                            method="Age of the oldest uncategorized transaction in the QBO bank feed, "
                            "checked daily; the monthly figure is the worst day.",
                            window="DAILY",
                            remedies=(_credit(2.0, "2% credit per month with any breach."),),
                        ),
                        _kpi(
                            "CUSTOM",
                            "AT_MOST",
                            7.0,
                            "DAYS",
                            name="Month-end close delivered (business days after month end)",
                            method="Date the close package is delivered to the CFO's shared folder.",
                            remedies=(
                                _fee_at_risk(10.0, "10% of the month's fee at risk if the close is late."),
                            ),
                        ),
                    ],
                    "MONTHLY",
                    _escalation(("Senior bookkeeper", 4.0), ("Engagement CPA", 24.0)),
                ),
                _flat("5800.00", usd),
                _terms(notice_days=60, transition_months=2),
                one_time_fee=_money("2500.00", usd),
                escalation_percent=3.0,
            ),
        ),
        DemoProposal(
            "tidewater",
            _proposal(
                "Transaction-based bookkeeping: 1.85 USD per transaction processed with a 4000.00 USD "
                "monthly minimum, pooled team of bookkeepers, close by business day 10.",
                _sla(
                    [
                        _kpi(
                            "ACCURACY",
                            "AT_LEAST",
                            99.0,
                            "PERCENT",
                            method="Internal QA sample of 50 transactions a month.",
                            remedies=(_credit(3.0, "3% credit for a month below target."),),
                        ),
                        _kpi(
                            "BACKLOG_AGE",
                            "AT_MOST",
                            3.0,
                            "DAYS",
                            method="Oldest uncategorized transaction in the QBO bank feed at month end.",
                            remedies=(_credit(2.0, "2% credit for a month with a breach."),),
                        ),
                    ],
                    "MONTHLY",
                    _escalation(("Pod lead", 8.0), ("Client success manager", 48.0)),
                ),
                _per_unit("1.85", "transaction", usd, minimum="4000.00"),
                _terms(runbooks="SHARED", transition_months=1),
                escalation_percent=3.5,
            ),
        ),
        DemoProposal(
            "apexshore",
            _proposal(
                "Time and materials at 26.00 USD an hour, capped at 4400.00 USD a month (estimated 150 "
                "hours). Offshore bookkeepers working in your QuickBooks Online; close by business day 12.",
                _sla(
                    [
                        _kpi(
                            "ACCURACY",
                            "AT_LEAST",
                            99.5,
                            "PERCENT",
                            method="Self-reported from our review checklist.",
                        ),
                        _kpi(
                            "HOURS_LOGGED",
                            "AT_LEAST",
                            150.0,
                            "COUNT",
                            name="Hours logged",
                            method="Timesheets.",
                        ),
                    ],
                    "MONTHLY",
                    _escalation(("Account lead", 24.0)),
                ),
                _time_and_materials("26.00", "4400.00", usd, hours=150.0),
                _terms(notice_days=30, runbooks="VENDOR", knowledge_transfer=False, transition_months=0),
            ),
        ),
    )
    return DemoRfp("harborview-bookkeeping", "harborview", rfp, proposals)


def _harborview_it(now: datetime) -> DemoRfp:
    usd = "USD"
    rfp = _rfp(
        now,
        title="Managed IT for 14 clinics: helpdesk, endpoints, network and backups",
        scope=(
            "Harborview Dental Partners needs a managed IT provider for 14 clinics and a small head office: "
            "about 210 endpoints (front-desk PCs, operatory workstations, imaging PCs, laptops), clinic "
            "firewalls and Wi-Fi, Microsoft 365, nightly backups of the Dentrix servers and a HIPAA-ready "
            "patching and access-review routine. Helpdesk for 260 staff, 7am-7pm Pacific Monday to "
            "Saturday, with on-site dispatch within the Portland and Seattle metro areas. Two new clinics "
            "are planned next year."
        ),
        category="IT_MANAGED_SERVICES",
        currency_code=usd,
        deadline_days=28,
        volume={"unitName": "endpoint", "expected": 210.0, "low": 190.0, "high": 260.0},
        expected_hours=350.0,
        requirements=[
            _requirement("UPTIME", "AT_LEAST", 99.9, "PERCENT"),
            _requirement("FIRST_RESPONSE_TIME", "AT_MOST", 1.0, "HOURS"),
            _requirement("CSAT", "AT_LEAST", 4.5, "SCORE_5"),
        ],
        weights={"slaQuality": 0.45, "lockIn": 0.3, "cost": 0.25},
        budget="24000.00",
    )
    proposals = (
        DemoProposal(
            "ironclad",
            _proposal(
                "Per-endpoint managed IT at 98.00 USD per endpoint per month (18000.00 USD minimum): "
                "helpdesk, patching, EDR, backup monitoring with quarterly restore tests, network management"
                " and on-site dispatch. RMM and backup consoles are set up in tenants you own; we document "
                "every clinic in your IT Glue account.",
                _sla(
                    [
                        _kpi(
                            "UPTIME",
                            "AT_LEAST",
                            99.95,
                            "PERCENT",
                            name="Clinic network and server availability",
                            method="Five-minute synthetic checks from two regions against each clinic "
                            "firewall and the Dentrix servers, clinic hours only.",
                            remedies=(
                                _credit(10.0, "10% credit for a month below target."),
                                _termination_right(2),
                            ),
                        ),
                        _kpi(
                            "FIRST_RESPONSE_TIME",
                            "AT_MOST",
                            30.0,
                            "MINUTES",
                            name="Priority 1-2 response",
                            method="ConnectWise ticket timestamps: creation to first technician contact, "
                            "P1 and P2 tickets.",
                            remedies=(_credit(5.0, "5% credit for a month missed."),),
                        ),
                        _kpi(
                            "CSAT",
                            "AT_LEAST",
                            4.6,
                            "SCORE_5",
                            name="Helpdesk satisfaction",
                            method="One-question survey on every closed ticket, monthly average.",
                            remedies=(
                                _action_plan("Service improvement plan within 15 days."),
                                _credit(3.0, "3% credit for a month below target."),
                            ),
                        ),
                    ],
                    "MONTHLY",
                    _escalation(("Service desk manager", 1.0), ("vCIO", 4.0), ("COO", 24.0)),
                ),
                _per_unit("98.00", "endpoint", usd, minimum="18000.00"),
                _terms(),
                one_time_fee=_money("6500.00", usd),
                escalation_percent=3.0,
            ),
        ),
        DemoProposal(
            "callvantage",
            _proposal(
                "All-inclusive managed IT for a flat 17500.00 USD a month on the CallVantage NOC platform "
                "and our remote-management stack. 99.5% availability commitment, tickets handled within "
                "one business day.",
                _sla(
                    [
                        _kpi(
                            "UPTIME",
                            "AT_LEAST",
                            99.5,
                            "PERCENT",
                            method="CallVantage NOC monitoring.",
                            remedies=(_credit(2.0, "2% credit, capped at one credit per quarter."),),
                        ),
                        _kpi("TICKETS_HANDLED", "AT_LEAST", 400.0, "COUNT", name="Tickets handled"),
                    ],
                    "QUARTERLY",
                    _escalation(("NOC shift lead", 8.0)),
                ),
                _flat("17500.00", usd),
                _terms(
                    months=24,
                    notice_days=120,
                    exit_fee_months=3.0,
                    auto_renews=True,
                    runbooks="VENDOR",
                    tooling="VENDOR",
                    transition_months=1,
                ),
                escalation_percent=5.0,
            ),
        ),
        DemoProposal(
            "apexshore",
            _proposal(
                "Remote helpdesk and endpoint management, time and materials at 45.00 USD an hour with a "
                "hard cap of 16000.00 USD a month (about 320 hours). On-site visits subcontracted locally "
                "and billed within the same cap.",
                _sla(
                    [
                        _kpi(
                            "FIRST_RESPONSE_TIME",
                            "AT_MOST",
                            1.0,
                            "HOURS",
                            method="Ticket timestamps in our helpdesk tool.",
                            remedies=(_credit(3.0, "3% credit for a month missed."),),
                        ),
                        _kpi(
                            "UPTIME",
                            "AT_LEAST",
                            99.9,
                            "PERCENT",
                            method="Monitoring agent heartbeat.",
                        ),
                        _kpi(
                            "HOURS_LOGGED",
                            "AT_LEAST",
                            300.0,
                            "COUNT",
                            name="Engineer hours",
                            method="Timesheets.",
                        ),
                    ],
                    "MONTHLY",
                    _escalation(("Helpdesk lead", 2.0), ("Delivery manager", 24.0)),
                ),
                _time_and_materials("45.00", "16000.00", usd, hours=320.0),
                _terms(notice_days=30, runbooks="SHARED", tooling="SHARED", transition_months=1),
            ),
        ),
    )
    return DemoRfp("harborview-it", "harborview", rfp, proposals)


def _vanderlinde_soc(now: datetime) -> DemoRfp:
    eur = "EUR"
    rfp = _rfp(
        now,
        title="24x7 managed detection and response (SOC) for a logistics group",
        scope=(
            "Van der Linde Logistiek B.V. (Rotterdam; 620 staff across 5 warehouses in the Netherlands and "
            "Belgium) needs a 24x7 managed SOC on our Microsoft Sentinel and Defender for Endpoint "
            "tenant: alert triage, threat hunting, containment on our behalf for critical incidents, "
            "monthly reporting for our NIS2 obligations, and incident-response retainer hours. About 850 "
            "monitored endpoints and servers plus the warehouse-management system's cloud logs. Detection "
            "rules and playbooks built for us must stay in our tenant."
        ),
        category="SECURITY_OPERATIONS",
        currency_code=eur,
        deadline_days=18,
        volume={"unitName": "monitored endpoint", "expected": 850.0, "low": 800.0, "high": 1000.0},
        requirements=[
            _requirement("FIRST_RESPONSE_TIME", "AT_MOST", 15.0, "MINUTES"),
            _requirement("RESOLUTION_TIME", "AT_MOST", 4.0, "HOURS"),
        ],
        weights={"slaQuality": 0.5, "lockIn": 0.25, "cost": 0.25},
        budget="19000.00",
        evaluation_months=24,
    )
    proposals = (
        DemoProposal(
            "sentinelgrid",
            _proposal(
                "24x7 MDR from our Utrecht SOC for a flat 16500.00 EUR a month, working directly in your "
                "Sentinel and Defender tenant: triage of every high and critical alert within 15 minutes, "
                "containment of critical incidents within 4 hours, weekly hunting, 20 incident-response "
                "hours a month included, NIS2-ready monthly report. Every analytic rule and playbook we "
                "build is delivered into your tenant and documented.",
                _sla(
                    [
                        _kpi(
                            "FIRST_RESPONSE_TIME",
                            "AT_MOST",
                            15.0,
                            "MINUTES",
                            name="Time to triage (high/critical)",
                            method="Sentinel incident timestamps: creation to first analyst assignment "
                            "with a triage comment, 95th percentile per month.",
                            remedies=(_credit(10.0, "10% credit for a month missed."), _termination_right(2)),
                        ),
                        _kpi(
                            "RESOLUTION_TIME",
                            "AT_MOST",
                            4.0,
                            "HOURS",
                            name="Time to contain (critical)",
                            method="Sentinel incident timestamps: triage to containment action logged "
                            "(device isolation, account disable), every critical incident.",
                            remedies=(_credit(10.0, "10% credit per missed critical incident, max 30%."),),
                        ),
                        _kpi(
                            "UPTIME",
                            "AT_LEAST",
                            99.9,
                            "PERCENT",
                            name="Log ingestion coverage",
                            method="Share of expected data connectors healthy, hourly health checks.",
                            window="MONTHLY",
                            remedies=(
                                _credit(3.0, "3% credit for a month below target."),
                                _action_plan("Remediation plan within 5 working days."),
                            ),
                        ),
                    ],
                    "MONTHLY",
                    _escalation(("SOC shift lead", 0.25), ("Incident response lead", 1.0), ("CISO", 4.0)),
                ),
                _flat("16500.00", eur),
                _terms(),
                one_time_fee=_money("8000.00", eur),
                escalation_percent=2.5,
            ),
        ),
        DemoProposal(
            "ironclad",
            _proposal(
                "Managed SOC at 17.50 EUR per monitored endpoint per month (13000.00 EUR minimum) on our "
                "hosted SIEM, with log forwarding from your Sentinel tenant. Triage within a quarter hour, "
                "containment of critical incidents within 6 hours.",
                _sla(
                    [
                        _kpi(
                            "FIRST_RESPONSE_TIME",
                            "AT_MOST",
                            0.25,
                            "HOURS",
                            name="Time to triage",
                            method="Hosted SIEM case timestamps, average per month.",
                            remedies=(_credit(5.0, "5% credit for a month missed."),),
                        ),
                        _kpi(
                            "RESOLUTION_TIME",
                            "AT_MOST",
                            6.0,
                            "HOURS",
                            name="Time to contain",
                            method="Hosted SIEM case timestamps.",
                            remedies=(_credit(5.0, "5% credit for a month missed."),),
                        ),
                    ],
                    "MONTHLY",
                    _escalation(("SOC analyst on duty", 0.5), ("SOC manager", 4.0)),
                ),
                _per_unit("17.50", "monitored endpoint", eur, minimum="13000.00"),
                _terms(
                    months=24,
                    exit_fee_months=3.0,
                    runbooks="SHARED",
                    tooling="VENDOR",
                    transition_months=2,
                ),
                one_time_fee=_money("12000.00", eur),
                escalation_percent=3.0,
            ),
        ),
        DemoProposal(
            "apexshore",
            _proposal(
                "Security monitoring for a flat 6900.00 EUR a month: alerts from your Sentinel tenant "
                "reviewed by our analysts, business hours with on-call out of hours; critical incidents "
                "escalated to your IT team for containment.",
                _sla(
                    [
                        _kpi(
                            "FIRST_RESPONSE_TIME",
                            "AT_MOST",
                            60.0,
                            "MINUTES",
                            method="Ticket timestamps.",
                        ),
                    ],
                    "MONTHLY",
                    _escalation(("On-call analyst", 1.0)),
                ),
                _flat("6900.00", eur),
                _terms(notice_days=30, transition_months=0),
            ),
        ),
    )
    return DemoRfp("vanderlinde-soc", "vanderlinde", rfp, proposals)


def _northwind_qa(now: datetime) -> DemoRfp:
    usd = "USD"
    rfp = _rfp(
        now,
        title="Managed regression testing for storefront and mobile app releases",
        scope=(
            "Northwind Outfitters ships its Shopify Plus storefront and its iOS and Android apps every two "
            "weeks. We want a managed QA team to own regression testing: maintain the test-case library "
            "in our TestRail, run the full regression (about 1,500 cases) on every release candidate, "
            "run smoke tests on hotfixes, file reproducible defects in our Jira, and grow the Playwright "
            "automation in our GitHub repository. We estimate about 320 hours of work a month."
        ),
        category="QA_TESTING",
        currency_code=usd,
        deadline_days=10,
        volume={"unitName": "test case executed", "expected": 3000.0, "low": 2000.0, "high": 4500.0},
        expected_hours=320.0,
        requirements=[
            _requirement("RESOLUTION_TIME", "AT_MOST", 48.0, "HOURS"),
            _requirement("ACCURACY", "AT_LEAST", 95.0, "PERCENT"),
            _requirement("QUALITY_SCORE", "AT_LEAST", 8.0, "SCORE_10"),
        ],
        weights={"slaQuality": 0.35, "lockIn": 0.25, "cost": 0.4},
        budget="12000.00",
    )
    proposals = (
        DemoProposal(
            "pixelproof",
            _proposal(
                "Managed QA pod (QA lead, 2 senior testers, 1 automation engineer) at 38.00 USD an hour, "
                "capped at 12000.00 USD a month; we expect about 300 hours. Full regression turned around "
                "within 36 hours of a release candidate. All test cases, automation code and CI config live "
                "in your TestRail and GitHub.",
                _sla(
                    [
                        _kpi(
                            "RESOLUTION_TIME",
                            "AT_MOST",
                            36.0,
                            "HOURS",
                            name="Regression cycle turnaround",
                            method="Time from the release-candidate build notification to the signed-off "
                            "TestRail run, every release.",
                            remedies=(_credit(5.0, "5% credit per late release cycle, max 15% a month."),),
                        ),
                        _kpi(
                            "ACCURACY",
                            "AT_LEAST",
                            97.0,
                            "PERCENT",
                            name="Valid defect reports",
                            method="Share of filed Jira defects not closed as 'cannot reproduce' or "
                            "'not a bug'.",
                            remedies=(
                                _action_plan("Defect-quality review with your engineering lead."),
                                _credit(3.0, "3% credit for a month below target."),
                            ),
                        ),
                        _kpi(
                            "QUALITY_SCORE",
                            "AT_LEAST",
                            8.5,
                            "SCORE_10",
                            name="Release quality score",
                            method="Your engineering lead's 0-10 rating of each release cycle, monthly "
                            "average.",
                            remedies=(_termination_right(3),),
                        ),
                    ],
                    "MONTHLY",
                    _escalation(("QA lead", 2.0), ("Delivery director", 24.0)),
                ),
                _time_and_materials("38.00", "12000.00", usd, hours=300.0),
                _terms(months=6, notice_days=30, transition_months=1),
            ),
        ),
        DemoProposal(
            "apexshore",
            _proposal(
                "Manual regression at 2.10 USD per test case executed, 4000.00 USD monthly minimum. "
                "Regression results within 72 hours.",
                _sla(
                    [
                        _kpi(
                            "RESOLUTION_TIME",
                            "AT_MOST",
                            3.0,
                            "DAYS",
                            name="Regression turnaround",
                            method="Test run completion date.",
                        ),
                        _kpi(
                            "TICKETS_HANDLED",
                            "AT_LEAST",
                            3000.0,
                            "COUNT",
                            name="Test cases executed",
                            method="TestRail run counts.",
                        ),
                    ],
                    "MONTHLY",
                    _escalation(("Test manager", 24.0)),
                ),
                _per_unit("2.10", "test case executed", usd, minimum="4000.00"),
                _terms(notice_days=30, transition_months=0),
            ),
        ),
        DemoProposal(
            "ironclad",
            _proposal(
                "QA as a service for a flat 13800.00 USD a month, including our proprietary low-code test "
                "automation platform and device cloud. Regression within 24 hours once automated.",
                _sla(
                    [
                        _kpi(
                            "RESOLUTION_TIME",
                            "AT_MOST",
                            24.0,
                            "HOURS",
                            name="Regression turnaround",
                            method="Platform run timestamps.",
                            remedies=(_credit(5.0, "5% credit for a month with a late cycle."),),
                        ),
                        _kpi(
                            "ACCURACY",
                            "AT_LEAST",
                            95.0,
                            "PERCENT",
                            name="Valid defect reports",
                            method="Jira resolution field of filed defects.",
                            remedies=(_credit(3.0, "3% credit for a month below target."),),
                        ),
                        _kpi(
                            "QUALITY_SCORE",
                            "AT_LEAST",
                            8.0,
                            "SCORE_10",
                            name="Release quality score",
                            method="Client rating per release.",
                        ),
                    ],
                    "MONTHLY",
                    _escalation(("QA manager", 4.0), ("Account director", 24.0)),
                ),
                _flat("13800.00", usd),
                _terms(months=24, runbooks="SHARED", tooling="VENDOR", transition_months=1),
                one_time_fee=_money("7500.00", usd),
                escalation_percent=4.0,
            ),
        ),
    )
    return DemoRfp("northwind-qa", "northwind", rfp, proposals)


def demo_rfps(now: datetime) -> tuple[DemoRfp, ...]:
    """The demo RFPs, all unsealed and open: each submission deadline is days or weeks after `now`.

    `now` must be timezone-aware; deadlines are returned in UTC. Each call builds fresh dicts, so a
    caller may mutate what it gets.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    now = now.astimezone(UTC)
    return (
        _northwind_support(now),
        _harborview_bookkeeping(now),
        _harborview_it(now),
        _vanderlinde_soc(now),
        _northwind_qa(now),
    )


def demo_clarifications() -> tuple[DemoClarification, ...]:
    """Answered questions on the QA RFP: two asked by vendors, one the buyer published unasked."""
    return (
        DemoClarification(
            "northwind-qa",
            "pixelproof",
            "Does the full regression have to run on real iOS and Android devices, or are emulators "
            "acceptable for part of it?",
            "Real devices for the 200 checkout and payment cases; emulators are fine for the rest. We "
            "provide BrowserStack seats.",
        ),
        DemoClarification(
            "northwind-qa",
            "apexshore",
            "How many release candidates a month should we plan for, hotfixes included?",
            "Two release candidates and, on average, three hotfixes a month.",
        ),
        DemoClarification(
            "northwind-qa",
            None,
            "Will the Playwright suite stay in Northwind's GitHub organization?",
            "Yes: every test and fixture is committed to our repository; the vendor gets contributor access.",
        ),
    )


def demo_addenda() -> tuple[DemoAddendum, ...]:
    """The QA RFP's volume grows once the mobile app ships a third platform (iPad): rescored, and
    every proposal flagged for its vendor's confirmation; PixelProof confirms, the others have not."""
    return (
        DemoAddendum(
            "northwind-qa",
            {
                "summary": "Addendum 1: the iPad app joins the regression scope; about 20% more cases "
                "executed a month, and the deadline moves one week later.",
                "volume": {
                    "unitName": "test case executed",
                    "expected": 3600.0,
                    "low": 2400.0,
                    "high": 5400.0,
                },
                "expectedHoursPerMonth": 380.0,
            },
            ("pixelproof",),
        ),
    )


__all__ = [
    "PRIMER_RFP_KEY",
    "PRIMER_VENDOR_KEY",
    "DemoAddendum",
    "DemoClarification",
    "DemoOrganization",
    "DemoProposal",
    "DemoRfp",
    "demo_addenda",
    "demo_clarifications",
    "demo_organizations",
    "demo_rfps",
]
