"""SLA quality, 0-100 (version 2): weighs what the vendor commits to, never counts paperwork.

Per KPI k (after reading its promise, not its label):
    class weight c(k)   outcome 1, responsiveness 0.5, activity or CUSTOM 0.2; a KPI that points the
                        wrong way, promises nothing (CSAT at least 0) or uses a meaningless unit for its
                        metric is "not meaningful": no headline credit, METRIC_NOT_MEANINGFUL
    measurability m(k)  0.5 for a real measurement method (not "TBD", "n/a", "-", ...) + 0.5 for a
                        measurement window other than NONE
    stake s(k)          the strongest remedy: a service credit or fee at risk of p% is worth
                        min(1, p/10) (10% or more is full), below 1% or of no stated size 0; a
                        termination right 1 if it can trigger within the term (after n consecutive
                        monthly breaches, n <= termMonths; n defaults to 3), else 0.2; a corrective-
                        action plan alone 0
    enforceable         m(k) = 1 and s(k) > 0;  e(k) = (m(k) + s(k)) / 2 with a stake, else 0

The KPIs that carry weight are one KPI per buyer requirement (one of the same metric; an absent one
carries as e = 0, s = 0) plus one headline KPI b (or none). Of all such choices the one that scores
best is taken, so an added KPI can only add options (never lowers the score) and a copy or a KPI
with no stake can never be the reason a score rises:

    headline       30 x c(b) x s(b) x (1 + m(b)) / 2
    requirements   30 x mean over requirements of (0.5 + 0.5 s) for an enforceable KPI meeting the
                   target (0 otherwise); 30 when the RFP states none
    accountability 20 x min over the carrying KPIs of e (the weakest of them matters)
    reporting      10 monthly or better, 5 quarterly, 0 none
    escalation     10 when an escalation step answers within 720 hours (a monthly reporting period)

capped at 25 when a carrying KPI has no stake (or nothing carries weight): a remedy on an irrelevant
KPI does not lift the cap; capped at 40 when no meaningful KPI measures an outcome or responsiveness
(what is left counts activity: gameable).
A requirement is met only by an enforceable KPI at least as strict, across units (120 MINUTES meets
"at most 2 HOURS"; SCORE_5 x 20 and SCORE_10 x 10 map onto PERCENT, so 4.3 SCORE_5 = 86 PERCENT).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from scoring.findings import finding
from scoring.messages import code, explain, number, part, points, text
from scoring.model import (
    UNIT_RANGES,
    Cadence,
    Comparator,
    EscalationStep,
    ExplanationCode,
    ExplanationPart,
    Finding,
    FindingCode,
    Kpi,
    KpiMetric,
    KpiRequirement,
    KpiUnit,
    MessageCode,
    Remedy,
    RemedyType,
    Severity,
    Sla,
    Term,
    TermKind,
    round_points,
    to_decimal,
)

OUTCOME_METRICS = frozenset(
    {
        KpiMetric.CSAT,
        KpiMetric.NPS,
        KpiMetric.QUALITY_SCORE,
        KpiMetric.FIRST_CONTACT_RESOLUTION,
        KpiMetric.REOPEN_RATE,
        KpiMetric.ACCURACY,
        KpiMetric.UPTIME,
    }
)
RESPONSIVENESS_METRICS = frozenset(
    {KpiMetric.FIRST_RESPONSE_TIME, KpiMetric.RESOLUTION_TIME, KpiMetric.BACKLOG_AGE}
)
# CUSTOM earns no more than activity: nobody can tell from a label that it measures an outcome.
ACTIVITY_METRICS = frozenset(
    {KpiMetric.TICKETS_CLOSED, KpiMetric.TICKETS_HANDLED, KpiMetric.HOURS_LOGGED, KpiMetric.CUSTOM}
)

CLASS_WEIGHT: dict[KpiMetric, Decimal] = {
    **{metric: Decimal(1) for metric in OUTCOME_METRICS},
    **{metric: Decimal("0.5") for metric in RESPONSIVENESS_METRICS},
    **{metric: Decimal("0.2") for metric in ACTIVITY_METRICS},
}

RATINGS = frozenset({KpiUnit.PERCENT, KpiUnit.SCORE_5, KpiUnit.SCORE_10})
DURATIONS = frozenset({KpiUnit.MINUTES, KpiUnit.HOURS, KpiUnit.DAYS})
# The direction and units in which each metric is a promise (CUSTOM is not checked: it has no meaning).
MEANINGFUL: dict[KpiMetric, tuple[Comparator, frozenset[KpiUnit]]] = {
    KpiMetric.CSAT: (Comparator.AT_LEAST, RATINGS),
    KpiMetric.NPS: (Comparator.AT_LEAST, frozenset({KpiUnit.NPS_POINTS})),
    KpiMetric.QUALITY_SCORE: (Comparator.AT_LEAST, RATINGS),
    KpiMetric.FIRST_CONTACT_RESOLUTION: (Comparator.AT_LEAST, frozenset({KpiUnit.PERCENT})),
    KpiMetric.REOPEN_RATE: (Comparator.AT_MOST, frozenset({KpiUnit.PERCENT})),
    KpiMetric.ACCURACY: (Comparator.AT_LEAST, frozenset({KpiUnit.PERCENT})),
    KpiMetric.UPTIME: (Comparator.AT_LEAST, frozenset({KpiUnit.PERCENT})),
    KpiMetric.FIRST_RESPONSE_TIME: (Comparator.AT_MOST, DURATIONS),
    KpiMetric.RESOLUTION_TIME: (Comparator.AT_MOST, DURATIONS),
    KpiMetric.BACKLOG_AGE: (Comparator.AT_MOST, DURATIONS),
    KpiMetric.TICKETS_CLOSED: (Comparator.AT_LEAST, frozenset({KpiUnit.COUNT})),
    KpiMetric.TICKETS_HANDLED: (Comparator.AT_LEAST, frozenset({KpiUnit.COUNT})),
    KpiMetric.HOURS_LOGGED: (Comparator.AT_LEAST, frozenset({KpiUnit.HOURS, KpiUnit.COUNT})),
}

HEADLINE_POINTS = Decimal(30)
REQUIREMENT_POINTS = Decimal(30)
ACCOUNTABILITY_POINTS = Decimal(20)
REPORTING_POINTS: dict[Cadence, Decimal] = {
    Cadence.REAL_TIME: Decimal(10),
    Cadence.DAILY: Decimal(10),
    Cadence.WEEKLY: Decimal(10),
    Cadence.MONTHLY: Decimal(10),
    Cadence.QUARTERLY: Decimal(5),
    Cadence.NONE: Decimal(0),
}
ESCALATION_POINTS = Decimal(10)
NO_REMEDIES_CAP = Decimal(25)
ACTIVITY_ONLY_CAP = Decimal(40)

FULL_CREDIT_PERCENT = Decimal(10)  # a 10% credit (or fee at risk) is a full stake
TOKEN_CREDIT_PERCENT = Decimal(1)  # below 1% a credit is a token: no stake
DEFAULT_BREACHES = 3  # a termination right "for chronic breach" with no count
WEAK_TERMINATION = Decimal("0.2")
MAX_ESCALATION_HOURS = 720  # one monthly reporting period
HALF = Decimal("0.5")

# What people type when they have no method; compared after lower-casing and dropping punctuation.
PLACEHOLDERS = frozenset(
    {
        "", "tbd", "tba", "tbc", "na", "n a", "none", "null", "nil", "todo", "unknown", "pending",
        "later", "x", "xx", "xxx", "to be defined", "to be determined", "to be confirmed",
        "not applicable", "not available", "see contract", "as agreed", "standard", "various",
    }
)  # fmt: skip

# Units that can be compared, each mapped onto one scale: minutes for durations, 0-100 for ratings.
UNIT_SCALES: dict[KpiUnit, tuple[str, Decimal]] = {
    KpiUnit.MINUTES: ("duration", Decimal(1)),
    KpiUnit.HOURS: ("duration", Decimal(60)),
    KpiUnit.DAYS: ("duration", Decimal(1440)),
    KpiUnit.PERCENT: ("rating", Decimal(1)),
    KpiUnit.SCORE_5: ("rating", Decimal(20)),
    KpiUnit.SCORE_10: ("rating", Decimal(10)),
    KpiUnit.NPS_POINTS: ("nps", Decimal(1)),
    KpiUnit.COUNT: ("count", Decimal(1)),
}


@dataclass(frozen=True)
class SlaAssessment:
    score: Decimal
    meets_requirements: bool
    findings: tuple[Finding, ...]
    explanation: str
    explanation_parts: tuple[ExplanationPart, ...]


@dataclass(frozen=True)
class KpiFacts:
    index: int
    kpi: Kpi
    meaningful: bool
    method: bool
    window: bool
    stake: Decimal

    @property
    def measurability(self) -> Decimal:
        return HALF * self.method + HALF * self.window

    @property
    def enforceable(self) -> bool:
        return self.method and self.window and self.stake > 0

    @property
    def accountability(self) -> Decimal:
        # Measurability with nothing at stake holds nobody to account: a KPI with no stake adds 0.
        return (self.measurability + self.stake) / 2 if self.stake > 0 else Decimal(0)

    @property
    def headline(self) -> Decimal:
        if not self.meaningful:
            return Decimal(0)
        return CLASS_WEIGHT[self.kpi.metric] * self.stake * (1 + self.measurability) / 2


@dataclass(frozen=True)
class Choice:
    """Which KPI carries each requirement (None: absent) and the headline KPI (None: none)."""

    value: Decimal
    raw: Decimal
    picks: tuple[KpiFacts | None, ...]
    headline: KpiFacts | None
    parts: tuple[Decimal, Decimal, Decimal]
    stake_cap: bool


def assess_sla(sla: Sla, requirements: tuple[KpiRequirement, ...], term_months: int = 12) -> SlaAssessment:
    findings: list[Finding] = []
    facts = [_facts(index, kpi, term_months, findings) for index, kpi in enumerate(sla.kpis)]
    _duplicates(sla.kpis, findings)
    met = _requirements_met(facts, requirements, findings)
    _metric_mix(facts, findings)
    reporting = _reporting(sla.reporting_cadence, findings)
    escalation = _escalation(sla.escalation_path, findings)
    activity_only = _activity_only(facts)
    choice = _best_choice(facts, requirements, reporting + escalation, activity_only)
    score = choice.value
    if choice.stake_cap:
        findings.append(_no_stake(choice))
    parts = _explanation(choice, sla.reporting_cadence, met, len(requirements), reporting, escalation)
    if activity_only:
        parts.append(part(ExplanationCode.SLA_ACTIVITY_CAP, points("cap", ACTIVITY_ONLY_CAP)))
    return SlaAssessment(score, met == len(requirements), tuple(findings), explain(parts), tuple(parts))


def _explanation(
    choice: Choice, cadence: Cadence, met: int, required: int, reporting: Decimal, escalation: Decimal
) -> list[ExplanationPart]:
    headline, requirements, accountable = choice.parts
    chosen = choice.headline
    which = [] if chosen is None else _kpi_terms(chosen.index, chosen.kpi)
    said = ExplanationCode.SLA_NO_HEADLINE if chosen is None else ExplanationCode.SLA_HEADLINE
    parts = [
        part(ExplanationCode.SLA_SCORE, points("score", choice.value)),
        part(said, *which, points("points", headline)),
        part(
            ExplanationCode.SLA_REQUIREMENTS,
            number("met", met),
            number("count", required),
            points("points", requirements),
        ),
        part(ExplanationCode.SLA_ACCOUNTABILITY, points("points", accountable)),
        part(ExplanationCode.SLA_REPORTING, code("cadence", cadence.value), points("points", reporting)),
        part(ExplanationCode.SLA_ESCALATION, points("points", escalation)),
        part(ExplanationCode.SLA_SUM, points("points", choice.raw)),
    ]
    if choice.stake_cap:
        parts.append(part(ExplanationCode.SLA_NO_STAKE_CAP, points("cap", NO_REMEDIES_CAP)))
    return parts


def _kpi_path(index: int, *rest: str) -> tuple[str, ...]:
    return ("sla", "kpis", str(index), *rest)


# ------------------------------------------------------------------------------------ per KPI


def is_placeholder(method: str | None) -> bool:
    """No method, or a placeholder such as "TBD", "n/a", "-" or "???": nothing a buyer can audit."""
    if method is None:
        return True
    words = re.sub(r"[^a-z0-9]+", " ", method.lower()).strip()
    return words in PLACEHOLDERS or not re.search(r"[a-z]", words)


def _facts(index: int, kpi: Kpi, term_months: int, findings: list[Finding]) -> KpiFacts:
    method = not is_placeholder(kpi.measurement_method)
    window = kpi.measurement_window not in (None, Cadence.NONE)
    name = _kpi_terms(index, kpi)
    if not method:
        said, terms = (
            (MessageCode.KPI_NO_MEASUREMENT_METHOD, name)
            if not kpi.measurement_method
            else (MessageCode.KPI_PLACEHOLDER_METHOD, [*name, text("method", kpi.measurement_method)])
        )
        path = _kpi_path(index, "measurementMethod")
        findings.append(finding(FindingCode.MISSING_MEASUREMENT_METHOD, said, terms, *path))
    if not window:
        said = MessageCode.KPI_NO_MEASUREMENT_WINDOW
        path = _kpi_path(index, "measurementWindow")
        findings.append(finding(FindingCode.MISSING_MEASUREMENT_METHOD, said, name, *path))
    stake = _stake(index, kpi, term_months, findings)
    meaningful = _meaningful(index, kpi, findings)
    _plausible(index, kpi, findings)
    return KpiFacts(index, kpi, meaningful, method, window, stake)


Why = tuple[MessageCode, list[Term]]


def remedy_value(remedy: Remedy, term_months: int) -> tuple[Decimal, Why | None, str]:
    """(stake 0-1, why it is weak (message code and terms) or None, the field that makes it weak)."""
    if remedy.type in (RemedyType.SERVICE_CREDIT, RemedyType.FEE_AT_RISK):
        label = code("remedy", remedy.type.value)
        if remedy.credit_percent is None:
            return Decimal(0), (MessageCode.REMEDY_NO_PERCENT, [label]), "creditPercent"
        percent = to_decimal(remedy.credit_percent)
        stated = [label, number("percent", percent, TermKind.PERCENT)]
        if percent < TOKEN_CREDIT_PERCENT:
            return Decimal(0), (MessageCode.REMEDY_TOKEN_PERCENT, stated), "creditPercent"
        value = min(Decimal(1), percent / FULL_CREDIT_PERCENT)
        share = Term(name="share", kind=TermKind.NUMBER, value=f"{value:.2f}")
        why = None if value == 1 else (MessageCode.REMEDY_PARTIAL_PERCENT, [*stated, share])
        return value, why, "creditPercent"
    if remedy.type is RemedyType.TERMINATION_RIGHT:
        breaches = remedy.after_consecutive_breaches or DEFAULT_BREACHES
        if breaches > term_months:
            terms = [number("breaches", breaches), number("term", term_months, TermKind.MONTHS)]
            return (
                WEAK_TERMINATION,
                (MessageCode.TERMINATION_CANNOT_TRIGGER, terms),
                "afterConsecutiveBreaches",
            )
        return Decimal(1), None, "afterConsecutiveBreaches"
    return Decimal(0), (MessageCode.CORRECTIVE_PLAN_ONLY, []), "type"


def _kpi_terms(index: int, kpi: Kpi) -> list[Term]:
    """The terms of "KPI 2 (CSAT)": its position (from 1) and its metric."""
    return [number("kpi", index + 1), code("metric", kpi.metric.value)]


def _bound_terms(target: Kpi | KpiRequirement, prefix: str = "") -> list[Term]:
    """The terms of "at least 95 PERCENT"; `prefix` names them apart when a sentence holds two."""

    def named(name: str) -> str:
        return prefix + name[0].upper() + name[1:] if prefix else name

    return [
        code(named("comparator"), target.comparator.value),
        number(named("target"), target.target),
        code(named("unit"), target.unit.value),
    ]


def _stake(index: int, kpi: Kpi, term_months: int, findings: list[Finding]) -> Decimal:
    name = _kpi_terms(index, kpi)
    remedies = _kpi_path(index, "remedies")
    if not kpi.remedies:
        findings.append(finding(FindingCode.KPI_WITHOUT_REMEDY, MessageCode.KPI_NO_REMEDY, name, *remedies))
        return Decimal(0)
    stake = Decimal(0)
    for position, remedy in enumerate(kpi.remedies):
        value, why, field = remedy_value(remedy, term_months)
        stake = max(stake, value)
        if why is not None:
            path = _kpi_path(index, "remedies", str(position), field)
            findings.append(finding(FindingCode.WEAK_REMEDY, why[0], [*name, *why[1]], *path))
    if stake == 0:
        said = MessageCode.KPI_NOTHING_AT_STAKE
        findings.append(finding(FindingCode.KPI_WITHOUT_REMEDY, said, name, *remedies))
    return stake


def _meaningful(index: int, kpi: Kpi, findings: list[Finding]) -> bool:
    rule = MEANINGFUL.get(kpi.metric)
    if rule is None:
        return True
    comparator, units = rule
    name = _kpi_terms(index, kpi)
    low, high = UNIT_RANGES[kpi.unit]
    why: Why
    if kpi.comparator is not comparator:
        wrong_way = [code("comparator", kpi.comparator.value), code("expected", comparator.value)]
        why, field = (MessageCode.METRIC_WRONG_WAY, wrong_way), "comparator"
    elif kpi.unit not in units:
        allowed = ", ".join(sorted(unit.value for unit in units))
        unit_terms = [code("unit", kpi.unit.value), Term(name="allowed", kind=TermKind.CODES, value=allowed)]
        why, field = (MessageCode.METRIC_WRONG_UNIT, unit_terms), "unit"
    elif (comparator is Comparator.AT_LEAST and kpi.target <= low) or (
        comparator is Comparator.AT_MOST and kpi.target >= high
    ):
        why, field = (MessageCode.METRIC_PROMISES_NOTHING, _bound_terms(kpi)), "target"
    else:
        return True
    path = _kpi_path(index, field)
    findings.append(finding(FindingCode.METRIC_NOT_MEANINGFUL, why[0], [*name, *why[1]], *path))
    return False


def _plausible(index: int, kpi: Kpi, findings: list[Finding]) -> None:
    low, high = UNIT_RANGES[kpi.unit]
    perfect = (
        kpi.comparator is Comparator.AT_LEAST and kpi.target >= high and kpi.unit is not KpiUnit.COUNT
    ) or (kpi.comparator is Comparator.AT_MOST and kpi.target <= low)
    if perfect and MEANINGFUL.get(kpi.metric, (kpi.comparator,))[0] is kpi.comparator:
        terms = [*_kpi_terms(index, kpi), *_bound_terms(kpi)]
        path = _kpi_path(index, "target")
        findings.append(finding(FindingCode.IMPLAUSIBLE_TARGET, MessageCode.TARGET_PERFECTION, terms, *path))


def _duplicates(kpis: tuple[Kpi, ...], findings: list[Finding]) -> None:
    """Same metric, comparator and unit: the strictest one is the promise, the others repeat it."""
    groups: dict[tuple[KpiMetric, Comparator, KpiUnit], list[int]] = {}
    for index, kpi in enumerate(kpis):
        groups.setdefault((kpi.metric, kpi.comparator, kpi.unit), []).append(index)
    for (_, comparator, _), indexes in groups.items():
        if len(indexes) < 2:
            continue
        sign = 1 if comparator is Comparator.AT_LEAST else -1
        strictest = max(indexes, key=lambda i: (sign * kpis[i].target, -i))
        for index in indexes:
            if index != strictest:
                terms = [
                    *_kpi_terms(index, kpis[index]),
                    number("strictest", strictest + 1),
                    code("comparator", comparator.value),
                    code("unit", kpis[index].unit.value),
                ]
                path = _kpi_path(index)
                findings.append(finding(FindingCode.DUPLICATE_KPI, MessageCode.KPI_REPEATED, terms, *path))


def _metric_mix(facts: list[KpiFacts], findings: list[Finding]) -> None:
    meaningful = [f for f in facts if f.meaningful]
    if any(f.kpi.metric in OUTCOME_METRICS for f in meaningful):
        return
    said = MessageCode.SLA_NO_KPI if not facts else MessageCode.SLA_NO_OUTCOME
    findings.append(finding(FindingCode.NO_OUTCOME_METRIC, said, [], "sla", "kpis"))
    for f in facts:
        if f.kpi.metric in ACTIVITY_METRICS:
            terms = [code("metric", f.kpi.metric.value)]
            path = _kpi_path(f.index, "metric")
            findings.append(finding(FindingCode.GAMEABLE_METRIC, MessageCode.ACTIVITY_METRIC, terms, *path))


def _activity_only(facts: list[KpiFacts]) -> bool:
    """No meaningful outcome or responsiveness promise: what is left can only count activity. (Defined
    by what is missing, not by an activity KPI being present, so adding a KPI never imposes the cap.)"""
    return not any(f.meaningful and f.kpi.metric not in ACTIVITY_METRICS for f in facts)


def _reporting(cadence: Cadence, findings: list[Finding]) -> Decimal:
    if cadence is Cadence.NONE:
        path = ("sla", "reportingCadence")
        findings.append(finding(FindingCode.NO_REPORTING, MessageCode.NO_REPORTING, [], *path))
    elif cadence is Cadence.QUARTERLY:
        said = MessageCode.QUARTERLY_REPORTING
        path = ("sla", "reportingCadence")
        findings.append(finding(FindingCode.NO_REPORTING, said, [], *path, severity=Severity.INFO))
    return REPORTING_POINTS[cadence]


def _escalation(steps: Sequence[EscalationStep], findings: list[Finding]) -> Decimal:
    timely = False
    for position, step in enumerate(steps):
        if step.response_hours <= MAX_ESCALATION_HOURS:
            timely = True
            continue
        terms = [
            number("step", position + 1),
            text("role", step.role),
            number("hours", step.response_hours, TermKind.HOURS),
            number("limit", MAX_ESCALATION_HOURS, TermKind.HOURS),
        ]
        path = ("sla", "escalationPath", str(position), "responseHours")
        findings.append(finding(FindingCode.SLOW_ESCALATION, MessageCode.SLOW_ESCALATION_STEP, terms, *path))
    if timely:
        return ESCALATION_POINTS
    findings.append(
        finding(FindingCode.NO_ESCALATION_PATH, MessageCode.NO_TIMELY_ESCALATION, [], "sla", "escalationPath")
    )
    return Decimal(0)


# ------------------------------------------------------------------------------ requirements


def to_common_scale(target: float, unit: KpiUnit) -> tuple[str, Decimal]:
    scale, factor = UNIT_SCALES[unit]
    return scale, to_decimal(target) * factor


def satisfies(kpi: Kpi, requirement: KpiRequirement) -> bool:
    """Same metric and comparator, comparable units, and a target at least as strict."""
    if kpi.metric is not requirement.metric or kpi.comparator is not requirement.comparator:
        return False
    offered_scale, offered = to_common_scale(kpi.target, kpi.unit)
    required_scale, required = to_common_scale(requirement.target, requirement.unit)
    if offered_scale != required_scale:
        return False
    return offered >= required if requirement.comparator is Comparator.AT_LEAST else offered <= required


def requirement_value(facts: KpiFacts, requirement: KpiRequirement) -> Decimal:
    if facts.enforceable and satisfies(facts.kpi, requirement):
        return HALF + HALF * facts.stake
    return Decimal(0)


def _requirements_met(
    facts: list[KpiFacts], requirements: tuple[KpiRequirement, ...], findings: list[Finding]
) -> int:
    met = 0
    for position, requirement in enumerate(requirements, start=1):
        if any(requirement_value(f, requirement) > 0 for f in facts):
            met += 1
            continue
        findings.append(_unmet(position, requirement, facts))
    return met


def _unmet(position: int, requirement: KpiRequirement, facts: list[KpiFacts]) -> Finding:
    wanted = [
        number("requirement", position),
        code("metric", requirement.metric.value),
        *_bound_terms(requirement),
    ]
    not_met = FindingCode.REQUIREMENT_NOT_MET
    strict = [f for f in facts if satisfies(f.kpi, requirement)]
    if strict:
        f = strict[0]
        missing, field = (
            ("MEASUREMENT_METHOD", "measurementMethod")
            if not f.method
            else ("MEASUREMENT_WINDOW", "measurementWindow")
            if not f.window
            else ("REMEDY", "remedies")
        )
        terms = [*wanted, number("kpi", f.index + 1), code("missing", missing)]
        return finding(not_met, MessageCode.REQUIREMENT_UNENFORCEABLE, terms, *_kpi_path(f.index, field))
    same_metric = [f for f in facts if f.kpi.metric is requirement.metric]
    if not same_metric:
        return finding(not_met, MessageCode.REQUIREMENT_NOT_OFFERED, wanted, "sla", "kpis")
    f = same_metric[0]
    terms = [*wanted, number("kpi", f.index + 1), *_bound_terms(f.kpi, "offered")]
    return finding(not_met, MessageCode.REQUIREMENT_WEAKER, terms, *_kpi_path(f.index, "target"))


# ------------------------------------------------------------------- the KPIs that carry weight


def _best_choice(
    facts: list[KpiFacts], requirements: tuple[KpiRequirement, ...], fixed: Decimal, activity_only: bool
) -> Choice:
    """The best-scoring choice of carrying KPIs. For every floor t on their accountability (and with or
    without requiring a stake) the best KPI per requirement and the best headline are picked among
    those above the floor; the floor that is the optimum's weakest KPI finds the optimum."""
    candidates = [[f for f in facts if f.kpi.metric is r.metric] for r in requirements]
    floors = sorted({f.accountability for f in facts} | {Decimal(0)})
    best: Choice | None = None
    for need_stake in (True, False):
        for floor in floors:
            choice = _choice_above(facts, requirements, candidates, floor, need_stake, fixed, activity_only)
            if choice is not None and (best is None or choice.value > best.value):
                best = choice
    assert best is not None, "the floor 0 without a stake always has a choice"
    return best


def _choice_above(
    facts: list[KpiFacts],
    requirements: tuple[KpiRequirement, ...],
    candidates: list[list[KpiFacts]],
    floor: Decimal,
    need_stake: bool,
    fixed: Decimal,
    activity_only: bool,
) -> Choice | None:
    def allowed(f: KpiFacts) -> bool:
        return f.accountability >= floor and (f.stake > 0 or not need_stake)

    picks: list[KpiFacts | None] = []
    for requirement, options in zip(requirements, candidates, strict=True):
        if not options:
            if floor > 0 or need_stake:
                return None
            picks.append(None)
            continue
        usable = [f for f in options if allowed(f)]
        if not usable:
            return None
        picks.append(max(usable, key=lambda f: (requirement_value(f, requirement), f.accountability)))
    headlines = [f for f in facts if f.meaningful and allowed(f)]
    top = max(headlines, key=lambda f: f.headline, default=None)
    options_b = [None] if top is None else [top, None]
    return max(
        (_evaluate(tuple(picks), b, requirements, fixed, activity_only) for b in options_b),
        key=lambda choice: choice.value,
    )


def _evaluate(
    picks: tuple[KpiFacts | None, ...],
    headline: KpiFacts | None,
    requirements: tuple[KpiRequirement, ...],
    fixed: Decimal,
    activity_only: bool,
) -> Choice:
    carried = [*picks, headline] if headline is not None else list(picks)
    head = HEADLINE_POINTS * headline.headline if headline is not None else Decimal(0)
    if requirements:
        values = [
            requirement_value(p, r) if p else Decimal(0) for p, r in zip(picks, requirements, strict=True)
        ]
        required = REQUIREMENT_POINTS * sum(values, Decimal(0)) / len(requirements)
    else:
        required = REQUIREMENT_POINTS
    weakest = min((p.accountability if p else Decimal(0) for p in carried), default=Decimal(0))
    accountable = ACCOUNTABILITY_POINTS * weakest
    raw = round_points(head + required + accountable + fixed)
    stake_cap = not carried or any(p is None or p.stake == 0 for p in carried)
    value = raw
    if stake_cap:
        value = min(value, NO_REMEDIES_CAP)
    if activity_only:
        value = min(value, ACTIVITY_ONLY_CAP)
    return Choice(value, raw, picks, headline, (head, required, accountable), stake_cap)


def _no_stake(choice: Choice) -> Finding:
    carried = [*choice.picks, choice.headline] if choice.headline is not None else list(choice.picks)
    for p in carried:
        if p is not None and p.stake == 0:
            said = MessageCode.WEIGHTED_KPI_NO_CONSEQUENCE
            terms = _kpi_terms(p.index, p.kpi)
            return finding(FindingCode.NO_REMEDIES, said, terms, *_kpi_path(p.index, "remedies"))
    return finding(FindingCode.NO_REMEDIES, MessageCode.NO_WEIGHTED_REMEDY, [], "sla", "kpis")
