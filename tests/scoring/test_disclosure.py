"""The vendor view of a score (scoring/disclosure.py) tells nothing of the budget."""

from __future__ import annotations

import re
from decimal import Decimal

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from scoring import FindingCode, Money, ProposalScore, ProposalTerms, RfpContext, score
from scoring.disclosure import (
    BUDGET_DEPENDENT_FINDINGS,
    BUDGET_INDEPENDENT_CRITERIA,
    BUDGET_INDEPENDENT_FINDINGS,
    KEPT_FIELDS,
    REBUILT_FIELDS,
    budget_blind,
)
from tests.scoring.strategies import (
    CURRENCY,
    amounts,
    good_support_desk,
    matched_rfps,
    proposals,
    support_desk_rfp,
)

PROPERTY = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def with_budget(rfp: RfpContext, amount: Decimal) -> RfpContext:
    return rfp.model_copy(update={"monthly_budget": Money(amount=amount, currency_code=CURRENCY)})


def mentions(text: str, amount: Decimal) -> bool:
    """Whether `text` names `amount` as a number of its own (not inside a longer number)."""
    written = {str(amount), f"{amount:.2f}", f"{amount.normalize():f}"}
    return any(re.search(rf"(?<![\d.]){re.escape(figure)}(?![\d])", text) for figure in written)


@st.composite
def one_proposal_two_budgets(draw: st.DrawFn) -> tuple[ProposalTerms, RfpContext, Decimal, Decimal]:
    terms = draw(proposals)
    rfp = draw(matched_rfps(terms))
    first, second = draw(amounts), draw(amounts)
    assume(first != second)
    return terms, rfp, first, second


@PROPERTY
@given(one_proposal_two_budgets())
def test_the_vendor_view_is_the_same_under_any_two_budgets(
    case: tuple[ProposalTerms, RfpContext, Decimal, Decimal],
) -> None:
    terms, rfp, first, second = case
    view_first = budget_blind(score(terms, with_budget(rfp, first)))
    view_second = budget_blind(score(terms, with_budget(rfp, second)))
    assert view_first == view_second


@PROPERTY
@given(one_proposal_two_budgets())
def test_the_vendor_view_names_no_budget_figure(
    case: tuple[ProposalTerms, RfpContext, Decimal, Decimal],
) -> None:
    terms, rfp, budget, other = case
    # Explanations are full of figures: only look for a budget that does not already appear, by
    # coincidence, in the view computed under another budget.
    assume(not mentions(budget_blind(score(terms, with_budget(rfp, other))).model_dump_json(), budget))
    full = score(terms, with_budget(rfp, budget))
    assume(mentions(full.model_dump_json(), budget))  # the buyer's view names it
    assert not mentions(budget_blind(full).model_dump_json(), budget)


@PROPERTY
@given(one_proposal_two_budgets())
def test_the_vendor_view_adds_up_and_keeps_the_budget_free_parts(
    case: tuple[ProposalTerms, RfpContext, Decimal, Decimal],
) -> None:
    terms, rfp, budget, _ = case
    full = score(terms, with_budget(rfp, budget))
    view = budget_blind(full)
    assert view.budget_hidden and not full.budget_hidden
    assert view.cost_score == 0
    assert view.total == sum(component.contribution for component in view.components)
    assert 0 <= view.total <= full.total
    assert {c.criterion for c in view.components} == BUDGET_INDEPENDENT_CRITERIA
    assert [f for f in full.findings if f.code not in BUDGET_DEPENDENT_FINDINGS] == list(view.findings)
    for field in KEPT_FIELDS:
        assert getattr(view, field) == getattr(full, field)


def test_an_over_budget_proposal_loses_the_finding_and_the_cost_words() -> None:
    rfp = with_budget(support_desk_rfp(), Decimal("12345.67"))
    full = score(good_support_desk(), rfp)
    assert FindingCode.OVER_BUDGET in {f.code for f in full.findings}
    assert "12345.67" in full.model_dump_json()
    view = budget_blind(full)
    assert FindingCode.OVER_BUDGET not in {f.code for f in view.findings}
    assert "12345.67" not in view.model_dump_json()
    assert "budget" not in " ".join(c.explanation for c in view.components).lower()


def test_every_finding_code_and_score_field_is_classified() -> None:
    # A code or field the engine adds must be classified before vendors see it (unknown codes are
    # already left out of the vendor view; this makes the omission a decision).
    assert set(FindingCode) == BUDGET_INDEPENDENT_FINDINGS | BUDGET_DEPENDENT_FINDINGS
    assert not BUDGET_INDEPENDENT_FINDINGS & BUDGET_DEPENDENT_FINDINGS
    assert set(ProposalScore.model_fields) <= KEPT_FIELDS | REBUILT_FIELDS
