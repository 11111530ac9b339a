"""The evaluation team through HTTP (issue 17): qualitative criteria on createRfp, assigned
evaluators, conflict declarations, independent scoring, consensus; sealed bids; a race with the
opening of consensus; with the abuse cases (a rival buyer's evaluator, a vendor, an unassigned or
conflicted evaluator, an evaluator reaching for the lead's powers, anonymous callers)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.api.services.test_races import just_before_the_transaction
from tests.conftest import Api, Clock
from tests.helpers import (
    CREATE_RFP,
    codes,
    open_rfp,
    proposal_input,
    register,
    rfp_input,
    rfp_mutation,
    submit,
)

INVITE = "mutation($i: InviteMemberInput!) { inviteMember(input: $i) { member { id } apiKey } }"
ERRORS = "userErrors { field message code }"
ASSIGN = (
    "mutation($i: AssignEvaluatorsInput!) { assignEvaluators(input: $i) { "
    f"rfp {{ evaluators {{ name }} }} {ERRORS} }} }}"
)
DECLARE = f"mutation($i: DeclareConflictInput!) {{ declareConflict(input: $i) {{ rfp {{ id }} {ERRORS} }} }}"
EVALUATE = (
    "mutation($i: SubmitEvaluationInput!) { submitEvaluation(input: $i) { "
    f"evaluation {{ score justification evaluator {{ name }} criterion {{ name }} }} {ERRORS} }} }}"
)
CONSENSUS = (
    "mutation($i: RecordConsensusInput!) { recordConsensus(input: $i) { "
    f"consensus {{ score reason mean spread criterion {{ name }} }} {ERRORS} }} }}"
)
PROPOSAL = (
    "query($id: ID!) { node(id: $id) { ... on Proposal { id "
    "evaluations { score outlier evaluator { name } } consensus { score mean spread } } } }"
)
CRITERIA = [
    {
        "name": "Transition plan",
        "description": "How they take over from the incumbent in 60 days.",
        "scaleMax": 5,
        "weight": 0.2,
        "guidance": ["none", "vague", "partial", "sound", "detailed", "proven elsewhere"],
    },
    {"name": "References", "description": "Three comparable clients.", "scaleMax": 10, "weight": 0.1},
]
WEIGHTS = {"slaQuality": 0.3, "lockIn": 0.15, "cost": 0.25}  # + 0.2 + 0.1 = 1


@dataclass
class Team:
    api: Api
    keys: dict[str, str] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)
    rfp_id: str = ""
    proposals: dict[str, str] = field(default_factory=dict)  # vendor -> proposal id
    criteria: list[str] = field(default_factory=list)

    async def run(self, query: str, data: dict[str, Any], who: str | None) -> dict[str, Any]:
        payload: dict[str, Any] = await self.api.data(query, {"i": data}, self.keys[who] if who else None)
        return next(iter(payload.values()))

    async def declare(self, who: str, vendor: str, conflict: bool = False) -> dict[str, Any]:
        data = {"rfpId": self.rfp_id, "vendorId": self.ids[vendor], "hasConflict": conflict}
        return await self.run(DECLARE, data, who)

    async def score(
        self, who: str, vendor: str, score: float, why: str = "Solid, with named staff.", c: int = 0
    ) -> dict[str, Any]:
        data = {
            "proposalId": self.proposals[vendor],
            "criterionId": self.criteria[c],
            "score": score,
            "justification": why,
        }
        return await self.run(EVALUATE, data, who)

    async def proposal(self, who: str, vendor: str) -> Any:
        return (await self.api.data(PROPOSAL, {"id": self.proposals[vendor]}, self.keys[who]))["node"]


async def team_tender(api: Api, sealed: bool = False, assign: bool = True) -> Team:
    """A buyer with a lead, two evaluators and an observer; an RFP with two qualitative criteria;
    two vendors' proposals; both evaluators assigned."""
    team = Team(api)
    team.ids["buyer"], team.keys["buyer"] = await register(api, "BUYER", "Team Buyer")
    for who, role in (
        ("lead", "PROCUREMENT_LEAD"),
        ("eva", "EVALUATOR"),
        ("evan", "EVALUATOR"),
        ("obs", "OBSERVER"),
    ):
        data = {"name": who.title(), "email": f"{who}@team.example", "role": role}
        invited = (await api.data(INVITE, {"i": data}, team.keys["buyer"]))["inviteMember"]
        team.ids[who], team.keys[who] = invited["member"]["id"], invited["apiKey"]
    team.rfp_id = await open_rfp(
        api, team.keys["lead"], weights=WEIGHTS, qualitativeCriteria=CRITERIA, sealed=sealed
    )
    found = await api.data(
        "query($id: ID!) { rfp(id: $id) { qualitativeCriteria { id } } }",
        {"id": team.rfp_id},
        team.keys["lead"],
    )
    team.criteria = [c["id"] for c in found["rfp"]["qualitativeCriteria"]]
    for vendor, fee in (("acme", "14000.00"), ("bolt", "13000.00")):
        team.ids[vendor], team.keys[vendor] = await register(api, "VENDOR", vendor.title())
        team.proposals[vendor] = (await submit(api, team.keys[vendor], team.rfp_id, proposal_input(fee)))[
            "proposal"
        ]["id"]
    if assign:
        assigned = await team.run(
            ASSIGN, {"rfpId": team.rfp_id, "memberIds": [team.ids["eva"], team.ids["evan"]]}, "lead"
        )
        assert assigned["userErrors"] == [], assigned
    return team


async def test_qualitative_criteria_and_computed_weights_sum_to_one(api: Api, clock: Clock) -> None:
    _, buyer = await register(api, "BUYER", "Weighing Buyer")
    created = (
        await api.data(
            CREATE_RFP, {"input": rfp_input(clock(), weights=WEIGHTS, qualitativeCriteria=CRITERIA)}, buyer
        )
    )["createRfp"]
    assert created["userErrors"] == []
    too_heavy = rfp_input(clock(), qualitativeCriteria=CRITERIA)  # default weights already sum to 1
    errors = (await api.data(CREATE_RFP, {"input": too_heavy}, buyer))["createRfp"]["userErrors"]
    assert [(e["field"], e["code"]) for e in errors] == [(["input", "qualitativeCriteria"], "INVALID")]
    assert "sum to 1" in errors[0]["message"]
    careless = [CRITERIA[0] | {"scaleMax": 7}, CRITERIA[1] | {"guidance": ["too few"]}]
    errors = (
        await api.data(
            CREATE_RFP, {"input": rfp_input(clock(), weights=WEIGHTS, qualitativeCriteria=careless)}, buyer
        )
    )["createRfp"]["userErrors"]
    assert [e["field"] for e in errors] == [
        ["input", "qualitativeCriteria", "0", "scaleMax"],
        ["input", "qualitativeCriteria", "1"],
    ]
    seven = [CRITERIA[1] | {"weight": 0.01}] * 7
    errors = (await api.data(CREATE_RFP, {"input": rfp_input(clock(), qualitativeCriteria=seven)}, buyer))[
        "createRfp"
    ]["userErrors"]
    assert errors[0]["field"] == ["input", "qualitativeCriteria"]


async def test_evaluators_read_a_proposal_only_after_declaring_no_conflict(api: Api) -> None:
    team = await team_tender(api)
    assert await team.proposal("eva", "acme") is None  # not declared yet
    assert codes(await team.score("eva", "acme", 3)) == ["NOT_FOUND"]
    assert (await team.declare("eva", "acme"))["userErrors"] == []
    assert (await team.proposal("eva", "acme"))["id"] == team.proposals["acme"]
    assert await team.proposal("eva", "bolt") is None  # declared for acme only
    # A declared conflict excludes the evaluator from that proposal, for good.
    assert (await team.declare("evan", "acme", conflict=True))["userErrors"] == []
    assert await team.proposal("evan", "acme") is None
    assert codes(await team.score("evan", "acme", 3)) == ["NOT_FOUND"]
    assert codes(await team.declare("evan", "acme", conflict=False)) == ["CONFLICT"]
    # Evaluators never read the ranking nor export.
    ranked = "query($id: ID!) { rfp(id: $id) { rankedProposals { totalCount } } }"
    assert (await api.data(ranked, {"id": team.rfp_id}, team.keys["eva"]))["rfp"]["rankedProposals"][
        "totalCount"
    ] == 0


async def test_scores_are_independent_until_consensus_opens(api: Api, clock: Clock) -> None:
    team = await team_tender(api)
    for who in ("eva", "evan"):
        assert (await team.declare(who, "acme"))["userErrors"] == []
    saved = await team.score("eva", "acme", 4)
    assert saved["userErrors"] == [] and saved["evaluation"]["evaluator"]["name"] == "Eva"
    assert (await team.score("evan", "acme", 1, "Thin plan; no named staff."))["userErrors"] == []
    # Each evaluator sees only their own; the lead and the observer see both, with outliers flagged.
    assert [e["evaluator"]["name"] for e in (await team.proposal("eva", "acme"))["evaluations"]] == ["Eva"]
    assert [e["evaluator"]["name"] for e in (await team.proposal("evan", "acme"))["evaluations"]] == ["Evan"]
    seen = (await team.proposal("obs", "acme"))["evaluations"]
    assert [(e["evaluator"]["name"], e["score"], e["outlier"]) for e in seen] == [
        ("Eva", 4, True),
        ("Evan", 1, True),
    ]
    assert (await team.proposal("acme", "acme"))["evaluations"] == []  # never to the vendor
    # Consensus opens once the RFP is closed; then scores freeze and evaluators see each other's.
    assert codes(await rfp_mutation(api, "openConsensus", team.rfp_id, team.keys["lead"])) == [
        "INVALID_STATE"
    ]
    clock.advance(days=15)
    assert codes(await rfp_mutation(api, "openConsensus", team.rfp_id, team.keys["eva"])) == ["FORBIDDEN"]
    assert (await rfp_mutation(api, "openConsensus", team.rfp_id, team.keys["lead"]))["userErrors"] == []
    assert codes(await team.score("eva", "acme", 3)) == ["INVALID_STATE"]
    assert len((await team.proposal("eva", "acme"))["evaluations"]) == 2
    agreed = {
        "proposalId": team.proposals["acme"],
        "criterionId": team.criteria[0],
        "score": 3,
        "reason": "Plan is sound once staffing is named.",
    }
    assert codes(await team.run(CONSENSUS, agreed, "eva")) == ["FORBIDDEN"]
    recorded = await team.run(CONSENSUS, agreed, "lead")
    assert recorded["userErrors"] == []
    assert recorded["consensus"] == {
        "score": 3,
        "reason": agreed["reason"],
        "mean": 2.5,
        "spread": 3,
        "criterion": {"name": "Transition plan"},
    }
    assert (await team.proposal("evan", "acme"))["consensus"] == [{"score": 3, "mean": 2.5, "spread": 3}]
    # A criterion nobody scored has no consensus to record.
    unscored = agreed | {"criterionId": team.criteria[1]}
    assert codes(await team.run(CONSENSUS, unscored, "lead")) == ["INVALID_STATE"]


async def test_justification_is_required_at_the_extremes(api: Api) -> None:
    team = await team_tender(api)
    await team.declare("eva", "acme")
    terse = await team.score("eva", "acme", 5, "Great.")
    assert [(e["field"], e["code"]) for e in terse["userErrors"]] == [(["input", "justification"], "INVALID")]
    assert codes(await team.score("eva", "acme", 0, "")) == ["INVALID"]
    assert (await team.score("eva", "acme", 3, ""))["userErrors"] == []  # mid-scale: optional
    off_scale = await team.score("eva", "acme", 2.5)
    assert [e["field"] for e in off_scale["userErrors"]] == [["input", "score"]]
    assert codes(await team.score("eva", "acme", 11, c=1)) == ["INVALID"]
    assert (await team.score("eva", "acme", 10, "Three comparable clients, all called back.", c=1))[
        "userErrors"
    ] == []


async def test_sealed_bids_stay_sealed_for_evaluators(api: Api, clock: Clock) -> None:
    team = await team_tender(api, sealed=True)
    assert (await team.declare("eva", "acme"))["userErrors"] == []
    assert await team.proposal("eva", "acme") is None
    assert codes(await team.score("eva", "acme", 3)) == ["NOT_FOUND"]
    clock.advance(days=15)
    assert (await team.proposal("eva", "acme"))["id"] == team.proposals["acme"]


async def test_abuse_of_the_evaluation(api: Api) -> None:
    team = await team_tender(api, assign=False)
    # Only active EVALUATORs of the buyer can be assigned, only by the lead or owner.
    not_evaluator = await team.run(ASSIGN, {"rfpId": team.rfp_id, "memberIds": [team.ids["obs"]]}, "lead")
    assert [(e["field"], e["code"]) for e in not_evaluator["userErrors"]] == [
        (["input", "memberIds", "0"], "INVALID")
    ]
    assert codes(await team.run(ASSIGN, {"rfpId": team.rfp_id, "memberIds": [team.ids["eva"]]}, "eva")) == [
        "FORBIDDEN"
    ]
    # An unassigned evaluator cannot declare, and so never reads.
    assert codes(await team.declare("eva", "acme")) == ["NOT_FOUND"]
    assert (await team.run(ASSIGN, {"rfpId": team.rfp_id, "memberIds": [team.ids["eva"]]}, "buyer"))[
        "userErrors"
    ] == []
    # A rival buyer's evaluator, a vendor and an anonymous caller get nothing.
    _, rival = await register(api, "BUYER", "Rival Buyer")
    invited = (
        await api.data(
            INVITE, {"i": {"name": "Spy", "email": "spy@rival.example", "role": "EVALUATOR"}}, rival
        )
    )["inviteMember"]
    team.keys["spy"] = invited["apiKey"]
    assert codes(await team.declare("spy", "acme")) == ["NOT_FOUND"]
    assert codes(await team.score("spy", "acme", 3)) == ["NOT_FOUND"]
    assert await team.proposal("spy", "acme") is None
    assert codes(await team.score("acme", "acme", 5, "My own proposal is the best one.")) == ["FORBIDDEN"]
    assert codes(
        await team.run(
            DECLARE, {"rfpId": team.rfp_id, "vendorId": team.ids["acme"], "hasConflict": False}, None
        )
    ) == ["NOT_FOUND"]
    # A member of the team assigned as evaluator but later deactivated is UNAUTHENTICATED.
    deactivate = "mutation($i: MemberIdInput!) { deactivateMember(input: $i) { userErrors { code } } }"
    await api.data(deactivate, {"i": {"memberId": team.ids["eva"]}}, team.keys["buyer"])
    body = await api(PROPOSAL, {"id": team.proposals["acme"]}, team.keys["eva"])
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_score_racing_the_opening_of_consensus_is_refused(api: Api, clock: Clock) -> None:
    team = await team_tender(api)
    await team.declare("eva", "acme")
    clock.advance(days=15)

    async def open_consensus() -> None:
        assert (await rfp_mutation(api, "openConsensus", team.rfp_id, team.keys["lead"]))["userErrors"] == []

    with just_before_the_transaction(api, open_consensus):
        late = await team.score("eva", "acme", 4)
    assert codes(late) == ["INVALID_STATE"]
    assert await api.store.evaluations.count_documents({}) == 0


RANKED = (
    "query($id: ID!) { rfp(id: $id) { rankedProposals(first: 10) { edges { rank overallTotal "
    "evaluationComplete node { id } score { total } } } } }"
)


async def test_consensus_enters_the_total_and_incomplete_evaluations_rank_after(
    api: Api, clock: Clock
) -> None:
    team = await team_tender(api)
    for who in ("eva", "evan"):
        for vendor in ("acme", "bolt"):
            await team.declare(who, vendor)
    for criterion, top in enumerate((5, 10)):
        assert (await team.score("eva", "acme", top, "Best we have seen, with evidence.", c=criterion))[
            "userErrors"
        ] == []
        assert (await team.score("eva", "bolt", 1, c=criterion))["userErrors"] == []
    edges = (await api.data(RANKED, {"id": team.rfp_id}, team.keys["obs"]))["rfp"]["rankedProposals"]["edges"]
    # No consensus yet: everything incomplete, qualitative criteria count 0, the computed order holds.
    assert [e["evaluationComplete"] for e in edges] == [False, False]
    assert [e["node"]["id"] for e in edges] == [team.proposals["bolt"], team.proposals["acme"]]
    for edge in edges:
        assert edge["overallTotal"] == round(edge["score"]["total"] * 0.7, 4)
    clock.advance(days=15)
    assert (await rfp_mutation(api, "openConsensus", team.rfp_id, team.keys["lead"]))["userErrors"] == []
    for criterion, top in enumerate((5, 10)):
        agreed = {
            "proposalId": team.proposals["acme"],
            "criterionId": team.criteria[criterion],
            "score": top,
            "reason": "As scored.",
        }
        assert (await team.run(CONSENSUS, agreed, "lead"))["userErrors"] == []
    edges = (await api.data(RANKED, {"id": team.rfp_id}, team.keys["lead"]))["rfp"]["rankedProposals"][
        "edges"
    ]
    acme, bolt = edges
    assert acme["node"]["id"] == team.proposals["acme"] and acme["evaluationComplete"] is True
    assert acme["overallTotal"] == round(acme["score"]["total"] * 0.7 + 0.2 * 100 + 0.1 * 100, 4)
    assert bolt["evaluationComplete"] is False and bolt["rank"] == 2
    # Rank stability draws the qualitative weights too: only acme's evaluation is complete, so it wins
    # under every draw.
    stability = "query($id: ID!) { rfp(id: $id) { rankedProposals { rankStability } } }"
    found = await api.data(stability, {"id": team.rfp_id}, team.keys["lead"])
    assert found["rfp"]["rankedProposals"]["rankStability"] == 1.0
    # An RFP without qualitative criteria keeps its computed ranking, unmarked.
    plain = await open_rfp(api, team.keys["lead"])
    await submit(api, team.keys["acme"], plain)
    edges = (await api.data(RANKED, {"id": plain}, team.keys["lead"]))["rfp"]["rankedProposals"]["edges"]
    assert [(e["overallTotal"], e["evaluationComplete"]) for e in edges] == [(None, None)]
