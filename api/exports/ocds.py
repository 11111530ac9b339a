"""OCDS 1.1: a release package with one release for the RFP, so procurement systems can import it.

    tender        the RFP: title, scope, status, budget, deadline, number of tenderers
    parties       the buyer (role buyer), each bidding vendor (tenderer; supplier when awarded)
    bids.details  one bid per ranked proposal, in rank order (bid extension)
    awards        the awarded proposal, once the RFP is AWARDED

OCDS values are totals, so money here is a monthly figure times the RFP's evaluation months: the
budget for `tender.value`, the normalized monthly cost for a bid's and the award's `value`. Amounts are
written as exact JSON numbers from their Decimals. Bids and parties stream from two passes over the
rows; `awards` follows the bids (key order carries no meaning in JSON) so the awarded row is known.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from api.exports.chunks import chunked
from api.exports.columns import amount_text
from api.exports.rows import ExportRow, Progress, RowSource
from market.records import ClarificationRecord, OrganizationRecord, RfpRecord
from market.vocabulary import ProposalStatus, RfpStatus
from schema.common import to_global_id

OCID_PREFIX = "ocds-rfpm-"
BID_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json"
)
# tender.enquiries: the published (answered, anonymized) clarifications.
ENQUIRY_EXTENSION = "https://raw.githubusercontent.com/open-contracting-extensions/ocds_enquiry_extension/v1.1.5/extension.json"
TENDER_STATUS = {
    RfpStatus.DRAFT: "planning",
    RfpStatus.OPEN: "active",
    RfpStatus.CLOSED: "active",  # closed for bids, still being evaluated
    RfpStatus.AWARDED: "complete",
    RfpStatus.CANCELLED: "cancelled",
}
# A REJECTED proposal lost to the award; it was a valid bid, not a disqualified one.
BID_STATUS = {
    ProposalStatus.SUBMITTED: "pending",
    ProposalStatus.SHORTLISTED: "valid",
    ProposalStatus.AWARDED: "valid",
    ProposalStatus.REJECTED: "valid",
}


@dataclass(frozen=True)
class OcdsContext:
    uri: str  # where the package is published
    published: datetime
    buyer: OrganizationRecord
    enquiries: tuple[ClarificationRecord, ...] = ()  # published ones only: OCDS data is public


def package_uri(rfp_id: str, public_base_url: str | None = None) -> str:
    """Where the package is published: under the configured public URL, else a URN. Never built from
    the request's Host header, which any client sets to whatever it likes."""
    name = f"exports/rfps/{to_global_id('Rfp', rfp_id)}/ocds.json"
    if public_base_url:
        return f"{public_base_url.rstrip('/')}/{name}"
    return "urn:rfpmarket:" + name.replace("/", ":")


def ocid(rfp: RfpRecord) -> str:
    return OCID_PREFIX + rfp.id


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _with_value(fields: dict[str, Any], monthly: Decimal, months: int, currency: str) -> str:
    """`fields` as JSON with a `value` member whose amount is an exact number, not a float or a string."""
    amount = amount_text(monthly * months)
    return f'{_dumps(fields)[:-1]}, "value": {{"amount": {amount}, "currency": {_dumps(currency)}}}}}'


def _release_date(rfp: RfpRecord) -> datetime:
    # Every change to the RFP sets updatedAt (its audit events live in their own collection).
    return rfp.updated_at or rfp.created_at


def _awarded_at(rfp: RfpRecord) -> datetime:
    return _release_date(rfp)  # an awarded RFP changes no more


def _amendments(rfp: RfpRecord) -> list[dict[str, Any]]:
    """OCDS 1.1 tender.amendments: one per addendum, what changed named in `rationale`."""
    return [
        {
            "id": f"{ocid(rfp)}-amendment-{addendum.number}",
            "date": addendum.at.isoformat(),
            "description": addendum.summary,
            "rationale": "changed: " + ", ".join(addendum.changed_fields),
        }
        for addendum in rfp.addenda
    ]


def _enquiries(enquiries: tuple[ClarificationRecord, ...]) -> list[dict[str, Any]]:
    """The enquiry extension's tender.enquiries, without the asker (bidders stay anonymous)."""
    return [
        {
            "id": to_global_id("Clarification", enquiry.id),
            "date": enquiry.asked_at.isoformat(),
            "description": enquiry.question,
            "answer": enquiry.answer,
            **({"dateAnswered": enquiry.answered_at.isoformat()} if enquiry.answered_at else {}),
        }
        for enquiry in enquiries
    ]


def _tender(rfp: RfpRecord, tenderers: int, enquiries: tuple[ClarificationRecord, ...] = ()) -> str:
    context = rfp.context
    weights = context.weights.normalized()
    fields = {
        "id": to_global_id("Rfp", rfp.id),
        "title": rfp.title,
        "description": rfp.scope,
        "status": TENDER_STATUS[rfp.status],
        "procurementMethod": "open",
        "mainProcurementCategory": "services",
        "awardCriteria": "ratedCriteria",
        "awardCriteriaDetails": (
            f"weighted total of SLA quality ({weights.sla_quality:.0%}), lock-in exposure"
            f" ({weights.lock_in:.0%}) and cost ({weights.cost:.0%}); proposals meeting every"
            " requirement rank first"
        ),
        "tenderPeriod": {"endDate": rfp.submission_deadline.isoformat()},
        "numberOfTenderers": tenderers,
    }
    if rfp.addenda:
        fields["amendments"] = _amendments(rfp)
    if enquiries:
        fields["hasEnquiries"] = True
        fields["enquiries"] = _enquiries(enquiries)
    budget = context.monthly_budget
    return _with_value(fields, budget.amount, context.evaluation_months, budget.currency_code)


def _package_head(rfp: RfpRecord, context: OcdsContext, tenderers: int) -> str:
    """The package and the release up to the opening of `parties`, as JSON text."""
    tag = "award" if rfp.status is RfpStatus.AWARDED else "tender"
    released = _release_date(rfp)
    package = {
        "uri": context.uri,
        "version": "1.1",
        "extensions": [BID_EXTENSION, ENQUIRY_EXTENSION] if context.enquiries else [BID_EXTENSION],
        "publishedDate": context.published.isoformat(),
        "publisher": {"name": "rfpmarket"},
    }
    release = {
        "ocid": ocid(rfp),
        "id": f"{ocid(rfp)}-{tag}-{released:%Y%m%dT%H%M%SZ}",
        "date": released.isoformat(),
        "tag": [tag],
        "initiationType": "tender",
        "language": "en",
        "buyer": {"id": to_global_id("Organization", context.buyer.id), "name": context.buyer.name},
    }
    tender = _tender(rfp, tenderers, context.enquiries)
    return f'{_dumps(package)[:-1]}, "releases": [{_dumps(release)[:-1]}, "tender": {tender}'


def _party(row: ExportRow) -> dict[str, Any]:
    roles = ["tenderer", "supplier"] if row.status is ProposalStatus.AWARDED else ["tenderer"]
    return {"id": row.vendor_id, "name": row.vendor, "roles": roles}


def _bid(row: ExportRow, months: int) -> str:
    fields = {
        "id": row.proposal_id,
        "date": row.submitted_at.isoformat(),
        "status": BID_STATUS[row.status],
        "tenderers": [{"id": row.vendor_id, "name": row.vendor}],
    }
    cost = row.score.normalized_monthly_cost
    return _with_value(fields, cost.amount, months, cost.currency_code)


def _award(rfp: RfpRecord, row: ExportRow) -> str:
    fields = {
        "id": f"{ocid(rfp)}-award",
        "status": "active",
        "date": _awarded_at(rfp).isoformat(),
        "suppliers": [{"id": row.vendor_id, "name": row.vendor}],
        "relatedBids": [row.proposal_id],
    }
    cost = row.score.normalized_monthly_cost
    return _with_value(fields, cost.amount, rfp.context.evaluation_months, cost.currency_code)


def ocds_chunks(source: RowSource, progress: Progress, context: OcdsContext) -> AsyncIterator[bytes]:
    return chunked(_ocds_text(source, progress, context))


async def _ocds_text(source: RowSource, progress: Progress, context: OcdsContext) -> AsyncIterator[str]:
    rfp = source.rfp
    buyer = {
        "id": to_global_id("Organization", context.buyer.id),
        "name": context.buyer.name,
        "roles": ["buyer"],
    }
    yield f'{_package_head(rfp, context, source.plan.ranked)}, "parties": [{_dumps(buyer)}'
    async for row in source.rows():
        yield f",\n{_dumps(_party(row))}"
    yield '], "bids": {"details": ['
    separator, awarded = "\n", None
    async for row in source.rows(progress):
        yield separator + _bid(row, rfp.context.evaluation_months)
        separator = ",\n"
        awarded = row if row.status is ProposalStatus.AWARDED else awarded
    awards = f', "awards": [{_award(rfp, awarded)}]' if awarded is not None else ""
    yield f"\n]}}{awards}}}]}}\n"
