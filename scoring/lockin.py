"""Lock-in exposure, 0-100 (higher is worse): what it costs to leave (version 2).

Exposure is a sum of points, one per contract term, each rising only as the term moves in the
vendor's favour. Term, notice, exit penalty and auto-renewal keep rising past the usual range with
diminishing returns, P x (1 - exp(-x / s)), approaching but never reaching their weight P (so the sum
stays below 100 and 120 months still weigh more than 36):

    term             22  x (1 - exp(-(months beyond 12) / 24)):  24 mo 8.66, 36 mo 13.91, 120 mo 21.76
    notice            8  x (1 - exp(-(days beyond 90) / 90)):    180 days 5.06, 365 days 7.62
    exit penalty     15  x (1 - exp(-fee months / 6)):           3 mo 5.90, 6 mo 9.48, 60 mo 15.00
    auto-renewal      5  x (1 - exp(-term months / 12)):          what a renewal re-commits: 12 mo 3.16
    runbooks         15  vendor-owned 15, shared 7.5
    tooling config   10  vendor-owned 10, shared 5
    no KT clause     10
    transition       10  x (3 - assistance months) / 3, none from 3 months on
    no data export    5

It reads the contract terms alone; price enters through `exit_cost`, the money figure that scales with
the monthly cost, so a lower price can never raise the exposure.

Exit cost = notice fees + penalty + uncovered overlap + knowledge-loss allowance + data rebuild, where M
is the normalized monthly cost:
    notice fees     = M x notice days / 30
    penalty         = M x early-termination fee months
    overlap         = M x max(0, 3 + 1.5 o(runbooks) + 1.5 o(tooling) - transition assistance months)
                      with o = 0 client, 0.5 shared, 1 vendor: switching takes 3-6 months of overlap,
                      and months of transition assistance are the part the outgoing vendor covers
    knowledge loss  = M x 3 x 25% x (0.5 with a KT clause) x (runbooks: 0.5 client, 0.75 shared, 1 vendor)
                      (a quarter of three months' work: the 20-30% of know-how lost in a switch)
    data rebuild    = M x 1 without a data export on exit (a month of work to rebuild the history)
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from scoring.findings import finding
from scoring.messages import code as code_term
from scoring.messages import explain, money, number, part
from scoring.messages import points as points_term
from scoring.model import (
    ContractTerms,
    ExplanationCode,
    ExplanationPart,
    Finding,
    FindingCode,
    MessageCode,
    Ownership,
    Severity,
    Term,
    TermKind,
    round_minor,
    round_points,
    to_decimal,
)

MONTHS, DAYS = TermKind.MONTHS, TermKind.DAYS

NORM_TERM_MONTHS = 12
TERM_POINTS = Decimal(22)
TERM_SCALE_MONTHS = Decimal(24)
NORM_NOTICE_DAYS = 90
NOTICE_POINTS = Decimal(8)
NOTICE_SCALE_DAYS = Decimal(90)
PENALTY_POINTS = Decimal(15)
PENALTY_SCALE_MONTHS = Decimal(6)
AUTO_RENEWAL_POINTS = Decimal(5)
RENEWAL_SCALE_MONTHS = Decimal(12)
DATA_REBUILD_MONTHS = Decimal(1)
RUNBOOK_POINTS = Decimal(15)
TOOLING_POINTS = Decimal(10)
KNOWLEDGE_TRANSFER_POINTS = Decimal(10)
TRANSITION_POINTS = Decimal(10)
TRANSITION_NORM_MONTHS = 3
DATA_EXPORT_POINTS = Decimal(5)

# How much of a risk each owner leaves with the buyer.
OWNERSHIP_SHARE: dict[Ownership, Decimal] = {
    Ownership.CLIENT: Decimal(0),
    Ownership.SHARED: Decimal("0.5"),
    Ownership.VENDOR: Decimal(1),
}
BASE_OVERLAP_MONTHS = Decimal(3)
OWNERSHIP_OVERLAP_MONTHS = Decimal("1.5")
KNOWLEDGE_LOSS_MONTHS = Decimal(3)
KNOWLEDGE_LOSS_SHARE = Decimal("0.25")
KT_CLAUSE_FACTOR = Decimal("0.5")
RUNBOOK_KNOWLEDGE_FACTOR: dict[Ownership, Decimal] = {
    Ownership.CLIENT: Decimal("0.5"),
    Ownership.SHARED: Decimal("0.75"),
    Ownership.VENDOR: Decimal(1),
}
DAYS_PER_MONTH = Decimal(30)


@dataclass(frozen=True)
class LockInAssessment:
    exposure: Decimal
    exit_cost: Decimal
    findings: tuple[Finding, ...]
    explanation: str
    explanation_parts: tuple[ExplanationPart, ...]


def assess_lock_in(terms: ContractTerms, monthly_cost: Decimal, currency_code: str) -> LockInAssessment:
    findings: list[Finding] = []
    parts = [
        _term(terms.term_months, findings),
        _notice(terms.termination_notice_days, findings),
        _penalty(terms.early_termination_fee_months, findings),
        _auto_renewal(terms.auto_renews, terms.term_months, findings),
        _ownership(terms.runbook_ownership, RUNBOOK_POINTS, "runbooks", findings),
        _ownership(terms.tooling_config_ownership, TOOLING_POINTS, "tooling configuration", findings),
        _knowledge_transfer(terms.knowledge_transfer_clause, findings),
        _transition(terms.transition_assistance_months, findings),
        _data_export(terms.data_export_on_exit, findings),
    ]
    exposure = round_points(sum((points for points, _ in parts), Decimal(0)))
    exit_cost, exit_part = exit_cost_of(terms, monthly_cost, currency_code)
    said = [
        part(ExplanationCode.LOCK_IN_EXPOSURE, points_term("exposure", exposure)),
        *(item for _, item in parts),
        part(
            ExplanationCode.LOCK_IN_ENTERS,
            points_term("exposure", exposure),
            points_term("value", Decimal(100) - exposure),
        ),
        exit_part,
    ]
    return LockInAssessment(exposure, exit_cost, tuple(findings), explain(said), tuple(said))


def _rising_share(excess: Decimal, scale: Decimal) -> Decimal:
    """0 at no excess, rising with diminishing returns towards (never to) 1: no cap to hide behind."""
    if excess <= 0:
        return Decimal(0)
    return 1 - (-excess / scale).exp()


def _term(months: int, findings: list[Finding]) -> tuple[Decimal, ExplanationPart]:
    points = TERM_POINTS * _rising_share(Decimal(months - NORM_TERM_MONTHS), TERM_SCALE_MONTHS)
    if points:
        terms = [number("months", months, MONTHS), number("norm", NORM_TERM_MONTHS, MONTHS)]
        findings.append(finding(FindingCode.LONG_TERM, MessageCode.LONG_TERM, terms, "terms", "termMonths"))
    return points, part(
        ExplanationCode.LOCK_IN_TERM, number("months", months, MONTHS), points_term("points", points)
    )


def _notice(days: int, findings: list[Finding]) -> tuple[Decimal, ExplanationPart]:
    points = NOTICE_POINTS * _rising_share(Decimal(days - NORM_NOTICE_DAYS), NOTICE_SCALE_DAYS)
    if points:
        terms = [number("days", days, DAYS), number("norm", NORM_NOTICE_DAYS, DAYS)]
        path = ("terms", "terminationNoticeDays")
        findings.append(finding(FindingCode.LONG_NOTICE, MessageCode.LONG_NOTICE, terms, *path))
    return points, part(
        ExplanationCode.LOCK_IN_NOTICE, number("days", days, DAYS), points_term("points", points)
    )


def _penalty(fee_months: float, findings: list[Finding]) -> tuple[Decimal, ExplanationPart]:
    points = PENALTY_POINTS * _rising_share(to_decimal(fee_months), PENALTY_SCALE_MONTHS)
    if points:
        terms = [number("months", fee_months, MONTHS)]
        path = ("terms", "earlyTerminationFeeMonths")
        findings.append(finding(FindingCode.EXIT_PENALTY, MessageCode.EXIT_PENALTY, terms, *path))
    return points, part(
        ExplanationCode.LOCK_IN_PENALTY, number("months", fee_months, MONTHS), points_term("points", points)
    )


def _auto_renewal(
    auto_renews: bool, term_months: int, findings: list[Finding]
) -> tuple[Decimal, ExplanationPart]:
    if not auto_renews:
        return Decimal(0), part(ExplanationCode.LOCK_IN_NO_AUTO_RENEWAL, points_term("points", Decimal(0)))
    terms = [number("months", term_months, MONTHS)]
    findings.append(finding(FindingCode.AUTO_RENEWAL, MessageCode.AUTO_RENEWAL, terms, "terms", "autoRenews"))
    # A renewal re-commits the buyer to another term: a longer term, a heavier renewal.
    points = AUTO_RENEWAL_POINTS * _rising_share(Decimal(term_months), RENEWAL_SCALE_MONTHS)
    return points, part(ExplanationCode.LOCK_IN_AUTO_RENEWAL, *terms, points_term("points", points))


def _ownership(
    owner: Ownership, weight: Decimal, what: str, findings: list[Finding]
) -> tuple[Decimal, ExplanationPart]:
    points = weight * OWNERSHIP_SHARE[owner]
    if points:
        runbooks = what == "runbooks"
        code = FindingCode.VENDOR_OWNS_RUNBOOKS if runbooks else FindingCode.VENDOR_OWNS_TOOLING_CONFIG
        field = "runbookOwnership" if runbooks else "toolingConfigOwnership"
        if owner is Ownership.SHARED:
            said = MessageCode.RUNBOOKS_SHARED if runbooks else MessageCode.TOOLING_SHARED
            findings.append(finding(code, said, [], "terms", field, severity=Severity.INFO))
        else:
            said = MessageCode.RUNBOOKS_VENDOR if runbooks else MessageCode.TOOLING_VENDOR
            findings.append(finding(code, said, [], "terms", field))
    said_part = ExplanationCode.LOCK_IN_RUNBOOKS if what == "runbooks" else ExplanationCode.LOCK_IN_TOOLING
    return points, part(said_part, code_term("owner", owner.value), points_term("points", points))


def _knowledge_transfer(clause: bool, findings: list[Finding]) -> tuple[Decimal, ExplanationPart]:
    if clause:
        return Decimal(0), part(ExplanationCode.LOCK_IN_KNOWLEDGE_TRANSFER, points_term("points", Decimal(0)))
    said = MessageCode.NO_KNOWLEDGE_TRANSFER
    findings.append(finding(FindingCode.NO_KNOWLEDGE_TRANSFER, said, [], "terms", "knowledgeTransferClause"))
    return KNOWLEDGE_TRANSFER_POINTS, part(
        ExplanationCode.LOCK_IN_NO_KNOWLEDGE_TRANSFER, points_term("points", KNOWLEDGE_TRANSFER_POINTS)
    )


def _transition(months: int, findings: list[Finding]) -> tuple[Decimal, ExplanationPart]:
    missing = max(0, TRANSITION_NORM_MONTHS - months)
    points = TRANSITION_POINTS * missing / TRANSITION_NORM_MONTHS
    if missing == TRANSITION_NORM_MONTHS:
        said = MessageCode.NO_TRANSITION_ASSISTANCE
        findings.append(
            finding(FindingCode.NO_TRANSITION_ASSISTANCE, said, [], "terms", "transitionAssistanceMonths")
        )
    elif missing:
        findings.append(
            finding(
                FindingCode.NO_TRANSITION_ASSISTANCE,
                MessageCode.SHORT_TRANSITION_ASSISTANCE,
                [number("months", months, MONTHS), number("norm", TRANSITION_NORM_MONTHS, MONTHS)],
                "terms",
                "transitionAssistanceMonths",
                severity=Severity.INFO,
            )
        )
    return points, part(
        ExplanationCode.LOCK_IN_TRANSITION, number("months", months, MONTHS), points_term("points", points)
    )


def _data_export(export: bool, findings: list[Finding]) -> tuple[Decimal, ExplanationPart]:
    if export:
        return Decimal(0), part(ExplanationCode.LOCK_IN_DATA_EXPORT, points_term("points", Decimal(0)))
    findings.append(
        finding(FindingCode.NO_DATA_EXPORT, MessageCode.NO_DATA_EXPORT, [], "terms", "dataExportOnExit")
    )
    return DATA_EXPORT_POINTS, part(
        ExplanationCode.LOCK_IN_NO_DATA_EXPORT, points_term("points", DATA_EXPORT_POINTS)
    )


def overlap_months(terms: ContractTerms) -> Decimal:
    needed = (
        BASE_OVERLAP_MONTHS
        + OWNERSHIP_OVERLAP_MONTHS * OWNERSHIP_SHARE[terms.runbook_ownership]
        + OWNERSHIP_OVERLAP_MONTHS * OWNERSHIP_SHARE[terms.tooling_config_ownership]
    )
    return max(Decimal(0), needed - terms.transition_assistance_months)


def knowledge_loss_factor(terms: ContractTerms) -> Decimal:
    kt = KT_CLAUSE_FACTOR if terms.knowledge_transfer_clause else Decimal(1)
    return (
        KNOWLEDGE_LOSS_MONTHS * KNOWLEDGE_LOSS_SHARE * kt * RUNBOOK_KNOWLEDGE_FACTOR[terms.runbook_ownership]
    )


def exit_cost_of(
    terms: ContractTerms, monthly_cost: Decimal, currency_code: str
) -> tuple[Decimal, ExplanationPart]:
    notice = monthly_cost * terms.termination_notice_days / DAYS_PER_MONTH
    penalty = monthly_cost * to_decimal(terms.early_termination_fee_months)
    overlap = monthly_cost * overlap_months(terms)
    knowledge = monthly_cost * knowledge_loss_factor(terms)
    data = Decimal(0) if terms.data_export_on_exit else monthly_cost * DATA_REBUILD_MONTHS
    total = round_minor(notice + penalty + overlap + knowledge + data, currency_code)

    def shown(name: str, amount: Decimal) -> Term:
        return money(name, round_minor(amount, currency_code), currency_code)

    data_months = 0 if terms.data_export_on_exit else DATA_REBUILD_MONTHS
    said = part(
        ExplanationCode.EXIT_COST,
        money("total", total, currency_code),
        number("days", terms.termination_notice_days, DAYS),
        shown("notice", notice),
        number("penaltyMonths", terms.early_termination_fee_months, MONTHS),
        shown("penalty", penalty),
        Term(name="overlapMonths", kind=MONTHS, value=f"{overlap_months(terms).normalize():f}"),
        shown("overlap", overlap),
        Term(name="knowledgeMonths", kind=MONTHS, value=f"{knowledge_loss_factor(terms).normalize():f}"),
        shown("knowledge", knowledge),
        number("dataMonths", data_months, MONTHS),
        shown("data", data),
        shown("monthlyCost", monthly_cost),
    )
    return total, said
