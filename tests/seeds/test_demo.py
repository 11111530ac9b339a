"""The demo data validates as the API would validate it, and covers what the demo is meant to show."""

from __future__ import annotations

import copy
import statistics
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from scoring import check_currency
from scoring.model import (
    Comparator,
    KpiMetric,
    KpiUnit,
    OutcomeBasedPricing,
    PerUnitPricing,
    ProposalTerms,
    RfpContext,
    TimeAndMaterialsPricing,
)
from seeds.demo import (
    PRIMER_RFP_KEY,
    PRIMER_VENDOR_KEY,
    DemoRfp,
    demo_organizations,
    demo_rfps,
)

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
CONTEXT_FIELDS = (
    "currencyCode",
    "evaluationMonths",
    "volume",
    "expectedHoursPerMonth",
    "expectedOutcomesPerMonth",
    "requirements",
    "weights",
    "monthlyBudget",
)
CREATE_RFP_FIELDS = {
    "title",
    "scope",
    "category",
    "currencyCode",
    "submissionDeadline",
    "evaluationMonths",
    "volume",
    "expectedHoursPerMonth",
    "expectedOutcomesPerMonth",
    "requirements",
    "weights",
    "monthlyBudget",
    "sealed",
}
PROPOSAL_FIELDS = {"summary", "sla", "pricing", "oneTimeFee", "annualEscalationPercent", "terms"}
CATEGORIES = {
    "CUSTOMER_SUPPORT",
    "IT_MANAGED_SERVICES",
    "SECURITY_OPERATIONS",
    "BOOKKEEPING",
    "QA_TESTING",
    "CONTENT_MODERATION",
    "SEO_MARKETING",
    "OTHER",
}

RFPS = demo_rfps(NOW)


def _context(rfp: DemoRfp) -> RfpContext:
    return RfpContext.model_validate({name: rfp.rfp[name] for name in CONTEXT_FIELDS})


def _terms(rfp: DemoRfp) -> list[tuple[str, ProposalTerms]]:
    return [(entry.vendor, ProposalTerms.model_validate(entry.proposal)) for entry in rfp.proposals]


def _all_terms() -> list[ProposalTerms]:
    return [terms for rfp in RFPS for _, terms in _terms(rfp)]


# ------------------------------------------------------------------------------ organizations


def test_organizations_are_unique_well_formed_and_include_buyers_and_vendors() -> None:
    organizations = demo_organizations()
    keys = [organization.key for organization in organizations]
    names = [organization.name for organization in organizations]
    assert len(set(keys)) == len(keys)
    assert len(set(names)) == len(names)
    for organization in organizations:
        assert organization.kind in {"BUYER", "VENDOR"}
        local, _, domain = organization.contact_email.partition("@")
        assert local and "." in domain
        assert 0 < len(organization.name) <= 200
    vendors = [organization for organization in organizations if organization.kind == "VENDOR"]
    assert 6 <= len(vendors) <= 8
    assert any(organization.kind == "BUYER" for organization in organizations)


def test_parties_refer_to_existing_organizations_of_the_right_kind() -> None:
    kinds = {organization.key: organization.kind for organization in demo_organizations()}
    for rfp in RFPS:
        assert kinds.get(rfp.buyer) == "BUYER", rfp.key
        vendors = [entry.vendor for entry in rfp.proposals]
        assert len(set(vendors)) == len(vendors), f"{rfp.key}: one proposal per vendor"
        for vendor in vendors:
            assert kinds.get(vendor) == "VENDOR", (rfp.key, vendor)


# ------------------------------------------------------------------------------ RFPs


def test_rfp_keys_are_unique_and_there_are_enough_across_categories() -> None:
    keys = [rfp.key for rfp in RFPS]
    assert len(set(keys)) == len(keys)
    assert len(RFPS) >= 4
    categories = {rfp.rfp["category"] for rfp in RFPS}
    assert categories <= CATEGORIES
    assert len(categories) >= 4
    assert "EUR" in {rfp.rfp["currencyCode"] for rfp in RFPS}


@pytest.mark.parametrize("rfp", RFPS, ids=lambda rfp: rfp.key)
def test_rfp_has_the_create_rfp_input_shape_and_validates(rfp: DemoRfp) -> None:
    assert set(rfp.rfp) == CREATE_RFP_FIELDS
    assert 1 <= len(rfp.rfp["title"]) <= 200
    assert 1 <= len(rfp.rfp["scope"]) <= 20_000
    assert rfp.rfp["sealed"] is False
    context = _context(rfp)
    assert context.monthly_budget.currency_code == rfp.rfp["currencyCode"]
    assert context.requirements, "every demo RFP states requirements"
    assert isinstance(rfp.rfp["monthlyBudget"]["amount"], str)


@pytest.mark.parametrize("rfp", RFPS, ids=lambda rfp: rfp.key)
def test_rfp_validates_as_the_api_create_rfp_input(rfp: DemoRfp) -> None:
    inputs = pytest.importorskip("api.services.inputs")
    draft = inputs.RfpDraft.model_validate(rfp.rfp)
    assert draft.context() == _context(rfp)


@pytest.mark.parametrize("rfp", RFPS, ids=lambda rfp: rfp.key)
def test_rfp_is_open_for_submissions(rfp: DemoRfp) -> None:
    deadline = rfp.rfp["submissionDeadline"]
    assert isinstance(deadline, datetime)
    assert deadline.utcoffset() == timedelta(0)
    assert deadline > NOW
    assert (deadline - NOW) % timedelta(days=1) == timedelta(0)


def test_deadlines_follow_now_whatever_its_offset() -> None:
    later = NOW + timedelta(days=40)
    amsterdam = later.astimezone(timezone(timedelta(hours=1)))
    for rfp, original in zip(demo_rfps(amsterdam), RFPS, strict=True):
        assert rfp.rfp["submissionDeadline"] - original.rfp["submissionDeadline"] == timedelta(days=40)
        assert rfp.rfp["submissionDeadline"].tzinfo == UTC


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        demo_rfps(datetime(2026, 3, 2, 9, 30))


def test_each_call_builds_fresh_data() -> None:
    first = demo_rfps(NOW)
    pristine = copy.deepcopy(first[0].rfp)
    first[0].rfp["requirements"].clear()
    first[0].proposals[0].proposal["sla"]["kpis"].clear()
    second = demo_rfps(NOW)
    assert second[0].rfp == pristine
    assert second[0].proposals[0].proposal["sla"]["kpis"]


@pytest.mark.parametrize("rfp", RFPS, ids=lambda rfp: rfp.key)
def test_rfp_gives_the_volumes_its_pricing_models_need(rfp: DemoRfp) -> None:
    models = {entry.proposal["pricing"]["model"] for entry in rfp.proposals}
    if "timeAndMaterials" in models:
        assert rfp.rfp["expectedHoursPerMonth"]
    if "outcomeBased" in models:
        assert rfp.rfp["expectedOutcomesPerMonth"]


# ------------------------------------------------------------------------------ proposals


@pytest.mark.parametrize("rfp", RFPS, ids=lambda rfp: rfp.key)
def test_proposals_validate_and_are_all_in_the_rfp_currency(rfp: DemoRfp) -> None:
    assert 3 <= len(rfp.proposals) <= 6
    currency = rfp.rfp["currencyCode"]
    for vendor, terms in _terms(rfp):
        check_currency(terms, currency)  # raises CurrencyMismatch, as the API would refuse it
        assert vendor


@pytest.mark.parametrize("rfp", RFPS, ids=lambda rfp: rfp.key)
def test_proposals_have_the_proposal_input_shape(rfp: DemoRfp) -> None:
    for entry in rfp.proposals:
        proposal = entry.proposal
        assert set(proposal) <= PROPOSAL_FIELDS, entry.vendor
        assert {"summary", "sla", "pricing", "terms"} <= set(proposal), entry.vendor
        assert proposal["pricing"]["model"] in {"flatMonthly", "perUnit", "outcomeBased", "timeAndMaterials"}
        money = [value for value in _money_leaves(proposal)]
        assert money and all(isinstance(value["amount"], str) for value in money), entry.vendor


def _money_leaves(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, dict):
        if set(data) == {"amount", "currencyCode"}:
            return [data]
        return [money for value in data.values() for money in _money_leaves(value)]
    if isinstance(data, list):
        return [money for value in data for money in _money_leaves(value)]
    return []


def test_every_pricing_model_and_variant_is_used() -> None:
    pricings = [terms.pricing for terms in _all_terms()]
    assert {pricing.model for pricing in pricings} == {
        "flatMonthly",
        "perUnit",
        "outcomeBased",
        "timeAndMaterials",
    }
    per_unit = [pricing for pricing in pricings if isinstance(pricing, PerUnitPricing)]
    assert any(pricing.minimum_monthly_fee is not None for pricing in per_unit)
    assert any(pricing.minimum_monthly_fee is None for pricing in per_unit)
    outcome = [pricing for pricing in pricings if isinstance(pricing, OutcomeBasedPricing)]
    assert any(pricing.base_monthly_fee is not None for pricing in outcome)
    assert any(isinstance(pricing, TimeAndMaterialsPricing) for pricing in pricings)


def test_good_and_poor_offers_are_both_represented() -> None:
    all_terms = _all_terms()
    poor = [
        terms
        for terms in all_terms
        if [kpi.metric for kpi in terms.sla.kpis] == [KpiMetric.TICKETS_CLOSED]
        and not any(kpi.remedies for kpi in terms.sla.kpis)
        and terms.terms.term_months == 36
        and terms.terms.termination_notice_days == 180
        and terms.terms.early_termination_fee_months == 6
        and terms.terms.auto_renews
        and terms.terms.runbook_ownership.value == "VENDOR"
        and terms.terms.tooling_config_ownership.value == "VENDOR"
        and not terms.terms.knowledge_transfer_clause
        and not terms.terms.data_export_on_exit
    ]
    assert poor, "one offer shows every lock-in and SLA-gaming red flag"
    good = [
        terms
        for terms in all_terms
        if terms.terms.term_months <= 12
        and terms.terms.termination_notice_days <= 90
        and terms.terms.early_termination_fee_months == 0
        and not terms.terms.auto_renews
        and terms.terms.runbook_ownership.value == "CLIENT"
        and terms.terms.knowledge_transfer_clause
        and terms.terms.data_export_on_exit
        and all(kpi.measurement_method for kpi in terms.sla.kpis)
        and all(kpi.remedies for kpi in terms.sla.kpis)
    ]
    assert len(good) >= 3


def test_some_proposal_states_a_kpi_in_minutes_against_a_requirement_in_hours() -> None:
    found = False
    for rfp in RFPS:
        context = _context(rfp)
        hour_metrics = {req.metric for req in context.requirements if req.unit == KpiUnit.HOURS}
        for _, terms in _terms(rfp):
            found = found or any(
                kpi.unit == KpiUnit.MINUTES and kpi.metric in hour_metrics for kpi in terms.sla.kpis
            )
    assert found


def _misses_a_requirement(context: RfpContext, terms: ProposalTerms) -> bool:
    scale = {KpiUnit.MINUTES: 1.0, KpiUnit.HOURS: 60.0, KpiUnit.DAYS: 1440.0}
    for requirement in context.requirements:
        offered = [kpi for kpi in terms.sla.kpis if kpi.metric == requirement.metric]
        if not offered:
            return True
        kpi = offered[0]
        if kpi.unit in scale and requirement.unit in scale:
            have, need = kpi.target * scale[kpi.unit], requirement.target * scale[requirement.unit]
        else:
            assert kpi.unit == requirement.unit
            have, need = kpi.target, requirement.target
        if (requirement.comparator == Comparator.AT_LEAST and have < need) or (
            requirement.comparator == Comparator.AT_MOST and have > need
        ):
            return True
    return False


def test_some_proposals_miss_a_requirement_and_some_meet_all() -> None:
    outcomes = [_misses_a_requirement(_context(rfp), terms) for rfp in RFPS for _, terms in _terms(rfp)]
    assert any(outcomes)
    assert not all(outcomes)
    for rfp in RFPS:
        context = _context(rfp)
        assert any(not _misses_a_requirement(context, terms) for _, terms in _terms(rfp)), rfp.key


def _typical_monthly_cost(context: RfpContext, terms: ProposalTerms) -> float:
    pricing = terms.pricing
    if isinstance(pricing, PerUnitPricing):
        cost = float(pricing.unit_price.amount) * context.volume.expected
        if pricing.minimum_monthly_fee is not None:
            cost = max(cost, float(pricing.minimum_monthly_fee.amount))
        return cost
    if isinstance(pricing, OutcomeBasedPricing):
        base = float(pricing.base_monthly_fee.amount) if pricing.base_monthly_fee else 0.0
        return base + float(pricing.fee_per_outcome.amount) * (context.expected_outcomes_per_month or 0.0)
    if isinstance(pricing, TimeAndMaterialsPricing):
        hours = context.expected_hours_per_month or 0.0
        return min(float(pricing.hourly_rate.amount) * hours, float(pricing.monthly_cap.amount))
    return float(pricing.monthly_fee.amount)


def test_an_abnormally_cheap_bid_is_present() -> None:
    cheap = False
    for rfp in RFPS:
        context = _context(rfp)
        costs = sorted(_typical_monthly_cost(context, terms) for _, terms in _terms(rfp))
        cheap = cheap or costs[0] < 0.5 * statistics.median(costs[1:])
    assert cheap


# ------------------------------------------------------------------------------ the primer example


def test_the_primer_example_is_present() -> None:
    rfp = next(rfp for rfp in RFPS if rfp.key == PRIMER_RFP_KEY)
    assert rfp.rfp["category"] == "CUSTOMER_SUPPORT"
    assert rfp.rfp["currencyCode"] == "USD"
    context = _context(rfp)
    requirements = {(req.metric, req.comparator, req.target, req.unit) for req in context.requirements}
    assert (KpiMetric.FIRST_RESPONSE_TIME, Comparator.AT_MOST, 2.0, KpiUnit.HOURS) in requirements
    assert (KpiMetric.CSAT, Comparator.AT_LEAST, 4.3, KpiUnit.SCORE_5) in requirements
    assert 14_000 <= float(context.monthly_budget.amount) <= 16_000
    assert context.volume.unit_name == "ticket"

    entry = next(entry for entry in rfp.proposals if entry.vendor == PRIMER_VENDOR_KEY)
    terms = ProposalTerms.model_validate(entry.proposal)
    assert entry.proposal["pricing"] == {
        "model": "flatMonthly",
        "monthlyFee": {"amount": "14000.00", "currencyCode": "USD"},
    }
    for phrase in ("14000.00 USD", "12 agents", "team lead", "QA", "workforce manager"):
        assert phrase in terms.summary
    kpis = {kpi.metric: kpi for kpi in terms.sla.kpis}
    csat, first_response = kpis[KpiMetric.CSAT], kpis[KpiMetric.FIRST_RESPONSE_TIME]
    assert (csat.comparator, csat.target, csat.unit) == (Comparator.AT_LEAST, 4.3, KpiUnit.SCORE_5)
    assert (first_response.comparator, first_response.target, first_response.unit) == (
        Comparator.AT_MOST,
        2.0,
        KpiUnit.HOURS,
    )
    for kpi in (csat, first_response):
        assert kpi.measurement_method
        assert any(remedy.type.value == "SERVICE_CREDIT" for remedy in kpi.remedies)
    assert terms.sla.reporting_cadence.value == "MONTHLY"
    assert terms.sla.escalation_path
    assert terms.terms.term_months == 12
    assert terms.terms.termination_notice_days == 90
    assert terms.terms.runbook_ownership.value == "CLIENT"
