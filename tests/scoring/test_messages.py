# ruff: noqa: E501  (a template reads best whole, on its line)
"""Finding messages and score explanations a UI can localize: every message (and every component's
explanation, from its parts) is rendered, exactly, from message codes and terms through a template
table of the UI's own, so no number, unit or name is baked into the English sentence that the terms
lack. The tables below are what an English UI would ship beside its German one."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring import (
    FlatMonthlyPricing,
    OutcomeBasedPricing,
    PerUnitPricing,
    Pricing,
    ProposalScore,
    ProposalTerms,
    RfpContext,
    TimeAndMaterialsPricing,
    Weights,
    abnormally_low,
    reweigh,
    score,
)
from scoring.budget import BUDGET_PARTS
from scoring.disclosure import budget_blind
from scoring.model import ExplanationCode, ExplanationPart, Finding, MessageCode, Term
from tests.conftest import Api
from tests.helpers import open_rfp, poor_proposal_input, proposal_input, register, submit
from tests.scoring.strategies import (
    good_support_desk,
    matched_rfps,
    poor_support_desk,
    proposals,
    support_desk_rfp,
    usd,
)

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
# The UI's English templates of the pieces of a component's explanation, keyed by
# ExplanationMessageCode: each brings its own leading separator, `{name:amount}` shows a MONEY term's
# amount alone. The budget pieces are the last ones.
UI_EXPLANATION_TEMPLATES: dict[str, str] = {
    "SLA_SCORE": "SLA quality {score}: ",
    "SLA_HEADLINE": "headline KPI {kpi} ({metric}) {points}/30",
    "SLA_NO_HEADLINE": "headline KPI none {points}/30",
    "SLA_REQUIREMENTS": " + requirements met {met} of {count} {points}/30",
    "SLA_ACCOUNTABILITY": " + accountability of the KPIs that carry weight {points}/20",
    "SLA_REPORTING": " + reporting {cadence} {points}/10",
    "SLA_ESCALATION": " + escalation {points}/10",
    "SLA_SUM": " = {points}",
    "SLA_NO_STAKE_CAP": "; a KPI that carries weight has no consequence: capped at {cap}",
    "SLA_ACTIVITY_CAP": "; no meaningful outcome or responsiveness KPI, only activity can be counted (gameable): capped at {cap}",
    "LOCK_IN_EXPOSURE": "lock-in exposure {exposure} = ",
    "LOCK_IN_TERM": "term {months} months {points}/22",
    "LOCK_IN_NOTICE": " + notice {days} days {points}/8",
    "LOCK_IN_PENALTY": " + exit penalty {months} months {points}/15",
    "LOCK_IN_NO_AUTO_RENEWAL": " + auto-renewal no {points}/5",
    "LOCK_IN_AUTO_RENEWAL": " + auto-renewal of {months} months {points}/5",
    "LOCK_IN_RUNBOOKS": " + runbooks {owner:label}-owned {points}/15",
    "LOCK_IN_TOOLING": " + tooling configuration {owner:label}-owned {points}/10",
    "LOCK_IN_KNOWLEDGE_TRANSFER": " + knowledge-transfer clause yes {points}/10",
    "LOCK_IN_NO_KNOWLEDGE_TRANSFER": " + knowledge-transfer clause no {points}/10",
    "LOCK_IN_TRANSITION": " + transition assistance {months} months {points}/10",
    "LOCK_IN_DATA_EXPORT": " + data export on exit yes {points}/5",
    "LOCK_IN_NO_DATA_EXPORT": " + data export on exit no {points}/5",
    "LOCK_IN_ENTERS": "; enters the total as 100 - {exposure} = {value}. ",
    "EXIT_COST": "Exit cost {total} = notice {days}/30 months {notice:amount} + penalty {penaltyMonths} months {penalty:amount} + uncovered overlap {overlapMonths} months {overlap:amount} + knowledge loss {knowledgeMonths} months {knowledge:amount} + data rebuild {dataMonths} months {data:amount}, at {monthlyCost} a month",
    "COST_FLAT": "flat monthly fee {recurring}",
    "COST_PER_UNIT": "unit price {unitPrice:amount} x {volume} {unit} = {recurring}",
    "COST_PER_UNIT_MINIMUM": "unit price {unitPrice:amount} x {volume} {unit}, at least the minimum {minimum:amount} = {recurring}",
    "COST_OUTCOME_BASED": "base fee {baseFee:amount} + {feePerOutcome:amount} x {outcomes} {outcome} = {recurring}",
    "COST_CAP_PRICED": "no expected hours in the RFP: the monthly cap {cap} is priced",
    "COST_TIME_AND_MATERIALS": "hourly rate {hourlyRate:amount} x {hours} hours, at most the cap {cap:amount} = {recurring}",
    "COST_ESCALATION": " x escalation {percent}%/year averaged over {months} committed months (factor {factor})",
    "COST_ONE_TIME_FEE": " + one-time fee {fee:amount}/{months} months",
    "COST_WITH_EXTRAS": " = {cost}",
    "COST_SCENARIOS": "; at {low}/{high} {unit}: {lowCost:amount}/{highCost}",
    "AGAINST_THE_BUDGET": " | Against the budget: ",
    "COST_BUDGET": "budget {budget}; ",
    "COST_ZERO_BUDGET": "zero budget: score {score}; ",
    "COST_RATIO": "cost/budget = {ratio}; score = 100 / (1 + ratio^3) = {score}; ",
    "COST_POINT_WORTH": "one point of cost score is {worth} a month near the budget",
    "POINT_WORTH": "one point of {criterion:label} weighs as much in the total as {worth} a month of price near the budget (weights {weight} / cost {costWeight})",
    "POINT_WORTH_NO_COST_WEIGHT": "cost carries (next to) no weight, so no price difference weighs as much as {criterion:label}",
}
BUDGET_PIECES = {
    "AGAINST_THE_BUDGET",
    "COST_BUDGET",
    "COST_ZERO_BUDGET",
    "COST_RATIO",
    "COST_POINT_WORTH",
    "POINT_WORTH",
    "POINT_WORTH_NO_COST_WEIGHT",
}
LABELS = {
    "SERVICE_CREDIT": "service credit",
    "FEE_AT_RISK": "fee at risk",
    "AT_LEAST": "at least",
    "AT_MOST": "at most",
    "MEASUREMENT_METHOD": "a measurement method",
    "MEASUREMENT_WINDOW": "a measurement window",
    "REMEDY": "a remedy with something at stake",
    "CLIENT": "client",
    "SHARED": "shared",
    "VENDOR": "vendor",
    "slaQuality": "SLA quality",
    "lockIn": "lock-in (100 - exposure)",
}
PLACEHOLDER = re.compile(r"\{(\w+)(!r|:label|:amount)?\}")
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def render(message_code: str, terms: list[dict[str, Any]], templates: dict[str, str] = UI_TEMPLATES) -> str:
    """A UI's renderer: only the code, the terms as the API sends them, and its own tables."""
    by_name = {term["name"]: term for term in terms}

    def shown(match: re.Match[str]) -> str:
        term = by_name[match.group(1)]
        if term["kind"] == "MONEY":
            amount = term["money"]["amount"]
            return amount if match.group(2) == ":amount" else f"{amount} {term['money']['currencyCode']}"
        if match.group(2) == ":label":
            return LABELS[term["value"]]
        return repr(term["value"]) if match.group(2) == "!r" else str(term["value"])

    return PLACEHOLDER.sub(shown, templates[message_code])


def render_parts(parts: list[dict[str, Any]]) -> str:
    """A component's explanation as a UI renders it: each part from its code and terms, joined."""
    return "".join(render(part["messageCode"], part["terms"], UI_EXPLANATION_TEMPLATES) for part in parts)


def terms_as_sent(terms: tuple[Term, ...]) -> list[dict[str, Any]]:
    return [
        {
            "name": term.name,
            "kind": term.kind.value,
            "value": term.value,
            "money": {"amount": term.value, "currencyCode": term.currency_code}
            if term.currency_code
            else None,
        }
        for term in terms
    ]


def as_sent(finding: Finding) -> tuple[str, list[dict[str, Any]]]:
    """A finding's code and terms in the shape the GraphQL API sends them."""
    assert finding.message_code is not None, finding
    return finding.message_code.value, terms_as_sent(finding.terms)


def parts_as_sent(parts: tuple[ExplanationPart, ...]) -> list[dict[str, Any]]:
    """A component's explanation parts in the shape the GraphQL API sends them."""
    return [{"messageCode": part.code.value, "terms": terms_as_sent(part.terms)} for part in parts]


def test_the_table_has_a_template_for_every_message_code() -> None:
    assert set(UI_TEMPLATES) == {code.value for code in MessageCode}
    assert set(UI_EXPLANATION_TEMPLATES) == {code.value for code in ExplanationCode}
    assert {code.value for code in BUDGET_PARTS} == BUDGET_PIECES


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


# ------------------------------------------------------------------ score components' explanations

weight_triples = st.tuples(*[st.sampled_from([0.0, 0.00001, 0.1, 0.25, 1.0, 3.0]) | st.floats(0, 10)] * 3)


def views(full: ProposalScore, weights: Weights) -> list[ProposalScore]:
    """Every way a score is shown: the buyer's, a what-if, and the vendor's budget-hidden of each."""
    what_if = reweigh(full, weights)
    return [full, what_if, budget_blind(full), budget_blind(what_if)]


def assert_parts_render_the_explanations(shown: ProposalScore) -> None:
    for component in shown.components:
        assert component.explanation_parts, component
        assert render_parts(parts_as_sent(component.explanation_parts)) == component.explanation
        codes = [part.code for part in component.explanation_parts]
        if shown.budget_hidden:
            assert not set(codes) & BUDGET_PARTS, codes
        else:  # the budget pieces close every explanation: a view can drop them from the end
            assert codes.index(ExplanationCode.AGAINST_THE_BUDGET) == len(codes) - 1 - sum(
                code in BUDGET_PARTS - {ExplanationCode.AGAINST_THE_BUDGET} for code in codes
            )


@PROPERTY
@given(scored(), weight_triples.filter(lambda triple: sum(triple) > 0.001))
def test_every_component_explanation_renders_from_its_parts(
    case: tuple[ProposalTerms, RfpContext], triple: tuple[float, float, float]
) -> None:
    weights = Weights(sla_quality=triple[0], lock_in=triple[1], cost=triple[2])
    for shown in views(score(*case), weights):
        assert_parts_render_the_explanations(shown)


PRICINGS: dict[ExplanationCode, tuple[Pricing, dict[str, Any]]] = {
    ExplanationCode.COST_FLAT: (FlatMonthlyPricing(monthly_fee=usd("14000.00")), {}),
    ExplanationCode.COST_PER_UNIT: (PerUnitPricing(unit_price=usd("4.125"), unit_name="tickets"), {}),
    ExplanationCode.COST_PER_UNIT_MINIMUM: (
        PerUnitPricing(unit_price=usd("4.10"), unit_name="ticket", minimum_monthly_fee=usd("13000.00")),
        {},
    ),
    ExplanationCode.COST_OUTCOME_BASED: (
        OutcomeBasedPricing(
            base_monthly_fee=usd("2000.00"), fee_per_outcome=usd("5.50"), outcome_name="resolved tickets"
        ),
        {"expected_outcomes_per_month": 2500},
    ),
    ExplanationCode.COST_TIME_AND_MATERIALS: (
        TimeAndMaterialsPricing(hourly_rate=usd("38.00"), monthly_cap=usd("16000.00")),
        {"expected_hours_per_month": 380},
    ),
    ExplanationCode.COST_CAP_PRICED: (
        TimeAndMaterialsPricing(
            hourly_rate=usd("38.00"), monthly_cap=usd("16000.00"), estimated_hours_per_month=350
        ),
        {},
    ),
}


@pytest.mark.parametrize("said", sorted(PRICINGS))
def test_each_pricing_model_explains_its_cost_in_parts(said: ExplanationCode) -> None:
    pricing, stated = PRICINGS[said]
    desk = good_support_desk()
    two_years = desk.terms.model_copy(update={"term_months": 24})  # escalation over two contract years
    terms = desk.model_copy(
        update={
            "pricing": pricing,
            "one_time_fee": usd("6000.00"),
            "annual_escalation_percent": 3.0,
            "terms": two_years,
        }
    )
    full = score(terms, support_desk_rfp().model_copy(update=stated))
    (cost,) = [component for component in full.components if component.criterion == "cost"]
    codes = [part.code for part in cost.explanation_parts]
    assert codes[:5] == [
        said,
        ExplanationCode.COST_ESCALATION,
        ExplanationCode.COST_ONE_TIME_FEE,
        ExplanationCode.COST_WITH_EXTRAS,
        ExplanationCode.COST_SCENARIOS,
    ]
    for shown in views(full, Weights(sla_quality=1, lock_in=0, cost=0)):
        assert_parts_render_the_explanations(shown)
    # Money is money: the recurring cost is a MONEY term in the RFP's currency, not a baked-in figure.
    named = {term.name: term for term in cost.explanation_parts[0].terms}
    recurring = named["cap" if said is ExplanationCode.COST_CAP_PRICED else "recurring"]
    assert recurring.kind.value == "MONEY" and recurring.currency_code == "USD"


def test_a_sealed_budget_is_in_no_term_of_the_vendor_view() -> None:
    """The abuse case: a competitor vendor reads its own budget-hidden score; no part, term or money
    of it carries the budget or a figure derived from it (what a point is worth, cost/budget)."""
    rfp = support_desk_rfp().model_copy(update={"monthly_budget": usd("12345.67")})
    full = score(poor_support_desk(), rfp)
    derived = {
        term.value
        for component in full.components
        for part in component.explanation_parts
        if part.code in BUDGET_PARTS
        for term in part.terms
        if term.kind.value == "MONEY" or term.name == "ratio"
    }
    assert "12345.67" in derived and len(derived) >= 4  # the budget, the ratio, what points are worth
    for shown in views(full, Weights(sla_quality=1, lock_in=1, cost=1))[2:]:
        parts = [part for component in shown.components for part in component.explanation_parts]
        assert not {part.code for part in parts} & BUDGET_PARTS
        values = {term.value for part in parts for term in part.terms}
        assert not values & derived, values & derived


EXPLANATIONS = """
query($id: ID!, $weights: ScoringWeightsInput) { rfp(id: $id) {
  rankedProposals(weights: $weights) { edges { score { budgetHidden components { criterion explanation
    explanationParts { messageCode terms { name kind value money { amount currencyCode } } } } } } } } }"""
OWN = """
query($id: ID!) { node(id: $id) { ... on Proposal { score { budgetHidden components { criterion explanation
  explanationParts { messageCode terms { name kind value money { amount currencyCode } } } } } } } }"""


async def test_the_api_sends_explanation_parts_a_ui_renders_exactly(api: Api) -> None:
    _, buyer = await register(api, "BUYER", "Explained Buyer")
    _, vendor = await register(api, "VENDOR", "Explained Vendor")
    rfp_id = await open_rfp(api, buyer, budgetDisclosed=False)
    submitted = await submit(api, vendor, rfp_id, poor_proposal_input("16500.00"))
    assert submitted["userErrors"] == []
    await submit(api, (await register(api, "VENDOR", "Explained Rival"))[1], rfp_id, proposal_input())
    weights = {"slaQuality": 0.2, "lockIn": 0.3, "cost": 0.5}
    for variables in ({"id": rfp_id}, {"id": rfp_id, "weights": weights}):
        data = await api.data(EXPLANATIONS, variables, buyer)
        edges = data["rfp"]["rankedProposals"]["edges"]
        assert len(edges) == 2
        for edge in edges:
            assert not edge["score"]["budgetHidden"]
            for component in edge["score"]["components"]:
                assert render_parts(component["explanationParts"]) == component["explanation"]
    # The vendor's own score, the budget sealed: the same rendering, no budget piece, no budget figure.
    own = (await api.data(OWN, {"id": submitted["proposal"]["id"]}, vendor))["node"]["score"]
    assert own["budgetHidden"]
    assert [c["criterion"] for c in own["components"]] == ["slaQuality", "lockIn"]
    for component in own["components"]:
        assert render_parts(component["explanationParts"]) == component["explanation"]
        assert not {part["messageCode"] for part in component["explanationParts"]} & BUDGET_PIECES
    assert "15000" not in str(own)
