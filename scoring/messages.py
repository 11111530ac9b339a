# ruff: noqa: E501  (a template reads best whole, on its line)
"""Finding messages as a code and terms, and their English templates.

Each finding's `message` is rendered here from its `message_code` and `terms`, never written as prose
at the call site, so the terms carry every number, unit and name the sentence holds: a UI in another
language renders its own template from the same code and terms (tests/scoring/test_messages.py
proves it with a template table of its own). Placeholders: `{name}` shows the value (money as
"amount currency"), `{name:label}` shows a CODE through LABELS, `{name!r}` quotes the vendor's text.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal

from scoring.model import ExplanationCode, ExplanationPart, MessageCode, Term, TermKind, round_points

_KPI = "KPI {kpi} ({metric})"
_WANTED = "requirement {requirement}: {metric} {comparator:label} {target} {unit}"

TEMPLATES: dict[MessageCode, str] = {
    MessageCode.KPI_NO_MEASUREMENT_METHOD: f"{_KPI} names no measurement method",
    MessageCode.KPI_PLACEHOLDER_METHOD: f"{_KPI} names a placeholder ({{method!r}}), not a measurement method",
    MessageCode.KPI_NO_MEASUREMENT_WINDOW: f"{_KPI} states no measurement window",
    MessageCode.REMEDY_NO_PERCENT: f"{_KPI}: a {{remedy:label}} of no stated percentage puts nothing at stake",
    MessageCode.REMEDY_TOKEN_PERCENT: f"{_KPI}: a {{remedy:label}} of {{percent}}% is a token, not a stake",
    MessageCode.REMEDY_PARTIAL_PERCENT: f"{_KPI}: a {{remedy:label}} of {{percent}}% is worth {{share}} of a 10% one",
    MessageCode.TERMINATION_CANNOT_TRIGGER: f"{_KPI}: a termination right after {{breaches}} monthly breaches"
    " cannot trigger in a {term}-month term",
    MessageCode.CORRECTIVE_PLAN_ONLY: f"{_KPI}: a corrective-action plan alone is no consequence",
    MessageCode.KPI_NO_REMEDY: f"{_KPI} has no remedy when missed",
    MessageCode.KPI_NOTHING_AT_STAKE: f"{_KPI} has no remedy with anything at stake",
    MessageCode.METRIC_WRONG_WAY: f"{_KPI} points the wrong way ({{comparator}}; it must be {{expected}}):"
    " no outcome credit",
    MessageCode.METRIC_WRONG_UNIT: f"{_KPI} is measured in {{unit}}, which means nothing for it (use {{allowed}}):"
    " no outcome credit",
    MessageCode.METRIC_PROMISES_NOTHING: f"{_KPI} promises nothing ({{comparator:label}} {{target}} {{unit}}):"
    " no outcome credit",
    MessageCode.TARGET_PERFECTION: f"{_KPI} promises perfection ({{comparator:label}} {{target}} {{unit}}):"
    " ask for evidence",
    MessageCode.KPI_REPEATED: "KPI {kpi} repeats KPI {strictest} ({metric}, {comparator}, {unit});"
    " the strictest counts, a repeat adds nothing",
    MessageCode.SLA_NO_KPI: "the SLA has no KPI at all",
    MessageCode.SLA_NO_OUTCOME: "the SLA measures no outcome (CSAT, quality, resolution...)",
    MessageCode.ACTIVITY_METRIC: "{metric} counts activity (or cannot be told from it) and can be gamed;"
    " no outcome metric balances it",
    MessageCode.NO_REPORTING: "no reporting cadence",
    MessageCode.QUARTERLY_REPORTING: "reporting only quarterly: monthly or better is the norm"
    " (half the reporting points)",
    MessageCode.SLOW_ESCALATION_STEP: "escalation step {step} ({role}) answers after {hours} hours, later than"
    " a monthly reporting period ({limit} hours): no escalation",
    MessageCode.NO_TIMELY_ESCALATION: "no timely escalation path for breaches",
    MessageCode.REQUIREMENT_UNENFORCEABLE: f"{_WANTED}: KPI {{kpi}} meets the target but lacks {{missing:label}},"
    " so it cannot be enforced",
    MessageCode.REQUIREMENT_NOT_OFFERED: f"{_WANTED}: no KPI offers it",
    MessageCode.REQUIREMENT_WEAKER: f"{_WANTED}: KPI {{kpi}} offers {{offeredComparator:label}}"
    " {offeredTarget} {offeredUnit}, weaker or not comparable",
    MessageCode.WEIGHTED_KPI_NO_CONSEQUENCE: f"{_KPI} carries weight but has no consequence when missed:"
    " the SLA is vague (a remedy on another KPI does not count)",
    MessageCode.NO_WEIGHTED_REMEDY: "no KPI that carries weight (required or headline) has a remedy with"
    " something at stake",
    MessageCode.LONG_TERM: "{months}-month term, beyond the {norm}-month norm",
    MessageCode.LONG_NOTICE: "{days} days' termination notice, beyond the {norm}-day norm",
    MessageCode.EXIT_PENALTY: "early termination costs {months} months of fees",
    MessageCode.AUTO_RENEWAL: "the contract renews automatically for another {months} months",
    MessageCode.RUNBOOKS_SHARED: "the runbooks are shared-owned: the buyer may not take all of it along on exit",
    MessageCode.RUNBOOKS_VENDOR: "the runbooks are vendor-owned: the buyer cannot take it along on exit",
    MessageCode.TOOLING_SHARED: "the tooling configuration is shared-owned: the buyer may not take all of it"
    " along on exit",
    MessageCode.TOOLING_VENDOR: "the tooling configuration is vendor-owned: the buyer cannot take it along on exit",
    MessageCode.NO_KNOWLEDGE_TRANSFER: "no knowledge-transfer clause: the tribal knowledge leaves with the vendor",
    MessageCode.NO_TRANSITION_ASSISTANCE: "no transition assistance when the buyer leaves",
    MessageCode.SHORT_TRANSITION_ASSISTANCE: "only {months} months of transition assistance; a switch needs"
    " {norm} or more",
    MessageCode.NO_DATA_EXPORT: "no data export on exit",
    MessageCode.UNCAPPED_COST: "cost grows with the number of {unit} without a ceiling",
    MessageCode.OVER_BUDGET: "not eligible: the expected monthly cost {cost} exceeds the budget of {budget}",
    MessageCode.HIGH_VOLUME_OVER_BUDGET: "at the high volume ({volume} {unit}) the monthly cost {cost} exceeds"
    " the budget of {budget}",
    MessageCode.HOURS_NOT_FROM_RFP: "the RFP states no hours: priced at the monthly cap, the money committed",
    MessageCode.HOURS_ONLY_ESTIMATED: "the RFP states no hours: priced at the monthly cap, the money committed"
    " (the vendor estimates {hours} hours, which binds nobody)",
    MessageCode.CAP_BELOW_WORKLOAD: "the cap {cap} buys {covered} of the RFP's {hours} hours a month:"
    " the rest of the workload is unpriced",
    MessageCode.LOW_PRICE_BELOW_MEAN: "normalized monthly cost {cost} is at least 40% below the mean of the other"
    " proposals ({mean}): underinvestment risk",
    MessageCode.LOW_PRICE_BELOW_NEXT: "normalized monthly cost {cost} is at least 30% below the next higher"
    " price ({next}): underinvestment risk",
    MessageCode.LOW_PRICE_BELOW_BOTH: "normalized monthly cost {cost} is at least 40% below the mean of the other"
    " proposals ({mean}) and at least 30% below the next higher price ({next}): underinvestment risk",
}

# The pieces of a component's explanation, joined as they are (each carries its own leading
# separator): `{name:amount}` shows a MONEY term's amount without its currency.
EXPLANATION_TEMPLATES: dict[ExplanationCode, str] = {
    ExplanationCode.SLA_SCORE: "SLA quality {score}: ",
    ExplanationCode.SLA_HEADLINE: "headline KPI {kpi} ({metric}) {points}/30",
    ExplanationCode.SLA_NO_HEADLINE: "headline KPI none {points}/30",
    ExplanationCode.SLA_REQUIREMENTS: " + requirements met {met} of {count} {points}/30",
    ExplanationCode.SLA_ACCOUNTABILITY: " + accountability of the KPIs that carry weight {points}/20",
    ExplanationCode.SLA_REPORTING: " + reporting {cadence} {points}/10",
    ExplanationCode.SLA_ESCALATION: " + escalation {points}/10",
    ExplanationCode.SLA_SUM: " = {points}",
    ExplanationCode.SLA_NO_STAKE_CAP: "; a KPI that carries weight has no consequence: capped at {cap}",
    ExplanationCode.SLA_ACTIVITY_CAP: "; no meaningful outcome or responsiveness KPI, only activity can be counted"
    " (gameable): capped at {cap}",
    ExplanationCode.LOCK_IN_EXPOSURE: "lock-in exposure {exposure} = ",
    ExplanationCode.LOCK_IN_TERM: "term {months} months {points}/22",
    ExplanationCode.LOCK_IN_NOTICE: " + notice {days} days {points}/8",
    ExplanationCode.LOCK_IN_PENALTY: " + exit penalty {months} months {points}/15",
    ExplanationCode.LOCK_IN_NO_AUTO_RENEWAL: " + auto-renewal no {points}/5",
    ExplanationCode.LOCK_IN_AUTO_RENEWAL: " + auto-renewal of {months} months {points}/5",
    ExplanationCode.LOCK_IN_RUNBOOKS: " + runbooks {owner:label}-owned {points}/15",
    ExplanationCode.LOCK_IN_TOOLING: " + tooling configuration {owner:label}-owned {points}/10",
    ExplanationCode.LOCK_IN_KNOWLEDGE_TRANSFER: " + knowledge-transfer clause yes {points}/10",
    ExplanationCode.LOCK_IN_NO_KNOWLEDGE_TRANSFER: " + knowledge-transfer clause no {points}/10",
    ExplanationCode.LOCK_IN_TRANSITION: " + transition assistance {months} months {points}/10",
    ExplanationCode.LOCK_IN_DATA_EXPORT: " + data export on exit yes {points}/5",
    ExplanationCode.LOCK_IN_NO_DATA_EXPORT: " + data export on exit no {points}/5",
    ExplanationCode.LOCK_IN_ENTERS: "; enters the total as 100 - {exposure} = {value}. ",
    ExplanationCode.EXIT_COST: "Exit cost {total} = notice {days}/30 months {notice:amount}"
    " + penalty {penaltyMonths} months {penalty:amount} + uncovered overlap {overlapMonths} months"
    " {overlap:amount} + knowledge loss {knowledgeMonths} months {knowledge:amount}"
    " + data rebuild {dataMonths} months {data:amount}, at {monthlyCost} a month",
    ExplanationCode.COST_FLAT: "flat monthly fee {recurring}",
    ExplanationCode.COST_PER_UNIT: "unit price {unitPrice:amount} x {volume} {unit} = {recurring}",
    ExplanationCode.COST_PER_UNIT_MINIMUM: "unit price {unitPrice:amount} x {volume} {unit},"
    " at least the minimum {minimum:amount} = {recurring}",
    ExplanationCode.COST_OUTCOME_BASED: "base fee {baseFee:amount} + {feePerOutcome:amount} x {outcomes}"
    " {outcome} = {recurring}",
    ExplanationCode.COST_CAP_PRICED: "no expected hours in the RFP: the monthly cap {cap} is priced",
    ExplanationCode.COST_TIME_AND_MATERIALS: "hourly rate {hourlyRate:amount} x {hours} hours,"
    " at most the cap {cap:amount} = {recurring}",
    ExplanationCode.COST_ESCALATION: " x escalation {percent}%/year averaged over {months} committed months"
    " (factor {factor})",
    ExplanationCode.COST_ONE_TIME_FEE: " + one-time fee {fee:amount}/{months} months",
    ExplanationCode.COST_WITH_EXTRAS: " = {cost}",
    ExplanationCode.COST_SCENARIOS: "; at {low}/{high} {unit}: {lowCost:amount}/{highCost}",
    ExplanationCode.AGAINST_THE_BUDGET: " | Against the budget: ",
    ExplanationCode.COST_BUDGET: "budget {budget}; ",
    ExplanationCode.COST_ZERO_BUDGET: "zero budget: score {score}; ",
    ExplanationCode.COST_RATIO: "cost/budget = {ratio}; score = 100 / (1 + ratio^3) = {score}; ",
    ExplanationCode.COST_POINT_WORTH: "one point of cost score is {worth} a month near the budget",
    ExplanationCode.POINT_WORTH: "one point of {criterion:label} weighs as much in the total as {worth} a month"
    " of price near the budget (weights {weight} / cost {costWeight})",
    ExplanationCode.POINT_WORTH_NO_COST_WEIGHT: "cost carries (next to) no weight, so no price difference"
    " weighs as much as {criterion:label}",
}

# English words for the CODE values a template shows with `:label`.
LABELS: dict[str, str] = {
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
    "cost": "cost score",
}


def number(name: str, value: Decimal | float | int, kind: TermKind = TermKind.NUMBER) -> Term:
    """A numeric term, written the way the English sentence always wrote it (`:g` for floats)."""
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return Term(name=name, kind=kind, value=text)


def money(name: str, amount: Decimal, currency_code: str) -> Term:
    return Term(name=name, kind=TermKind.MONEY, value=str(amount), currency_code=currency_code)


def code(name: str, value: str) -> Term:
    return Term(name=name, kind=TermKind.CODE, value=value)


def text(name: str, value: str) -> Term:
    return Term(name=name, kind=TermKind.TEXT, value=value)


def points(name: str, value: Decimal) -> Term:
    """Points of a criterion, as the explanations show them: rounded half up to two decimals."""
    return Term(name=name, kind=TermKind.NUMBER, value=f"{round_points(value):.2f}")


def shown(term: Term) -> str:
    """A term's value as the English sentence shows it."""
    return f"{term.value} {term.currency_code}" if term.kind is TermKind.MONEY else term.value


# A template's conversions (`{name!r}`) as str.format applies them, to the term as shown.
CONVERSIONS: dict[str, Callable[[object], str]] = {"r": repr, "s": str, "a": ascii}


@functools.cache
def _parsed(template: str) -> tuple[tuple[str, str | None, str | None, str | None], ...]:
    """The template split once into (literal, field, format spec, conversion) runs: scoring renders
    every finding of every proposal, and parsing each time was half of scoring's time."""
    return tuple(string.Formatter().parse(template))


def _fill(template: str, terms: Iterable[Term]) -> str:
    """The template with its terms: `:label` a code's label, `:amount` a MONEY term's amount alone
    (its currency named once nearby), a conversion or a standard spec applied to the term as shown."""
    named = {term.name: term for term in terms}
    out: list[str] = []
    for literal, field, spec, conversion in _parsed(template):
        out.append(literal)
        if field is None:
            continue
        term = named[field]
        if conversion:
            out.append(format(CONVERSIONS[conversion](shown(term)), spec or ""))
        elif spec == "label":
            out.append(LABELS[term.value])
        elif spec == "amount":
            out.append(term.value)
        else:
            out.append(format(shown(term), spec or ""))
    return "".join(out)


def render(message_code: MessageCode, terms: tuple[Term, ...]) -> str:
    return _fill(TEMPLATES[message_code], terms)


def part(explanation_code: ExplanationCode, *terms: Term) -> ExplanationPart:
    return ExplanationPart(code=explanation_code, terms=terms)


def render_part(explanation_part: ExplanationPart) -> str:
    return _fill(EXPLANATION_TEMPLATES[explanation_part.code], explanation_part.terms)


def explain(parts: Sequence[ExplanationPart]) -> str:
    """A component's English explanation: its parts rendered and joined (each brings its separator)."""
    return "".join(render_part(explanation_part) for explanation_part in parts)
