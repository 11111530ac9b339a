"""The catalogue of findings: each code's default severity and one way to build a finding.

Severities live here, not at the call sites, so the same code always means the same urgency.
"""

from __future__ import annotations

from collections.abc import Sequence

from scoring.messages import render
from scoring.model import Finding, FindingCode, MessageCode, Severity, Term

SEVERITY: dict[FindingCode, Severity] = {
    FindingCode.GAMEABLE_METRIC: Severity.WARNING,
    FindingCode.NO_OUTCOME_METRIC: Severity.WARNING,
    FindingCode.MISSING_MEASUREMENT_METHOD: Severity.WARNING,
    FindingCode.KPI_WITHOUT_REMEDY: Severity.WARNING,
    FindingCode.NO_REMEDIES: Severity.CRITICAL,
    FindingCode.NO_REPORTING: Severity.WARNING,
    FindingCode.NO_ESCALATION_PATH: Severity.WARNING,
    FindingCode.REQUIREMENT_NOT_MET: Severity.CRITICAL,
    FindingCode.LONG_TERM: Severity.WARNING,
    FindingCode.LONG_NOTICE: Severity.WARNING,
    FindingCode.EXIT_PENALTY: Severity.WARNING,
    FindingCode.AUTO_RENEWAL: Severity.INFO,
    FindingCode.VENDOR_OWNS_RUNBOOKS: Severity.WARNING,
    FindingCode.VENDOR_OWNS_TOOLING_CONFIG: Severity.WARNING,
    FindingCode.NO_KNOWLEDGE_TRANSFER: Severity.WARNING,
    FindingCode.NO_TRANSITION_ASSISTANCE: Severity.WARNING,
    FindingCode.NO_DATA_EXPORT: Severity.WARNING,
    FindingCode.OVER_BUDGET: Severity.CRITICAL,
    FindingCode.UNCAPPED_COST: Severity.WARNING,
    FindingCode.ABNORMALLY_LOW_PRICE: Severity.WARNING,
    FindingCode.DUPLICATE_KPI: Severity.INFO,
    FindingCode.WEAK_REMEDY: Severity.WARNING,
    FindingCode.METRIC_NOT_MEANINGFUL: Severity.WARNING,
    FindingCode.IMPLAUSIBLE_TARGET: Severity.WARNING,
    FindingCode.SLOW_ESCALATION: Severity.WARNING,
    FindingCode.HIGH_VOLUME_OVER_BUDGET: Severity.WARNING,
    FindingCode.HOURS_NOT_FROM_RFP: Severity.WARNING,
    FindingCode.CAP_BELOW_WORKLOAD: Severity.WARNING,
}


def finding(
    code: FindingCode,
    message_code: MessageCode,
    terms: Sequence[Term],
    *path: str,
    severity: Severity | None = None,
) -> Finding:
    """A finding with the code's usual severity, unless a milder case (SHARED ownership) says otherwise;
    its English message is rendered from the message code and terms (scoring/messages.py)."""
    return Finding(
        code=code,
        severity=severity or SEVERITY[code],
        message=render(message_code, tuple(terms)),
        path=path,
        message_code=message_code,
        terms=tuple(terms),
    )
