"""Exports of an RFP with qualitative criteria (issue 17): the overall total, the completeness mark
and the consensus per criterion after the computed columns (CSV, JSON, XLSX), the evaluator scores
and justifications sheet (XLSX), the qualitative criteria in OCDS awardCriteriaDetails; in the
order rankedProposals gives. Evaluators never export."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import openpyxl

from tests.api.services.test_evaluation import CONSENSUS, Team, team_tender
from tests.conftest import Api, Clock
from tests.helpers import rfp_mutation

RANKED = "query($id: ID!) { rfp(id: $id) { rankedProposals { edges { node { id } overallTotal } } } }"


async def _evaluated(api: Api, clock: Clock) -> Team:
    """acme scored by two evaluators who disagree, consensus recorded on both criteria; bolt none."""
    team = await team_tender(api)
    for who in ("eva", "evan"):
        await team.declare(who, "acme")
    await team.score("eva", "acme", 5, "Named staff, a 60-day plan, proven twice.")
    await team.score("evan", "acme", 2, "Plan is generic; no incumbent handover.")
    await team.score("eva", "acme", 8, "Three comparable clients.", c=1)
    clock.advance(days=15)
    await rfp_mutation(api, "openConsensus", team.rfp_id, team.keys["lead"])
    for criterion, score in ((0, 4), (1, 8)):
        agreed = {
            "proposalId": team.proposals["acme"],
            "criterionId": team.criteria[criterion],
            "score": score,
            "reason": "Agreed after discussion.",
        }
        assert (await team.run(CONSENSUS, agreed, "lead"))["userErrors"] == []
    return team


async def _get(api: Api, team: Team, name: str, who: str = "lead") -> Any:
    return await api.client.get(
        f"/exports/rfps/{team.rfp_id}/{name}", headers={"Authorization": f"Bearer {team.keys[who]}"}
    )


async def test_exports_carry_the_qualitative_criteria(api: Api, clock: Clock) -> None:
    team = await _evaluated(api, clock)
    ranked = (await api.data(RANKED, {"id": team.rfp_id}, team.keys["lead"]))["rfp"]["rankedProposals"][
        "edges"
    ]
    order = [edge["node"]["id"] for edge in ranked]
    assert order[0] == team.proposals["acme"]  # complete consensus first

    rows = list(csv.reader(io.StringIO((await _get(api, team, "ranking.csv")).text)))
    header = rows[0]
    assert header[-4:] == [
        "overall_total",
        "evaluation_complete",
        "consensus: Transition plan",
        "consensus: References",
    ]
    assert header.index("overall_total") > header.index("needs_confirmation")  # after the computed ones
    assert [row[1] for row in rows[1:]] == order
    assert rows[1][-3:] == ["true", "4.0", "8.0"] and rows[2][-3:] == ["false", "", ""]
    assert float(rows[1][-4]) == ranked[0]["overallTotal"]

    body = json.loads((await _get(api, team, "ranking.json")).text)
    assert [c["name"] for c in body["qualitative_criteria"]] == ["Transition plan", "References"]
    first = body["proposals"][0]
    assert (first["evaluation_complete"], first["consensus"]) == (True, [4, 8])
    assert first["overall_total"] == ranked[0]["overallTotal"]

    book = openpyxl.load_workbook(io.BytesIO((await _get(api, team, "ranking.xlsx")).content))
    assert "Evaluations" in book.sheetnames
    evaluations = [list(row) for row in book["Evaluations"].iter_rows(values_only=True)]
    assert evaluations[0][:5] == ["proposal_id", "criterion", "evaluator", "score", "justification"]
    assert {(row[1], row[2], row[3]) for row in evaluations[1:]} == {
        ("Transition plan", "Eva", 5),
        ("Transition plan", "Evan", 2),
        ("References", "Eva", 8),
    }
    ranking = [list(row) for row in book["Ranking"].iter_rows(values_only=True)]
    assert ranking[0][-1] == "consensus: References" and ranking[1][-1] == 8

    ocds = json.loads((await _get(api, team, "ocds.json")).text)
    details = ocds["releases"][0]["tender"]["awardCriteriaDetails"]
    assert "Transition plan (20%, scored 0-5)" in details and "References (10%, scored 0-10)" in details


async def test_evaluators_never_export(api: Api, clock: Clock) -> None:
    team = await _evaluated(api, clock)
    assert (await _get(api, team, "ranking.csv", "eva")).status_code == 404
    assert (await _get(api, team, "ranking.xlsx", "evan")).status_code == 404
    assert (await _get(api, team, "ranking.csv", "obs")).status_code == 200
