"""The evaluation team's documents: qualitative criteria and conflict declarations kept in their RFP
(short lists), and two collections, `evaluations` (one per evaluator, proposal and criterion) and
`consensus` (one per proposal and criterion); one constructor and one record function for each."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bson import ObjectId

from api.store.document import Document
from market.records import (
    ConsensusRecord,
    DeclarationRecord,
    EvaluationRecord,
    QualitativeCriterionRecord,
)


def new_criterion_entry(
    name: str, description: str, scale_max: int, weight: float, guidance: tuple[str, ...]
) -> Document:
    return {
        "id": ObjectId(),
        "name": name,
        "description": description,
        "scaleMax": scale_max,
        "weight": weight,
        "guidance": list(guidance),
    }


def criterion_record(entry: Document) -> QualitativeCriterionRecord:
    return QualitativeCriterionRecord(
        id=str(entry["id"]),
        name=entry["name"],
        description=entry["description"],
        scale_max=entry["scaleMax"],
        weight=entry["weight"],
        guidance=tuple(entry.get("guidance", ())),
    )


def new_declaration_entry(
    member_id: str, vendor_id: ObjectId, conflict: bool, note: str | None, now: datetime
) -> Document:
    return {
        "memberId": ObjectId(member_id),
        "vendorId": vendor_id,
        "conflict": conflict,
        "note": note,
        "at": now,
    }


def declaration_record(entry: Document) -> DeclarationRecord:
    return DeclarationRecord(
        member_id=str(entry["memberId"]),
        vendor_id=str(entry["vendorId"]),
        conflict=entry["conflict"],
        note=entry.get("note"),
        at=entry["at"],
    )


def evaluation_fields(rfp_doc: Document) -> dict[str, Any]:
    """The RfpRecord fields of the evaluation team, from the RFP's document."""
    return {
        "qualitative_criteria": tuple(criterion_record(e) for e in rfp_doc.get("qualitativeCriteria", ())),
        "evaluator_ids": tuple(str(oid) for oid in rfp_doc.get("evaluatorIds", ())),
        "declarations": tuple(declaration_record(e) for e in rfp_doc.get("declarations", ())),
        "consensus_open": rfp_doc.get("consensusOpen", False),
    }


def evaluation_filter(proposal_id: ObjectId, criterion_id: ObjectId, member_id: str) -> Document:
    return {"proposalId": proposal_id, "criterionId": criterion_id, "memberId": ObjectId(member_id)}


def new_evaluation_fields(rfp_id: str, score: float, justification: str, now: datetime) -> Document:
    """What an evaluation's upsert sets (evaluation_filter names the rest)."""
    return {"rfpId": ObjectId(rfp_id), "score": score, "justification": justification, "at": now}


def evaluation_record(doc: Document) -> EvaluationRecord:
    return EvaluationRecord(
        id=str(doc["_id"]),
        rfp_id=str(doc["rfpId"]),
        proposal_id=str(doc["proposalId"]),
        criterion_id=str(doc["criterionId"]),
        member_id=str(doc["memberId"]),
        score=doc["score"],
        justification=doc["justification"],
        at=doc["at"],
    )


def new_consensus_fields(
    rfp_id: str, score: float, reason: str, mean: float, spread: float, now: datetime
) -> Document:
    return {
        "rfpId": ObjectId(rfp_id),
        "score": score,
        "reason": reason,
        "mean": mean,
        "spread": spread,
        "at": now,
    }


def consensus_record(doc: Document) -> ConsensusRecord:
    return ConsensusRecord(
        proposal_id=str(doc["proposalId"]),
        criterion_id=str(doc["criterionId"]),
        score=doc["score"],
        reason=doc["reason"],
        rfp_id=str(doc["rfpId"]),
        mean=doc["mean"],
        spread=doc["spread"],
        at=doc["at"],
    )
