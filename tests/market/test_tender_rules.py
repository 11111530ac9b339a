"""Pure rules of issue 16, without a database: who sees clarifications and debriefs, which
amendments rescore or ask for confirmation, and how a deadline may move."""

from __future__ import annotations

import dataclasses

from market import addenda, visibility
from market.records import ClarificationRecord
from market.vocabulary import ClarificationStatus, ProposalStatus, RfpStatus
from tests.market.test_visibility_table import (
    AFTER,
    BEFORE,
    COMPETITOR,
    NOW,
    PROPOSAL,
    VENDOR,
    VIEWERS,
    rfp,
    who,
)


def clarification(status: ClarificationStatus, asker: str | None = VENDOR.id) -> ClarificationRecord:
    return ClarificationRecord("c1", "r1", asker, "q", None, status, BEFORE, None)


def test_clarifications_the_buyer_all_others_the_published_and_their_own() -> None:
    open_rfp = rfp(RfpStatus.OPEN)
    signed_in = set(VIEWERS) - {"anon"}
    answered = clarification(ClarificationStatus.ANSWERED)
    assert who(lambda v: visibility.sees_clarification(v, open_rfp, answered)) == signed_in
    for status in (ClarificationStatus.ASKED, ClarificationStatus.DECLINED):
        pending = clarification(status)
        assert who(lambda v, c=pending: visibility.sees_clarification(v, open_rfp, c)) == {"buyer", "vendor"}
    # A draft's clarifications (none can exist) would be the buyer's, like the draft itself.
    assert who(lambda v: visibility.sees_clarification(v, rfp(RfpStatus.DRAFT), answered)) == {"buyer"}
    # Only the asker is told it asked; the buyer learns who through askedBy, vendors never.
    assert who(lambda v: visibility.sees_asker(v, answered)) == {"vendor"}
    assert who(lambda v: visibility.sees_asker(v, clarification(ClarificationStatus.ANSWERED, None))) == set()


def test_questions_close_at_the_enquiry_deadline_or_else_the_submission_deadline() -> None:
    assert rfp(RfpStatus.OPEN).accepts_questions(NOW)
    assert not dataclasses.replace(rfp(RfpStatus.OPEN), enquiry_deadline=BEFORE).accepts_questions(NOW)
    assert dataclasses.replace(rfp(RfpStatus.OPEN), enquiry_deadline=AFTER).accepts_questions(NOW)
    assert not rfp(RfpStatus.CLOSED).accepts_questions(NOW)


def test_debriefs_are_the_tenderers_and_the_buyers_once_awarded() -> None:
    rejected = dataclasses.replace(PROPOSAL, status=ProposalStatus.REJECTED)
    awarded = rfp(RfpStatus.AWARDED)
    assert who(lambda v: visibility.sees_debrief(v, rejected, awarded)) == {"buyer", "vendor"}
    withheld = dataclasses.replace(awarded, debriefs_published=False)
    assert who(lambda v: visibility.sees_debrief(v, rejected, withheld)) == {"buyer"}
    assert who(lambda v: visibility.sees_debrief(v, rejected, rfp(RfpStatus.CLOSED))) == set()
    withdrawn = dataclasses.replace(PROPOSAL, status=ProposalStatus.WITHDRAWN)
    assert who(lambda v: visibility.sees_debrief(v, withdrawn, awarded)) == set()
    assert who(lambda v: visibility.sees_winner(v, awarded)) == {"buyer"}
    published = dataclasses.replace(awarded, award_published=True)
    assert who(lambda v: visibility.sees_winner(v, published)) == set(VIEWERS) - {"anon"}
    assert COMPETITOR.id != PROPOSAL.vendor_id


def test_which_amendments_rescore_and_which_ask_for_confirmation() -> None:
    assert addenda.rescores(["weights.cost"]) and not addenda.asks_confirmation(["weights.cost"])
    assert addenda.rescores(["monthlyBudget.amount"]) and not addenda.asks_confirmation(
        ["monthlyBudget.amount"]
    )
    for path in ("volume.expected", "requirements.0.target", "evaluationMonths", "expectedHoursPerMonth"):
        assert addenda.rescores([path]) and addenda.asks_confirmation([path])
    for path in ("scope", "submissionDeadline"):
        assert not addenda.rescores([path]) and not addenda.asks_confirmation([path])


def test_a_deadline_moves_later_never_earlier() -> None:
    assert addenda.deadline_move_error(NOW, AFTER) is None
    assert addenda.deadline_move_error(NOW, BEFORE) is not None
