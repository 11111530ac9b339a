"""The one reader of rankings, shared by GraphQL (services/ranking.py) and the exports
(exports/rows.py): the stored order (the indexed key, scoring.ranking_sort_key's encoding), the what-if
order (the same sort key under other weights), and the low-price rule a ranked score carries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal

import scoring
from api.store.document import Document
from api.store.rankings import entry_order
from market.records import RfpRecord
from scoring.model import Finding, ProposalScore, Weights
from scoring.rank import ABNORMALLY_LOW_MIN_PROPOSALS


def low_price_rule(rfp: RfpRecord) -> Callable[[Decimal], Finding | None]:
    """cost -> its ABNORMALLY_LOW_PRICE finding or None, from the running figures on the RFP."""
    digest = rfp.ranking_digest
    if digest is None or digest.total is None or digest.count < ABNORMALLY_LOW_MIN_PROPOSALS:
        return lambda cost: None
    count, total, nexts = digest.count, digest.total, digest.next_prices()
    return lambda cost: scoring.low_price_from_sums(cost, count, total, nexts.get(cost))


def score_under(score: ProposalScore, rfp: RfpRecord) -> ProposalScore:
    """A stored score under the RFP's current weights. Re-weighting switches an RFP's weights and
    ranking keys at once and leaves stored scores be (rewriting thousands would be one unbounded
    transaction, or readers seeing two versions): each read derives the total from the stored
    criteria and the weights it read with the ranking, so a page never mixes weight versions."""
    return scoring.under_weights(score, rfp.context.weights)


def with_low_price(score: ProposalScore, finding: Finding | None) -> ProposalScore:
    """The score as a ranking shows it: with its low-price finding, when it has one."""
    if finding is None:
        return score
    return score.model_copy(update={"findings": (*score.findings, finding)})


def what_if_order(entries: Iterable[Document], weights: Weights) -> list[Document]:
    """Entries in the order what-if `weights` give: scoring.ranking_sort_key from the stored criteria
    (nothing is rescored)."""
    return sorted(entries, key=lambda entry: entry_order(entry, weights))
