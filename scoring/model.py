"""What is scored and what scoring returns: pure pydantic models, no I/O.

Field names are snake_case in Python and camelCase on the wire (aliases), so a validation error's
location is the GraphQL input path a client sent (e.g. ``sla.kpis.0.target``).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from decimal import (
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from enum import Enum
from typing import Annotated, Literal, ParamSpec, TypeVar

import pycountry
from babel.numbers import get_currency_precision
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

MAX_KPIS = 50
MAX_REMEDIES_PER_KPI = 10
MAX_ESCALATION_STEPS = 20
MAX_REQUIREMENTS = 50
# Above any real managed-services fee: a larger figure is a typo, not a bid.
MAX_AMOUNT = Decimal("1000000000")
MAX_VOLUME = 1e9


class KpiMetric(str, Enum):
    CSAT = "CSAT"
    NPS = "NPS"
    QUALITY_SCORE = "QUALITY_SCORE"
    FIRST_CONTACT_RESOLUTION = "FIRST_CONTACT_RESOLUTION"
    REOPEN_RATE = "REOPEN_RATE"
    ACCURACY = "ACCURACY"
    UPTIME = "UPTIME"
    FIRST_RESPONSE_TIME = "FIRST_RESPONSE_TIME"
    RESOLUTION_TIME = "RESOLUTION_TIME"
    BACKLOG_AGE = "BACKLOG_AGE"
    TICKETS_CLOSED = "TICKETS_CLOSED"
    TICKETS_HANDLED = "TICKETS_HANDLED"
    HOURS_LOGGED = "HOURS_LOGGED"
    CUSTOM = "CUSTOM"


class KpiUnit(str, Enum):
    PERCENT = "PERCENT"
    SCORE_5 = "SCORE_5"
    SCORE_10 = "SCORE_10"
    NPS_POINTS = "NPS_POINTS"
    MINUTES = "MINUTES"
    HOURS = "HOURS"
    DAYS = "DAYS"
    COUNT = "COUNT"


class Comparator(str, Enum):
    AT_LEAST = "AT_LEAST"
    AT_MOST = "AT_MOST"


class Cadence(str, Enum):
    REAL_TIME = "REAL_TIME"
    DAILY = "DAILY"
    WEEKLY = "WEEKLY"
    MONTHLY = "MONTHLY"
    QUARTERLY = "QUARTERLY"
    NONE = "NONE"


class RemedyType(str, Enum):
    SERVICE_CREDIT = "SERVICE_CREDIT"
    FEE_AT_RISK = "FEE_AT_RISK"
    TERMINATION_RIGHT = "TERMINATION_RIGHT"
    CORRECTIVE_ACTION_PLAN = "CORRECTIVE_ACTION_PLAN"


class Ownership(str, Enum):
    CLIENT = "CLIENT"
    SHARED = "SHARED"
    VENDOR = "VENDOR"


class Severity(str, Enum):
    INFO = "INFO"
    WARNING = "WARNING"
    CRITICAL = "CRITICAL"


class FindingCode(str, Enum):
    GAMEABLE_METRIC = "GAMEABLE_METRIC"
    NO_OUTCOME_METRIC = "NO_OUTCOME_METRIC"
    MISSING_MEASUREMENT_METHOD = "MISSING_MEASUREMENT_METHOD"
    KPI_WITHOUT_REMEDY = "KPI_WITHOUT_REMEDY"
    NO_REMEDIES = "NO_REMEDIES"
    NO_REPORTING = "NO_REPORTING"
    NO_ESCALATION_PATH = "NO_ESCALATION_PATH"
    REQUIREMENT_NOT_MET = "REQUIREMENT_NOT_MET"
    LONG_TERM = "LONG_TERM"
    LONG_NOTICE = "LONG_NOTICE"
    EXIT_PENALTY = "EXIT_PENALTY"
    AUTO_RENEWAL = "AUTO_RENEWAL"
    VENDOR_OWNS_RUNBOOKS = "VENDOR_OWNS_RUNBOOKS"
    VENDOR_OWNS_TOOLING_CONFIG = "VENDOR_OWNS_TOOLING_CONFIG"
    NO_KNOWLEDGE_TRANSFER = "NO_KNOWLEDGE_TRANSFER"
    NO_TRANSITION_ASSISTANCE = "NO_TRANSITION_ASSISTANCE"
    NO_DATA_EXPORT = "NO_DATA_EXPORT"
    OVER_BUDGET = "OVER_BUDGET"
    UNCAPPED_COST = "UNCAPPED_COST"
    ABNORMALLY_LOW_PRICE = "ABNORMALLY_LOW_PRICE"
    # Scoring version 2: what paperwork cannot buy and what money is really committed.
    DUPLICATE_KPI = "DUPLICATE_KPI"
    WEAK_REMEDY = "WEAK_REMEDY"
    METRIC_NOT_MEANINGFUL = "METRIC_NOT_MEANINGFUL"
    IMPLAUSIBLE_TARGET = "IMPLAUSIBLE_TARGET"
    SLOW_ESCALATION = "SLOW_ESCALATION"
    HIGH_VOLUME_OVER_BUDGET = "HIGH_VOLUME_OVER_BUDGET"
    HOURS_NOT_FROM_RFP = "HOURS_NOT_FROM_RFP"
    CAP_BELOW_WORKLOAD = "CAP_BELOW_WORKLOAD"


# The range of targets each unit can express; outside it a target is impossible, not ambitious.
UNIT_RANGES: dict[KpiUnit, tuple[float, float]] = {
    KpiUnit.PERCENT: (0.0, 100.0),
    KpiUnit.SCORE_5: (0.0, 5.0),
    KpiUnit.SCORE_10: (0.0, 10.0),
    KpiUnit.NPS_POINTS: (-100.0, 100.0),
    KpiUnit.MINUTES: (0.0, 525_600.0),
    KpiUnit.HOURS: (0.0, 8_760.0),
    KpiUnit.DAYS: (0.0, 365.0),
    KpiUnit.COUNT: (0.0, 1e9),
}


class Model(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        frozen=True,
        extra="forbid",
        str_strip_whitespace=True,
    )


# ISO 4217 codes that are not money a vendor can be paid in: precious metals, IMF units, bond-market
# units, the testing and "no currency" codes, and the funds codes that shadow a real currency.
NOT_MONEY = frozenset(
    {"XAG", "XAU", "XPD", "XPT", "XBA", "XBB", "XBC", "XBD", "XDR", "XSU", "XUA", "XTS", "XXX", "XAD"}
    | {"BOV", "CHE", "CHW", "CLF", "COU", "MXV", "USN", "USS", "UYI", "UYW"}
)


@functools.lru_cache(maxsize=512)  # pure lookups in static tables, on every money figure
def is_currency_code(code: str) -> bool:
    """Canonical (upper-case) ISO 4217 code of a real currency."""
    return (
        len(code) == 3
        and code.isupper()
        and code not in NOT_MONEY
        and pycountry.currencies.get(alpha_3=code) is not None
    )


@functools.lru_cache(maxsize=512)
def minor_unit_places(code: str) -> int:
    """Decimals of the currency's minor unit (JPY 0, USD 2, KWD 3), from CLDR via babel."""
    return int(get_currency_precision(code))


def _iso_4217(value: str) -> str:
    # Refused rather than canonicalized: "usd" stored as typed would later read as another currency
    # than "USD", and silently rewriting what a client sent hides the client's bug.
    if value.upper() != value and is_currency_code(value.upper()):
        raise ValueError(f"{value!r} is not canonical: currency codes are upper-case, use {value.upper()!r}")
    if not is_currency_code(value):
        raise ValueError(f"{value!r} is not the ISO 4217 code of a real currency")
    return value


CurrencyCode = Annotated[str, AfterValidator(_iso_4217)]


class Money(Model):
    amount: Decimal = Field(ge=0, le=MAX_AMOUNT)
    currency_code: CurrencyCode

    @field_validator("amount")
    @classmethod
    def _finite(cls, value: Decimal) -> Decimal:
        if not value.is_finite():
            raise ValueError("amount must be a finite number")
        if value.as_tuple().exponent < -4:  # type: ignore[operator]
            raise ValueError("amount has more than 4 decimal places")
        # Canonical: no negative zero (-0 == 0 would pass ge=0), no exponent form (1E+3 is 1000).
        if value.is_zero():
            value = abs(value)
        if value.as_tuple().exponent > 0:  # type: ignore[operator]
            value = value.quantize(Decimal(1))
        return value


def _check_finite(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError("must be a finite number")
    return value


def _check_target(target: float, info: ValidationInfo) -> float:
    _check_finite(target)
    unit = info.data.get("unit")
    if isinstance(unit, KpiUnit):
        low, high = UNIT_RANGES[unit]
        if not low <= target <= high:
            raise ValueError(f"target {target:g} is impossible for unit {unit.value} ({low:g} to {high:g})")
    return target


class KpiRequirement(Model):
    metric: KpiMetric
    comparator: Comparator
    # unit before target: the target's validator reads the unit.
    unit: KpiUnit
    target: float

    _target_in_unit_range = field_validator("target")(_check_target)


class Remedy(Model):
    type: RemedyType
    credit_percent: float | None = Field(default=None, gt=0, le=100)
    after_consecutive_breaches: int | None = Field(default=None, ge=1, le=24)
    description: str | None = Field(default=None, max_length=2000)


class Kpi(Model):
    metric: KpiMetric
    name: str | None = Field(default=None, max_length=200)
    comparator: Comparator
    unit: KpiUnit
    target: float
    measurement_method: str | None = Field(default=None, max_length=2000)
    measurement_window: Cadence | None = None
    remedies: tuple[Remedy, ...] = Field(default=(), max_length=MAX_REMEDIES_PER_KPI)

    _target_in_unit_range = field_validator("target")(_check_target)


class EscalationStep(Model):
    level: int = Field(ge=1, le=20)
    role: str = Field(min_length=1, max_length=200)
    response_hours: float = Field(ge=0, le=8_760)


class Sla(Model):
    kpis: tuple[Kpi, ...] = Field(max_length=MAX_KPIS)
    reporting_cadence: Cadence
    escalation_path: tuple[EscalationStep, ...] = Field(default=(), max_length=MAX_ESCALATION_STEPS)


class FlatMonthlyPricing(Model):
    model: Literal["flatMonthly"] = "flatMonthly"
    monthly_fee: Money


class PerUnitPricing(Model):
    model: Literal["perUnit"] = "perUnit"
    unit_price: Money
    unit_name: str = Field(min_length=1, max_length=100)
    minimum_monthly_fee: Money | None = None


class OutcomeBasedPricing(Model):
    model: Literal["outcomeBased"] = "outcomeBased"
    base_monthly_fee: Money | None = None
    fee_per_outcome: Money
    outcome_name: str = Field(min_length=1, max_length=100)


class TimeAndMaterialsPricing(Model):
    model: Literal["timeAndMaterials"] = "timeAndMaterials"
    hourly_rate: Money
    monthly_cap: Money
    estimated_hours_per_month: float | None = Field(default=None, ge=0, le=100_000)


Pricing = Annotated[
    FlatMonthlyPricing | PerUnitPricing | OutcomeBasedPricing | TimeAndMaterialsPricing,
    Field(discriminator="model"),
]


class ContractTerms(Model):
    term_months: int = Field(ge=1, le=120)
    termination_notice_days: int = Field(ge=0, le=730)
    early_termination_fee_months: float = Field(ge=0, le=60)
    auto_renews: bool
    runbook_ownership: Ownership
    tooling_config_ownership: Ownership
    knowledge_transfer_clause: bool
    transition_assistance_months: int = Field(ge=0, le=36)
    data_export_on_exit: bool


class ProposalTerms(Model):
    """A vendor's offer: what `ProposalInput` carries."""

    summary: str = Field(min_length=1, max_length=10_000)
    sla: Sla
    pricing: Pricing
    one_time_fee: Money | None = None
    annual_escalation_percent: float = Field(default=0.0, ge=0, le=50)
    terms: ContractTerms


class VolumeScenario(Model):
    unit_name: str = Field(min_length=1, max_length=100)
    expected: float = Field(ge=0, le=MAX_VOLUME)
    low: float = Field(ge=0, le=MAX_VOLUME)
    high: float = Field(ge=0, le=MAX_VOLUME)

    @model_validator(mode="before")
    @classmethod
    def _default_bounds(cls, data: object) -> object:
        # low and high default to the expected volume: a scenario of one point.
        if isinstance(data, dict):
            expected = data.get("expected")
            data = dict(data)
            if data.get("low") is None:
                data["low"] = expected
            if data.get("high") is None:
                data["high"] = expected
        return data

    # Field validators, not a model validator, so the error names the offending field.
    @field_validator("low")
    @classmethod
    def _low_at_most_expected(cls, value: float, info: ValidationInfo) -> float:
        expected = info.data.get("expected")
        if expected is not None and value > expected:
            raise ValueError("low must not exceed expected")
        return value

    @field_validator("high")
    @classmethod
    def _high_at_least_expected(cls, value: float, info: ValidationInfo) -> float:
        expected = info.data.get("expected")
        if expected is not None and value < expected:
            raise ValueError("high must not be below expected")
        return value


class Weights(Model):
    sla_quality: float = Field(ge=0, le=1000)
    lock_in: float = Field(ge=0, le=1000)
    cost: float = Field(ge=0, le=1000)

    @model_validator(mode="after")
    def _positive_sum(self) -> Weights:
        for value in (self.sla_quality, self.lock_in, self.cost):
            _check_finite(value)
        if self.sla_quality + self.lock_in + self.cost <= 0:
            raise ValueError("at least one weight must be positive")
        return self

    def normalized(self) -> Weights:
        total = self.sla_quality + self.lock_in + self.cost
        return Weights(
            sla_quality=self.sla_quality / total, lock_in=self.lock_in / total, cost=self.cost / total
        )


DEFAULT_WEIGHTS = Weights(sla_quality=0.4, lock_in=0.25, cost=0.35)
DEFAULT_EVALUATION_MONTHS = 12


class RfpContext(Model):
    """What of an RFP the scoring reads."""

    currency_code: CurrencyCode
    evaluation_months: int = Field(default=DEFAULT_EVALUATION_MONTHS, ge=1, le=120)
    volume: VolumeScenario
    expected_hours_per_month: float | None = Field(default=None, ge=0, le=1_000_000)
    expected_outcomes_per_month: float | None = Field(default=None, ge=0, le=MAX_VOLUME)
    requirements: tuple[KpiRequirement, ...] = Field(default=(), max_length=MAX_REQUIREMENTS)
    weights: Weights = DEFAULT_WEIGHTS
    monthly_budget: Money

    @field_validator("monthly_budget")
    @classmethod
    def _budget_in_rfp_currency(cls, value: Money, info: ValidationInfo) -> Money:
        currency = info.data.get("currency_code")
        if currency is not None and value.currency_code != currency:
            raise ValueError(f"monthlyBudget must be in the RFP's currency {currency}")
        return value


# ------------------------------------------------------------------------------------- outputs


class ComputedMoney(Money):
    """An amount scoring computed (a monthly cost, an exit cost), without the input ceiling.

    MAX_AMOUNT bounds what a vendor may type; a product of such figures (a fee times months of penalty)
    may truthfully exceed it, and a stored score must still validate when it is read back.
    """

    amount: Decimal = Field(ge=0)


class MessageCode(str, Enum):
    """Which sentence a finding says: scoring/messages.py holds the English template of each, so a UI
    can render its own language from the code and the terms instead of translating prose."""

    KPI_NO_MEASUREMENT_METHOD = "KPI_NO_MEASUREMENT_METHOD"
    KPI_PLACEHOLDER_METHOD = "KPI_PLACEHOLDER_METHOD"
    KPI_NO_MEASUREMENT_WINDOW = "KPI_NO_MEASUREMENT_WINDOW"
    REMEDY_NO_PERCENT = "REMEDY_NO_PERCENT"
    REMEDY_TOKEN_PERCENT = "REMEDY_TOKEN_PERCENT"
    REMEDY_PARTIAL_PERCENT = "REMEDY_PARTIAL_PERCENT"
    TERMINATION_CANNOT_TRIGGER = "TERMINATION_CANNOT_TRIGGER"
    CORRECTIVE_PLAN_ONLY = "CORRECTIVE_PLAN_ONLY"
    KPI_NO_REMEDY = "KPI_NO_REMEDY"
    KPI_NOTHING_AT_STAKE = "KPI_NOTHING_AT_STAKE"
    METRIC_WRONG_WAY = "METRIC_WRONG_WAY"
    METRIC_WRONG_UNIT = "METRIC_WRONG_UNIT"
    METRIC_PROMISES_NOTHING = "METRIC_PROMISES_NOTHING"
    TARGET_PERFECTION = "TARGET_PERFECTION"
    KPI_REPEATED = "KPI_REPEATED"
    SLA_NO_KPI = "SLA_NO_KPI"
    SLA_NO_OUTCOME = "SLA_NO_OUTCOME"
    ACTIVITY_METRIC = "ACTIVITY_METRIC"
    NO_REPORTING = "NO_REPORTING"
    QUARTERLY_REPORTING = "QUARTERLY_REPORTING"
    SLOW_ESCALATION_STEP = "SLOW_ESCALATION_STEP"
    NO_TIMELY_ESCALATION = "NO_TIMELY_ESCALATION"
    REQUIREMENT_UNENFORCEABLE = "REQUIREMENT_UNENFORCEABLE"
    REQUIREMENT_NOT_OFFERED = "REQUIREMENT_NOT_OFFERED"
    REQUIREMENT_WEAKER = "REQUIREMENT_WEAKER"
    WEIGHTED_KPI_NO_CONSEQUENCE = "WEIGHTED_KPI_NO_CONSEQUENCE"
    NO_WEIGHTED_REMEDY = "NO_WEIGHTED_REMEDY"
    LONG_TERM = "LONG_TERM"
    LONG_NOTICE = "LONG_NOTICE"
    EXIT_PENALTY = "EXIT_PENALTY"
    AUTO_RENEWAL = "AUTO_RENEWAL"
    RUNBOOKS_SHARED = "RUNBOOKS_SHARED"
    RUNBOOKS_VENDOR = "RUNBOOKS_VENDOR"
    TOOLING_SHARED = "TOOLING_SHARED"
    TOOLING_VENDOR = "TOOLING_VENDOR"
    NO_KNOWLEDGE_TRANSFER = "NO_KNOWLEDGE_TRANSFER"
    NO_TRANSITION_ASSISTANCE = "NO_TRANSITION_ASSISTANCE"
    SHORT_TRANSITION_ASSISTANCE = "SHORT_TRANSITION_ASSISTANCE"
    NO_DATA_EXPORT = "NO_DATA_EXPORT"
    UNCAPPED_COST = "UNCAPPED_COST"
    OVER_BUDGET = "OVER_BUDGET"
    HIGH_VOLUME_OVER_BUDGET = "HIGH_VOLUME_OVER_BUDGET"
    HOURS_NOT_FROM_RFP = "HOURS_NOT_FROM_RFP"
    HOURS_ONLY_ESTIMATED = "HOURS_ONLY_ESTIMATED"
    CAP_BELOW_WORKLOAD = "CAP_BELOW_WORKLOAD"
    LOW_PRICE_BELOW_MEAN = "LOW_PRICE_BELOW_MEAN"
    LOW_PRICE_BELOW_NEXT = "LOW_PRICE_BELOW_NEXT"
    LOW_PRICE_BELOW_BOTH = "LOW_PRICE_BELOW_BOTH"


class TermKind(str, Enum):
    """How a UI shows a term's value: numbers in its own locale, codes through its own labels."""

    NUMBER = "NUMBER"  # a plain number (a KPI's position, a target, a count)
    PERCENT = "PERCENT"  # a number of percent (5 means 5%)
    MONTHS = "MONTHS"
    DAYS = "DAYS"
    HOURS = "HOURS"
    MONEY = "MONEY"  # an amount in currencyCode
    CODE = "CODE"  # an enum value of the schema (a metric, a unit, a comparator, a remedy type)
    CODES = "CODES"  # enum values, comma-separated
    TEXT = "TEXT"  # the vendor's own words (a unit name, a role), shown as given


class Term(Model):
    """One value a message names: its placeholder name, kind and value (a decimal string for numbers)."""

    name: str
    kind: TermKind
    value: str
    currency_code: str | None = None  # MONEY only


class Finding(Model):
    code: FindingCode
    severity: Severity
    message: str
    path: tuple[str, ...] = ()  # camelCase path into ProposalInput, e.g. ("sla", "kpis", "0")
    # The message as a code and its terms (scoring/messages.py); None on scores stored before them.
    message_code: MessageCode | None = None
    terms: tuple[Term, ...] = ()


class ExplanationCode(str, Enum):
    """Which piece of a component's explanation a part is (English templates: scoring/messages.py)."""

    SLA_SCORE = "SLA_SCORE"
    SLA_HEADLINE = "SLA_HEADLINE"
    SLA_NO_HEADLINE = "SLA_NO_HEADLINE"
    SLA_REQUIREMENTS = "SLA_REQUIREMENTS"
    SLA_ACCOUNTABILITY = "SLA_ACCOUNTABILITY"
    SLA_REPORTING = "SLA_REPORTING"
    SLA_ESCALATION = "SLA_ESCALATION"
    SLA_SUM = "SLA_SUM"
    SLA_NO_STAKE_CAP = "SLA_NO_STAKE_CAP"
    SLA_ACTIVITY_CAP = "SLA_ACTIVITY_CAP"
    LOCK_IN_EXPOSURE = "LOCK_IN_EXPOSURE"
    LOCK_IN_TERM = "LOCK_IN_TERM"
    LOCK_IN_NOTICE = "LOCK_IN_NOTICE"
    LOCK_IN_PENALTY = "LOCK_IN_PENALTY"
    LOCK_IN_NO_AUTO_RENEWAL = "LOCK_IN_NO_AUTO_RENEWAL"
    LOCK_IN_AUTO_RENEWAL = "LOCK_IN_AUTO_RENEWAL"
    LOCK_IN_RUNBOOKS = "LOCK_IN_RUNBOOKS"
    LOCK_IN_TOOLING = "LOCK_IN_TOOLING"
    LOCK_IN_KNOWLEDGE_TRANSFER = "LOCK_IN_KNOWLEDGE_TRANSFER"
    LOCK_IN_NO_KNOWLEDGE_TRANSFER = "LOCK_IN_NO_KNOWLEDGE_TRANSFER"
    LOCK_IN_TRANSITION = "LOCK_IN_TRANSITION"
    LOCK_IN_DATA_EXPORT = "LOCK_IN_DATA_EXPORT"
    LOCK_IN_NO_DATA_EXPORT = "LOCK_IN_NO_DATA_EXPORT"
    LOCK_IN_ENTERS = "LOCK_IN_ENTERS"
    EXIT_COST = "EXIT_COST"
    COST_FLAT = "COST_FLAT"
    COST_PER_UNIT = "COST_PER_UNIT"
    COST_PER_UNIT_MINIMUM = "COST_PER_UNIT_MINIMUM"
    COST_OUTCOME_BASED = "COST_OUTCOME_BASED"
    COST_CAP_PRICED = "COST_CAP_PRICED"
    COST_TIME_AND_MATERIALS = "COST_TIME_AND_MATERIALS"
    COST_ESCALATION = "COST_ESCALATION"
    COST_ONE_TIME_FEE = "COST_ONE_TIME_FEE"
    COST_WITH_EXTRAS = "COST_WITH_EXTRAS"
    COST_SCENARIOS = "COST_SCENARIOS"
    # The budget parts (scoring.budget.BUDGET_PARTS): left out of the vendor's budget-hidden view.
    AGAINST_THE_BUDGET = "AGAINST_THE_BUDGET"
    COST_BUDGET = "COST_BUDGET"
    COST_ZERO_BUDGET = "COST_ZERO_BUDGET"
    COST_RATIO = "COST_RATIO"
    COST_POINT_WORTH = "COST_POINT_WORTH"
    POINT_WORTH = "POINT_WORTH"
    POINT_WORTH_NO_COST_WEIGHT = "POINT_WORTH_NO_COST_WEIGHT"


class ExplanationPart(Model):
    """One piece of a component's explanation: the explanation is its parts' English renderings joined."""

    code: ExplanationCode
    terms: tuple[Term, ...] = ()


class ScoreComponent(Model):
    criterion: Literal["slaQuality", "lockIn", "cost"]
    value: float  # 0-100 as it enters the total, higher is better
    weight: float  # normalized
    contribution: float  # value * weight
    explanation: str
    # The explanation as parts a UI can localize (scoring/messages.py); () on scores stored before them.
    explanation_parts: tuple[ExplanationPart, ...] = ()


class ProposalScore(Model):
    total: float
    sla_quality: float
    lock_in_exposure: float
    cost_score: float
    normalized_monthly_cost: ComputedMoney
    monthly_cost_low: ComputedMoney
    monthly_cost_high: ComputedMoney
    exit_cost: ComputedMoney
    meets_requirements: bool
    findings: tuple[Finding, ...]
    components: tuple[ScoreComponent, ...]
    scoring_version: str
    # True in the vendor view of scoring/disclosure.py: the budget-dependent parts are left out.
    budget_hidden: bool = False
    # Meets the requirements AND within budget; a version-1 score read back before it is rescored has
    # none, and counts as not eligible until `rescore` brings it to the current version.
    eligible: bool = False
    # Budget-derived: what one cost-score point is worth a month near the budget (scoring.budget);
    # kept so a what-if reweigh can restate every explanation's money sentence under its weights.
    cost_point_worth: ComputedMoney | None = None


class ScoringInputError(ValueError):
    """An input the engine refuses to score (the API answers INVALID naming `path`), e.g. a per-unit
    price in minutes against a volume in tickets: multiplying them would be a silent unit error."""

    def __init__(self, path: tuple[str, ...], message: str) -> None:
        super().__init__(message)
        self.path = path


# ------------------------------------------------------------------ decimal helpers for scoring

# Every public scoring entry point runs in this context, so a caller's decimal settings (a lower
# precision, other rounding) can never change a score: bit-for-bit determinism.
DECIMAL_CONTEXT = Context(
    prec=34, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow]
)
CENT = Decimal("0.01")
POINT = Decimal("0.01")  # criterion scores are shown with 2 decimals

_P = ParamSpec("_P")
_R = TypeVar("_R")


def in_decimal_context(function: Callable[_P, _R]) -> Callable[_P, _R]:
    @functools.wraps(function)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with localcontext(DECIMAL_CONTEXT):
            return function(*args, **kwargs)

    return wrapper


def to_decimal(value: float | int) -> Decimal:
    """A float as the decimal a person typed (its shortest repr), not its binary expansion."""
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def round_money(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def round_points(points: Decimal) -> Decimal:
    return points.quantize(POINT, rounding=ROUND_HALF_UP)


def round_minor(amount: Decimal, currency_code: str) -> Decimal:
    """The amount in the currency's minor unit: fixed-point (no exponent form), never negative zero."""
    exponent = Decimal(1).scaleb(-minor_unit_places(currency_code))
    rounded = amount.quantize(exponent, rounding=ROUND_HALF_UP)
    return rounded.copy_abs() if rounded.is_zero() else rounded


def canonical_amount(amount: Decimal, currency_code: str) -> Decimal:
    """An amount as shown: at least the currency's minor-unit decimals (sub-unit prices such as 0.045
    USD a minute keep theirs), fixed-point, never negative zero."""
    places = max(minor_unit_places(currency_code), -int(amount.as_tuple().exponent))
    shown = amount.quantize(Decimal(1).scaleb(-places))
    return shown.copy_abs() if shown.is_zero() else shown


def money(amount: Decimal, currency_code: str) -> ComputedMoney:
    """An output amount, rounded to the currency's minor unit."""
    return ComputedMoney(amount=round_minor(amount, currency_code), currency_code=currency_code)
