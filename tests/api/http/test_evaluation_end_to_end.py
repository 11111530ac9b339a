"""An evaluation team runs a tender end to end through the public API (issue 17's "done when"): an
owner invites a procurement lead, two evaluators and an observer; the lead publishes a sealed RFP
with qualitative criteria and assigns the evaluators; they declare conflicts, score independently
and disagree; the lead opens consensus, sees the spread and the outliers, records consensus and
awards; the audit trail names each member who acted."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api, Clock
from tests.helpers import CREATE_RFP, proposal_input, register, rfp_input, rfp_mutation, submit

ERRORS = "userErrors { field message code }"


def _mutation(name: str, input_type: str, selection: str) -> str:
    return f"mutation($i: {input_type}!) {{ {name}(input: $i) {{ {selection} {ERRORS} }} }}"


INVITE = _mutation("inviteMember", "InviteMemberInput", "member { id role } apiKey")
ASSIGN = _mutation("assignEvaluators", "AssignEvaluatorsInput", "rfp { evaluators { name } }")
DECLARE = _mutation("declareConflict", "DeclareConflictInput", "rfp { id }")
EVALUATE = _mutation("submitEvaluation", "SubmitEvaluationInput", "evaluation { score }")
CONSENSUS = _mutation("recordConsensus", "RecordConsensusInput", "consensus { score mean spread }")
AWARD = _mutation("awardProposal", "AwardProposalInput", "rfp { status }")
PROPOSAL = """query($id: ID!) { node(id: $id) { ... on Proposal { id
  evaluations { criterion { name } evaluator { name } score justification outlier }
  consensus { criterion { name } score reason mean spread } } } }"""
RFP = """query($id: ID!) { rfp(id: $id) { status qualitativeCriteria { id name scaleMax weight guidance }
  rankedProposals(first: 10) { edges { rank overallTotal evaluationComplete node { id vendor { name } } } }
  auditEvents(last: 20) { edges { node { action actorMember { name role } } } } } }"""
CRITERIA = [
    {
        "name": "Transition plan",
        "description": "Taking over from the incumbent within 60 days.",
        "scaleMax": 5,
        "weight": 0.2,
        "guidance": [
            "absent",
            "generic",
            "partial",
            "credible",
            "detailed",
            "proven on a comparable takeover",
        ],
    },
    {
        "name": "Team experience",
        "description": "Leads with ecommerce support experience.",
        "scaleMax": 10,
        "weight": 0.1,
    },
]


def ok(payload: dict[str, Any]) -> dict[str, Any]:
    assert payload["userErrors"] == [], payload
    return payload


async def test_a_lead_two_evaluators_and_an_observer_evaluate_a_tender(api: Api, clock: Clock) -> None:
    _, owner = await register(api, "BUYER", "Northwind Retail")
    keys: dict[str, str] = {}
    ids: dict[str, str] = {}
    for name, role in (
        ("Lena", "PROCUREMENT_LEAD"),
        ("Eva", "EVALUATOR"),
        ("Omar", "EVALUATOR"),
        ("Olga", "OBSERVER"),
    ):
        invited = ok(
            (
                await api.data(
                    INVITE,
                    {"i": {"name": name, "email": f"{name.lower()}@northwind.example", "role": role}},
                    owner,
                )
            )["inviteMember"]
        )
        ids[name], keys[name] = invited["member"]["id"], invited["apiKey"]

    # The lead publishes a sealed RFP: computed weights 70%, qualitative criteria 30%.
    data = rfp_input(
        clock(),
        sealed=True,
        weights={"slaQuality": 0.3, "lockIn": 0.15, "cost": 0.25},
        qualitativeCriteria=CRITERIA,
    )
    rfp_id = ok((await api.data(CREATE_RFP, {"input": data}, keys["Lena"]))["createRfp"])["rfp"]["id"]
    ok(await rfp_mutation(api, "publishRfp", rfp_id, keys["Lena"]))
    criteria = (await api.data(RFP, {"id": rfp_id}, keys["Olga"]))["rfp"]["qualitativeCriteria"]
    transition, experience = (c["id"] for c in criteria)
    assert criteria[0]["guidance"][5] == "proven on a comparable takeover"

    vendors: dict[str, str] = {}
    proposals: dict[str, str] = {}
    for vendor, fee in (("Acme Support", "14000.00"), ("Bolt Desk", "12500.00")):
        vendors[vendor], key = await register(api, "VENDOR", vendor)
        proposals[vendor] = (await submit(api, key, rfp_id, proposal_input(fee)))["proposal"]["id"]
    assigned = ok(
        (
            await api.data(
                ASSIGN, {"i": {"rfpId": rfp_id, "memberIds": [ids["Eva"], ids["Omar"]]}}, keys["Lena"]
            )
        )["assignEvaluators"]
    )
    assert [m["name"] for m in assigned["rfp"]["evaluators"]] == ["Eva", "Omar"]

    async def declare(who: str, vendor: str, conflict: bool) -> None:
        variables = {"i": {"rfpId": rfp_id, "vendorId": vendors[vendor], "hasConflict": conflict}}
        ok((await api.data(DECLARE, variables, keys[who]))["declareConflict"])

    async def score(who: str, vendor: str, criterion: str, value: int, why: str) -> dict[str, Any]:
        variables = {
            "i": {
                "proposalId": proposals[vendor],
                "criterionId": criterion,
                "score": value,
                "justification": why,
            }
        }
        payload: dict[str, Any] = (await api.data(EVALUATE, variables, keys[who]))["submitEvaluation"]
        return payload

    async def proposal(who: str, vendor: str) -> Any:
        return (await api.data(PROPOSAL, {"id": proposals[vendor]}, keys[who]))["node"]

    # Declarations: Eva has no conflict; Omar once worked for Bolt Desk and is excluded from it.
    await declare("Eva", "Acme Support", False)
    await declare("Eva", "Bolt Desk", False)
    await declare("Omar", "Acme Support", False)
    await declare("Omar", "Bolt Desk", True)
    # Sealed bids: nobody on the team reads a proposal before the deadline.
    assert await proposal("Eva", "Acme Support") is None and await proposal("Lena", "Acme Support") is None
    clock.advance(days=15)
    assert await proposal("Omar", "Bolt Desk") is None  # the declared conflict

    # Independent scoring: Eva and Omar disagree on Acme's transition plan.
    ok(
        await score(
            "Eva", "Acme Support", transition, 5, "Named team, day-by-day 60-day plan, done twice before."
        )
    )
    ok(await score("Omar", "Acme Support", transition, 2, "Generic plan; no incumbent knowledge transfer."))
    ok(await score("Eva", "Acme Support", experience, 7, "Two leads with ecommerce peaks."))
    ok(await score("Omar", "Acme Support", experience, 6, "Solid."))
    ok(await score("Eva", "Bolt Desk", transition, 3, "Credible."))
    ok(await score("Eva", "Bolt Desk", experience, 5, "Average."))
    assert [e["evaluator"]["name"] for e in (await proposal("Omar", "Acme Support"))["evaluations"]] == [
        "Omar",
        "Omar",
    ]
    # The observer reads everything, with the outliers flagged, but cannot steer the evaluation.
    seen = (await proposal("Olga", "Acme Support"))["evaluations"]
    flagged = {(e["criterion"]["name"], e["evaluator"]["name"]) for e in seen if e["outlier"]}
    assert flagged == {("Transition plan", "Eva"), ("Transition plan", "Omar")}
    refused = await rfp_mutation(api, "openConsensus", rfp_id, keys["Olga"])
    assert [e["code"] for e in refused["userErrors"]] == ["FORBIDDEN"]

    # Consensus: the lead opens it; evaluators now see each other's scores; the lead records.
    ok(await rfp_mutation(api, "openConsensus", rfp_id, keys["Lena"]))
    assert len((await proposal("Omar", "Acme Support"))["evaluations"]) == 4
    assert [
        e["code"]
        for e in (await score("Eva", "Acme Support", transition, 4, "Changed my mind."))["userErrors"]
    ] == ["INVALID_STATE"]
    agreed = [
        (
            "Acme Support",
            transition,
            4,
            "Plan is detailed; Omar's concern on knowledge transfer is covered by clause 7.",
        ),
        ("Acme Support", experience, 6, "Agreed."),
        ("Bolt Desk", transition, 3, "As scored."),
        ("Bolt Desk", experience, 5, "As scored."),
    ]
    for vendor, criterion, value, reason in agreed:
        variables = {
            "i": {"proposalId": proposals[vendor], "criterionId": criterion, "score": value, "reason": reason}
        }
        recorded = ok((await api.data(CONSENSUS, variables, keys["Lena"]))["recordConsensus"])
        if (vendor, criterion) == ("Acme Support", transition):
            assert recorded["consensus"] == {"score": 4, "mean": 3.5, "spread": 3}

    # The ranking joins computed and qualitative scores; every evaluation is complete.
    rfp = (await api.data(RFP, {"id": rfp_id}, keys["Lena"]))["rfp"]
    edges = rfp["rankedProposals"]["edges"]
    assert all(edge["evaluationComplete"] for edge in edges)
    assert [edge["overallTotal"] for edge in edges] == sorted(
        (edge["overallTotal"] for edge in edges), reverse=True
    )
    winner = edges[0]["node"]["id"]

    # Only the lead (or owner) awards; the evaluators and the observer cannot.
    for who in ("Eva", "Olga"):
        denied = (await api.data(AWARD, {"i": {"proposalId": winner}}, keys[who]))["awardProposal"]
        assert [e["code"] for e in denied["userErrors"]] == ["FORBIDDEN"]
    assert (
        ok((await api.data(AWARD, {"i": {"proposalId": winner}}, keys["Lena"]))["awardProposal"])["rfp"][
            "status"
        ]
        == "AWARDED"
    )

    # One record defends the award: who did what, by name.
    events = [e["node"] for e in (await api.data(RFP, {"id": rfp_id}, owner))["rfp"]["auditEvents"]["edges"]]
    by_action = {e["action"]: (e["actorMember"] or {}).get("name") for e in events}
    assert by_action["created"] == "Lena" and by_action["evaluatorsAssigned"] == "Lena"
    assert by_action["consensusOpened"] == "Lena" and by_action["awarded"] == "Lena"
    assert {e["actorMember"]["name"] for e in events if e["action"] == "conflictDeclared"} == {"Eva", "Omar"}
