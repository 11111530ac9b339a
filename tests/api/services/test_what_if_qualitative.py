"""What-if weights cover the qualitative criteria (issue 17, follow-up): rankedProposals
(qualitativeWeights:), rankStability and the exports (qualitativeWeight=<id>:<weight>) re-weigh
them; the whole set must sum to 1; a what-if cursor is bound to the whole set. With the abuse cases
(a careless client's weights, a competitor vendor and an anonymous caller trying what-ifs)."""

from __future__ import annotations

import csv
import io
from typing import Any

from tests.api.services.test_evaluation import CONSENSUS, Team, team_tender
from tests.conftest import Api, Clock
from tests.helpers import rfp_mutation

RANKED = (
    "query($id: ID!, $w: ScoringWeightsInput, $q: [QualitativeWeightInput!], $first: Int, "
    "$after: String) { rfp(id: $id) { rankedProposals(first: $first, after: $after, weights: $w, "
    "qualitativeWeights: $q) { rankStability pageInfo { endCursor } edges { overallTotal node { id } "
    "score { total } } } } }"
)
WHY = "Agreed after discussing the evidence at length."


async def _evaluated(api: Api, clock: Clock) -> Team:
    """acme is best on the transition plan (5/5, references 0/10), bolt on references (0/5, 10/10);
    consensus complete for both."""
    team = await team_tender(api)
    for vendor in ("acme", "bolt"):
        await team.declare("eva", vendor)
    marks = {"acme": (5, 0), "bolt": (0, 10)}
    for vendor, scores in marks.items():
        for criterion, score in enumerate(scores):
            assert (await team.score("eva", vendor, score, WHY, c=criterion))["userErrors"] == []
    clock.advance(days=15)
    assert (await rfp_mutation(api, "openConsensus", team.rfp_id, team.keys["lead"]))["userErrors"] == []
    for vendor, scores in marks.items():
        for criterion, score in enumerate(scores):
            agreed = {
                "proposalId": team.proposals[vendor],
                "criterionId": team.criteria[criterion],
                "score": score,
                "reason": WHY,
            }
            assert (await team.run(CONSENSUS, agreed, "lead"))["userErrors"] == []
    return team


async def _ranked(api: Api, team: Team, who: str = "lead", **variables: Any) -> Any:
    return await api(RANKED, {"id": team.rfp_id, **variables}, team.keys[who] if who else None)


def _q(team: Team, plan: float, references: float) -> list[dict[str, Any]]:
    return [
        {"criterionId": team.criteria[0], "weight": plan},
        {"criterionId": team.criteria[1], "weight": references},
    ]


async def test_what_if_qualitative_weights_reorder_and_retotal(api: Api, clock: Clock) -> None:
    team = await _evaluated(api, clock)
    computed = {"slaQuality": 0.2, "lockIn": 0.1, "cost": 0.2}  # + 0.5 = 1
    plan_heavy = (await _ranked(api, team, w=computed, q=_q(team, 0.5, 0)))["data"]["rfp"]["rankedProposals"]
    refs_heavy = (await _ranked(api, team, w=computed, q=_q(team, 0, 0.5)))["data"]["rfp"]["rankedProposals"]
    assert [e["node"]["id"] for e in plan_heavy["edges"]] == [team.proposals["acme"], team.proposals["bolt"]]
    assert [e["node"]["id"] for e in refs_heavy["edges"]] == [team.proposals["bolt"], team.proposals["acme"]]
    acme = plan_heavy["edges"][0]
    assert acme["overallTotal"] == round(acme["score"]["total"] * 0.5 + 0.5 * 100, 4)
    bolt = refs_heavy["edges"][0]
    assert bolt["overallTotal"] == round(bolt["score"]["total"] * 0.5 + 0.5 * 100, 4)
    # Without `weights`, the RFP's computed weights (0.7 together) take the rest: 0.3 here.
    only_q = (await _ranked(api, team, q=_q(team, 0.3, 0)))["data"]["rfp"]["rankedProposals"]["edges"]
    assert only_q[0]["node"]["id"] == team.proposals["acme"]
    # Rank stability draws around the what-if set: a 0.5 lead on the plan keeps acme first.
    assert plan_heavy["rankStability"] == 1.0
    # Nothing was stored: the RFP's own criteria weights are unchanged.
    found = await api.data(
        "query($id: ID!) { rfp(id: $id) { qualitativeCriteria { weight } } }",
        {"id": team.rfp_id},
        team.keys["lead"],
    )
    assert [c["weight"] for c in found["rfp"]["qualitativeCriteria"]] == [0.2, 0.1]


async def test_what_if_cursors_are_bound_to_the_whole_weight_set(api: Api, clock: Clock) -> None:
    team = await _evaluated(api, clock)
    computed = {"slaQuality": 0.2, "lockIn": 0.1, "cost": 0.2}
    first = await _ranked(api, team, w=computed, q=_q(team, 0.5, 0), first=1)
    cursor = first["data"]["rfp"]["rankedProposals"]["pageInfo"]["endCursor"]
    same = await _ranked(api, team, w=computed, q=_q(team, 0.5, 0), first=1, after=cursor)
    assert [e["node"]["id"] for e in same["data"]["rfp"]["rankedProposals"]["edges"]] == [
        team.proposals["bolt"]
    ]
    # The same computed weights but other qualitative ones, or the RFP's own: the client restarts.
    others: list[dict[str, Any]] = [{"q": _q(team, 0.25, 0.25)}, {}]
    for other in others:
        stale = await _ranked(api, team, w=computed, first=1, after=cursor, **other)
        assert [e["extensions"]["code"] for e in stale["errors"]] == ["STALE_CURSOR"], stale


async def test_careless_qualitative_weights_are_refused_by_name(api: Api, clock: Clock) -> None:
    team = await _evaluated(api, clock)
    careless: list[dict[str, Any]] = [
        {"q": _q(team, 0.5, 0.5)},  # 0.7 + 1.0
        {"q": _q(team, 0.2, 0.2), "w": {"slaQuality": 0.2, "lockIn": 0.1, "cost": 0.2}},  # 0.9
        {"q": [{"criterionId": team.proposals["acme"], "weight": 0.2}]},
        {"q": [{"criterionId": "not-an-id", "weight": 0.2}]},
        {
            "q": [
                {"criterionId": team.criteria[0], "weight": 0.1},
                {"criterionId": team.criteria[0], "weight": 0.1},
            ]
        },
        {"q": [{"criterionId": team.criteria[0], "weight": -0.1}]},
    ]
    for variables in careless:
        body = await _ranked(api, team, **variables)
        assert body["data"]["rfp"] is not None  # only the field fails
        assert [(e["extensions"]["code"], e["extensions"]["field"]) for e in body["errors"]] == [
            ("BAD_USER_INPUT", ["qualitativeWeights"])
        ], (variables, body)


async def test_competitors_and_anonymous_callers_learn_nothing_from_what_ifs(api: Api, clock: Clock) -> None:
    team = await _evaluated(api, clock)
    for who in ("bolt", None):
        body = await _ranked(api, team, who=who or "", q=_q(team, 0.3, 0))
        ranked = (body.get("data") or {}).get("rfp")
        assert ranked is None or ranked["rankedProposals"]["edges"] == [], body


async def test_exports_take_what_if_qualitative_weights(api: Api, clock: Clock) -> None:
    team = await _evaluated(api, clock)

    async def ranking(*params: tuple[str, str]) -> Any:
        return await api.client.get(
            f"/exports/rfps/{team.rfp_id}/ranking.csv",
            headers={"Authorization": f"Bearer {team.keys['lead']}"},
            params=list(params),
        )

    weights = (("slaQuality", "0.2"), ("lockIn", "0.1"), ("cost", "0.2"))
    for plan, refs, winner in (("0.5", "0", "acme"), ("0", "0.5", "bolt")):
        q = (
            ("qualitativeWeight", f"{team.criteria[0]}:{plan}"),
            ("qualitativeWeight", f"{team.criteria[1]}:{refs}"),
        )
        response = await ranking(*weights, *q)
        assert response.status_code == 200, response.text
        assert "what-if" in response.headers["content-disposition"]
        rows = list(csv.reader(io.StringIO(response.text)))
        assert rows[1][1] == team.proposals[winner]
    for bad in (f"{team.criteria[0]}:0.9", "nonsense", f"{team.criteria[0]}:x"):
        response = await ranking(("qualitativeWeight", bad))
        assert response.status_code == 400
        assert response.json()["errors"][0]["extensions"] == {
            "code": "BAD_USER_INPUT",
            "field": ["qualitativeWeight"],
        }
