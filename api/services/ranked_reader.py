"""The one reader of rankings, shared by GraphQL (services/ranking.py) and the exports
(exports/rows.py): the stored order (the indexed key, scoring.ranking_sort_key's encoding), the what-if
order (the same sort key under other weights), and the low-price rule a ranked score carries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

import scoring
from api.store.document import Document
from api.store.rankings import entry_order
from market.records import RfpRecord
from scoring.model import Finding, ProposalScore, Weights
from scoring.qualitative import JoinedCandidate, JoinedTotal, QualitativePart, joined_total
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


# ------------------------------------------------------------------------------ qualitative criteria

Consensus = Mapping[tuple[str, str], float]  # (proposal id, criterion id) -> consensus score


def qualitative_parts(rfp: RfpRecord, consensus: Consensus, proposal_id: str) -> list[QualitativePart]:
    return [
        QualitativePart(c.weight, c.scale_max, consensus.get((proposal_id, c.id)))
        for c in rfp.qualitative_criteria
    ]


def joined_order(
    entries: Iterable[Document], weights: Weights, rfp: RfpRecord, consensus: Consensus
) -> list[tuple[Document, JoinedTotal]]:
    """An RFP with qualitative criteria ranks by the overall total (scoring.qualitative): the gates
    first (eligible, requirements met) as always, then proposals whose consensus is complete before
    those still being evaluated (an award rests on a complete record), then the overall total, then
    the computed order (its tie-breaks)."""
    joined = [
        (
            entry,
            joined_total(
                scoring.total_under(tuple(entry["values"]), weights),
                qualitative_parts(rfp, consensus, str(entry["_id"])),
            ),
        )
        for entry in entries
    ]

    def key(item: tuple[Document, JoinedTotal]) -> tuple[Any, ...]:
        entry, total = item
        order = entry_order(entry, weights)
        return (order[0], order[1], not total.complete, -total.total, order)

    return sorted(joined, key=key)


def joined_candidates(
    entries: Iterable[Document], rfp: RfpRecord, consensus: Consensus
) -> list[JoinedCandidate]:
    """Each live entry as joined rank stability sees it (scoring.qualitative)."""
    candidates = []
    for entry in entries:
        parts = qualitative_parts(rfp, consensus, str(entry["_id"]))
        levels = tuple(100 * (p.consensus or 0) / p.scale_max for p in parts)
        gate = scoring.gate_of(bool(entry.get("eligible", 0)), bool(entry["meets"]))
        values = (*(float(v) for v in entry["values"][:3]), *levels)
        candidates.append(JoinedCandidate(gate, all(p.consensus is not None for p in parts), values))
    return candidates


def joined_weights(weights: Weights, rfp: RfpRecord) -> list[float]:
    """The computed weights (normalized) scaled to their share, then the qualitative weights."""
    share = 1 - sum(c.weight for c in rfp.qualitative_criteria)
    normalized = weights.normalized()
    computed = [normalized.sla_quality * share, normalized.lock_in * share, normalized.cost * share]
    return [*computed, *(c.weight for c in rfp.qualitative_criteria)]
