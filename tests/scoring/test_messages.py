# ruff: noqa: E501  (a template reads best whole, on its line)
"""Finding messages a UI can localize: every message is rendered, exactly, from its message code and
terms through a template table of the UI's own, so no number, unit or name is baked into the English
sentence that the terms lack. The table below is what an English UI would ship beside its German one."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring import ProposalTerms, RfpContext, abnormally_low, score
from scoring.model import Finding, MessageCode
from tests.conftest import Api
from tests.helpers import open_rfp, poor_proposal_input, register, submit
from tests.scoring.strategies import matched_rfps, poor_support_desk, proposals, support_desk_rfp

# The UI's English templates, keyed by FindingMessageCode: `{name}` shows a term (money as "amount
# currency"), `{name:label}` a CODE through LABELS, `{name!r}` the vendor's words in quotes.
UI_TEMPLATES: dict[str, str] = {
    "KPI_NO_MEASUREMENT_METHOD": "KPI {kpi} ({metric}) names no measurement method",
    "KPI_PLACEHOLDER_METHOD": "KPI {kpi} ({metric}) names a placeholder ({method!r}), not a measurement method",
    "KPI_NO_MEASUREMENT_WINDOW": "KPI {kpi} ({metric}) states no measurement window",
    "REMEDY_NO_PERCENT": "KPI {kpi} ({metric}): a {remedy:label} of no stated percentage puts nothing at stake",
    "REMEDY_TOKEN_PERCENT": "KPI {kpi} ({metric}): a {remedy:label} of {percent}% is a token, not a stake",
    "REMEDY_PARTIAL_PERCENT": "KPI {kpi} ({metric}): a {remedy:label} of {percent}% is worth {share} of a 10% one",
    "TERMINATION_CANNOT_TRIGGER": "KPI {kpi} ({metric}): a termination right after {breaches} monthly breaches cannot trigger in a {term}-month term",
    "CORRECTIVE_PLAN_ONLY": "KPI {kpi} ({metric}): a corrective-action plan alone is no consequence",
    "KPI_NO_REMEDY": "KPI {kpi} ({metric}) has no remedy when missed",
    "KPI_NOTHING_AT_STAKE": "KPI {kpi} ({metric}) has no remedy with anything at stake",
    "METRIC_WRONG_WAY": "KPI {kpi} ({metric}) points the wrong way ({comparator}; it must be {expected}): no outcome credit",
    "METRIC_WRONG_UNIT": "KPI {kpi} ({metric}) is measured in {unit}, which means nothing for it (use {allowed}): no outcome credit",
    "METRIC_PROMISES_NOTHING": "KPI {kpi} ({metric}) promises nothing ({comparator:label} {target} {unit}): no outcome credit",
    "TARGET_PERFECTION": "KPI {kpi} ({metric}) promises perfection ({comparator:label} {target} {unit}): ask for evidence",
    "KPI_REPEATED": "KPI {kpi} repeats KPI {strictest} ({metric}, {comparator}, {unit}); the strictest counts, a repeat adds nothing",
    "SLA_NO_KPI": "the SLA has no KPI at all",
    "SLA_NO_OUTCOME": "the SLA measures no outcome (CSAT, quality, resolution...)",
    "ACTIVITY_METRIC": "{metric} counts activity (or cannot be told from it) and can be gamed; no outcome metric balances it",
    "NO_REPORTING": "no reporting cadence",
    "QUARTERLY_REPORTING": "reporting only quarterly: monthly or better is the norm (half the reporting points)",
    "SLOW_ESCALATION_STEP": "escalation step {step} ({role}) answers after {hours} hours, later than a monthly reporting period ({limit} hours): no escalation",
    "NO_TIMELY_ESCALATION": "no timely escalation path for breaches",
    "REQUIREMENT_UNENFORCEABLE": "requirement {requirement}: {metric} {comparator:label} {target} {unit}: KPI {kpi} meets the target but lacks {missing:label}, so it cannot be enforced",
    "REQUIREMENT_NOT_OFFERED": "requirement {requirement}: {metric} {comparator:label} {target} {unit}: no KPI offers it",
    "REQUIREMENT_WEAKER": "requirement {requirement}: {metric} {comparator:label} {target} {unit}: KPI {kpi} offers {offeredComparator:label} {offeredTarget} {offeredUnit}, weaker or not comparable",
    "WEIGHTED_KPI_NO_CONSEQUENCE": "KPI {kpi} ({metric}) carries weight but has no consequence when missed: the SLA is vague (a remedy on another KPI does not count)",
    "NO_WEIGHTED_REMEDY": "no KPI that carries weight (required or headline) has a remedy with something at stake",
    "LONG_TERM": "{months}-month term, beyond the {norm}-month norm",
    "LONG_NOTICE": "{days} days' termination notice, beyond the {norm}-day norm",
    "EXIT_PENALTY": "early termination costs {months} months of fees",
    "AUTO_RENEWAL": "the contract renews automatically for another {months} months",
    "RUNBOOKS_SHARED": "the runbooks are shared-owned: the buyer may not take all of it along on exit",
    "RUNBOOKS_VENDOR": "the runbooks are vendor-owned: the buyer cannot take it along on exit",
    "TOOLING_SHARED": "the tooling configuration is shared-owned: the buyer may not take all of it along on exit",
    "TOOLING_VENDOR": "the tooling configuration is vendor-owned: the buyer cannot take it along on exit",
    "NO_KNOWLEDGE_TRANSFER": "no knowledge-transfer clause: the tribal knowledge leaves with the vendor",
    "NO_TRANSITION_ASSISTANCE": "no transition assistance when the buyer leaves",
    "SHORT_TRANSITION_ASSISTANCE": "only {months} months of transition assistance; a switch needs {norm} or more",
    "NO_DATA_EXPORT": "no data export on exit",
    "UNCAPPED_COST": "cost grows with the number of {unit} without a ceiling",
    "OVER_BUDGET": "not eligible: the expected monthly cost {cost} exceeds the budget of {budget}",
    "HIGH_VOLUME_OVER_BUDGET": "at the high volume ({volume} {unit}) the monthly cost {cost} exceeds the budget of {budget}",
    "HOURS_NOT_FROM_RFP": "the RFP states no hours: priced at the monthly cap, the money committed",
    "HOURS_ONLY_ESTIMATED": "the RFP states no hours: priced at the monthly cap, the money committed (the vendor estimates {hours} hours, which binds nobody)",
    "CAP_BELOW_WORKLOAD": "the cap {cap} buys {covered} of the RFP's {hours} hours a month: the rest of the workload is unpriced",
    "LOW_PRICE_BELOW_MEAN": "normalized monthly cost {cost} is at least 40% below the mean of the other proposals ({mean}): underinvestment risk",
    "LOW_PRICE_BELOW_NEXT": "normalized monthly cost {cost} is at least 30% below the next higher price ({next}): underinvestment risk",
    "LOW_PRICE_BELOW_BOTH": "normalized monthly cost {cost} is at least 40% below the mean of the other proposals ({mean}) and at least 30% below the next higher price ({next}): underinvestment risk",
}
LABELS = {
    "SERVICE_CREDIT": "service credit",
    "FEE_AT_RISK": "fee at risk",
    "AT_LEAST": "at least",
    "AT_MOST": "at most",
    "MEASUREMENT_METHOD": "a measurement method",
    "MEASUREMENT_WINDOW": "a measurement window",
    "REMEDY": "a remedy with something at stake",
}
PLACEHOLDER = re.compile(r"\{(\w+)(!r|:label)?\}")
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def render(message_code: str, terms: list[dict[str, Any]]) -> str:
    """A UI's renderer: only the code, the terms as the API sends them, and its own tables."""
    by_name = {term["name"]: term for term in terms}

    def shown(match: re.Match[str]) -> str:
        term = by_name[match.group(1)]
        if term["kind"] == "MONEY":
            return f"{term['money']['amount']} {term['money']['currencyCode']}"
        if match.group(2) == ":label":
            return LABELS[term["value"]]
        return repr(term["value"]) if match.group(2) == "!r" else str(term["value"])

    return PLACEHOLDER.sub(shown, UI_TEMPLATES[message_code])


def as_sent(finding: Finding) -> tuple[str, list[dict[str, Any]]]:
    """A finding's code and terms in the shape the GraphQL API sends them."""
    assert finding.message_code is not None, finding
    terms = [
        {
            "name": term.name,
            "kind": term.kind.value,
            "value": term.value,
            "money": {"amount": term.value, "currencyCode": term.currency_code}
            if term.currency_code
            else None,
        }
        for term in finding.terms
    ]
    return finding.message_code.value, terms


def test_the_table_has_a_template_for_every_message_code() -> None:
    assert set(UI_TEMPLATES) == {code.value for code in MessageCode}


@st.composite
def scored(draw: st.DrawFn) -> tuple[ProposalTerms, RfpContext]:
    terms = draw(proposals)
    return terms, draw(matched_rfps(terms))


@PROPERTY
@given(scored())
def test_every_finding_message_renders_from_its_code_and_terms(
    case: tuple[ProposalTerms, RfpContext],
) -> None:
    for finding in score(*case).findings:
        assert render(*as_sent(finding)) == finding.message


@PROPERTY
@given(st.lists(st.decimals(min_value=1, max_value=10**6, places=2), min_size=2, max_size=8))
def test_low_price_messages_render_from_their_terms(costs: list[Decimal]) -> None:
    for finding in abnormally_low({str(n): cost for n, cost in enumerate(costs)}).values():
        assert render(*as_sent(finding)) == finding.message


def test_the_poor_worked_example_uses_many_codes() -> None:
    """A guard that the property above sees real variety: the primer's poor proposal alone says many
    different sentences, each rendered exactly."""
    findings = score(poor_support_desk(), support_desk_rfp()).findings
    assert len({finding.message_code for finding in findings}) >= 8
    for finding in findings:
        assert render(*as_sent(finding)) == finding.message


FINDINGS = """
query($id: ID!) { rfp(id: $id) { rankedProposals { edges { score { findings {
  code message messageCode terms { name kind value money { amount currencyCode } } } } } } } }"""


async def test_the_api_sends_codes_and_terms_a_ui_renders_exactly(api: Api) -> None:
    _, buyer = await register(api, "BUYER", "Localized Buyer")
    _, vendor = await register(api, "VENDOR", "Localized Vendor")
    rfp_id = await open_rfp(api, buyer)
    assert (await submit(api, vendor, rfp_id, poor_proposal_input("99000.00")))["userErrors"] == []
    data = await api.data(FINDINGS, {"id": rfp_id}, buyer)
    (edge,) = data["rfp"]["rankedProposals"]["edges"]
    findings = edge["score"]["findings"]
    assert len(findings) >= 5
    for finding in findings:
        assert render(finding["messageCode"], finding["terms"]) == finding["message"]
    (over,) = [finding for finding in findings if finding["code"] == "OVER_BUDGET"]
    money = {term["name"]: term["money"] for term in over["terms"]}
    assert money["cost"]["currencyCode"] == "USD" and Decimal(money["cost"]["amount"]) >= Decimal("99000")
