"""Who sees what, as one table over role x read path; sealed bids; the audit trail.

Every field of Query, Rfp and Proposal must have a rule here, so a new read path cannot slip in
without someone deciding who may see it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from graphql import GraphQLObjectType, build_schema

import schema
from tests.conftest import Api, Clock
from tests.helpers import codes, open_rfp, proposal_input, proposal_mutation, register, rfp_mutation, submit

ROLES = ("anonymous", "buyer", "other_buyer", "vendor", "rival")
# The buyer's members (issue 17), each with its own key: every row of RULES names what they see too.
TEAM = ("lead", "evaluator", "observer")
TEAM_ROLES = {"lead": "PROCUREMENT_LEAD", "evaluator": "EVALUATOR", "observer": "OBSERVER"}
EVERYONE = {"buyer", "other_buyer", "vendor", "rival", *TEAM}
BUYER_TEAM = {"buyer", *TEAM}
READERS = {"buyer", "lead", "observer"}  # the roles that read the RFP's proposals


@dataclass
class World:
    api: Api
    keys: dict[str, str | None]
    rfp_id: str
    proposal_id: str  # the vendor's proposal; the rival has one too
    rfp: dict[str, Any] = field(default_factory=dict)  # what the RFP was created with
    clarifications: dict[str, str] = field(default_factory=dict)  # made once by _clarified
    ids: dict[str, str] = field(default_factory=dict)  # organization and member global ids

    async def ask(self, role: str, query: str, **variables: Any) -> Any:
        return await self.api.data(
            query, {"rfp": self.rfp_id, "proposal": self.proposal_id, **variables}, self.keys[role]
        )


async def build_world(api: Api, sealed: bool = False, **rfp: Any) -> World:
    keys: dict[str, str | None] = {"anonymous": None}
    ids: dict[str, str] = {}
    ids["buyer"], keys["buyer"] = await register(api, "BUYER", "Buyer")
    _, keys["other_buyer"] = await register(api, "BUYER", "Other buyer")
    ids["vendor"], keys["vendor"] = await register(api, "VENDOR", "Vendor")
    _, keys["rival"] = await register(api, "VENDOR", "Rival")
    buyer, vendor, rival = keys["buyer"], keys["vendor"], keys["rival"]
    assert buyer and vendor and rival
    for role, member_role in TEAM_ROLES.items():
        ids[role], keys[role] = await invite(api, buyer, role, member_role)
    # One qualitative criterion, the computed weights scaled to leave it 20%: computed scores are
    # the same as without it (they are normalized).
    rfp = {
        "weights": {"slaQuality": 0.32, "lockIn": 0.2, "cost": 0.28},
        "qualitativeCriteria": [CRITERION],
    } | rfp
    rfp_id = await open_rfp(api, buyer, sealed=sealed, **rfp)
    proposal_id = (await submit(api, vendor, rfp_id))["proposal"]["id"]
    await submit(api, rival, rfp_id, proposal_input("13000.00"))
    return World(api, keys, rfp_id, proposal_id, rfp, ids=ids)


CRITERION = {"name": "Transition plan", "description": "How they take over.", "scaleMax": 5, "weight": 0.2}
INVITE = "mutation($i: InviteMemberInput!) { inviteMember(input: $i) { member { id } apiKey } }"


async def invite(api: Api, owner: str, name: str, role: str) -> tuple[str, str]:
    variables = {"i": {"name": name, "email": f"{name}@buyer.example", "role": role}}
    invited = (await api.data(INVITE, variables, owner))["inviteMember"]
    return invited["member"]["id"], invited["apiKey"]


Probe = Callable[[World, str], Awaitable[Any]]


def _path(query: str, *path: str | int) -> Probe:
    async def probe(world: World, role: str) -> Any:
        value = await world.ask(role, query)
        for key in path:
            value = None if value is None else value[key]
        return value

    return probe


async def _score_preview(world: World, role: str) -> Any:
    query = "query($rfp: ID!, $p: ProposalInput!) { scorePreview(rfpId: $rfp, proposal: $p) { total } }"
    body = await world.api(query, {"rfp": world.rfp_id, "p": proposal_input()}, world.keys[role])
    return body["data"]["scorePreview"] if body.get("data") else None


async def _clarified(world: World) -> dict[str, str]:
    """Once per world: the vendor's question left unanswered, the rival's answered (published)."""
    if not world.clarifications:
        ask = "mutation($i: AskClarificationInput!) { askClarification(input: $i) { clarification { id } } }"
        answer = "mutation($i: AnswerClarificationInput!) { answerClarification(input: $i) { __typename } }"
        for role, name in (("vendor", "unanswered"), ("rival", "published")):
            variables = {"i": {"rfpId": world.rfp_id, "question": name}}
            made = await world.api.data(ask, variables, world.keys[role])
            world.clarifications[name] = made["askClarification"]["clarification"]["id"]
        settled = {"i": {"clarificationId": world.clarifications["published"], "answer": "Yes."}}
        await world.api.data(answer, settled, world.keys["buyer"])
    return world.clarifications


def _clarification(question: str, selection: str) -> Probe:
    """What a role gets of the clarification asked as `question`, listed under the RFP."""

    async def probe(world: World, role: str) -> Any:
        await _clarified(world)
        query = RFP % f"clarifications {{ edges {{ node {{ question {selection} }} }} }}"
        rfp = (await world.ask(role, query))["rfp"]
        nodes = [edge["node"] for edge in rfp["clarifications"]["edges"]] if rfp else []
        found = [node for node in nodes if node["question"] == question]
        return found[0].get(selection.split(" ")[0], found[0]) if found else None

    return probe


async def _clarification_node(world: World, role: str) -> Any:
    made = await _clarified(world)
    query = "query($id: ID!) { node(id: $id) { ... on Clarification { question } } }"
    return (await world.ask(role, query, id=made["unanswered"]))["node"]


async def _evaluated(world: World, consensus: bool = False) -> None:
    """Once per world: the evaluator assigned, cleared for the vendor, the vendor's proposal scored;
    with `consensus`, the RFP closed, consensus opened and recorded."""
    buyer, evaluator = world.keys["buyer"], world.keys["evaluator"]
    criterion = (await world.ask("buyer", RFP % "qualitativeCriteria { id }"))["rfp"]["qualitativeCriteria"][
        0
    ]["id"]
    if not world.clarifications.get("evaluated"):
        steps = [
            (
                "assignEvaluators",
                "AssignEvaluatorsInput",
                {"rfpId": world.rfp_id, "memberIds": [world.ids["evaluator"]]},
                buyer,
            ),
            (
                "declareConflict",
                "DeclareConflictInput",
                {"rfpId": world.rfp_id, "vendorId": world.ids["vendor"], "hasConflict": False},
                evaluator,
            ),
        ]
        for name, input_type, data, key in steps:
            mutation = f"mutation($i: {input_type}!) {{ {name}(input: $i) {{ userErrors {{ code }} }} }}"
            assert (await world.api.data(mutation, {"i": data}, key))[name]["userErrors"] == [], name
        score = {
            "proposalId": world.proposal_id,
            "criterionId": criterion,
            "score": 3,
            "justification": "Sound.",
        }
        mutation = (
            "mutation($i: SubmitEvaluationInput!) { submitEvaluation(input: $i) { userErrors { code } } }"
        )
        assert (await world.api.data(mutation, {"i": score}, evaluator))["submitEvaluation"][
            "userErrors"
        ] == []
        world.clarifications["evaluated"] = "yes"
    if consensus and not world.clarifications.get("consensus"):
        assert buyer is not None
        await rfp_mutation(world.api, "closeRfp", world.rfp_id, buyer)
        assert (await rfp_mutation(world.api, "openConsensus", world.rfp_id, buyer))["userErrors"] == []
        agreed = {"proposalId": world.proposal_id, "criterionId": criterion, "score": 3, "reason": "Agreed."}
        mutation = (
            "mutation($i: RecordConsensusInput!) { recordConsensus(input: $i) { userErrors { code } } }"
        )
        assert (await world.api.data(mutation, {"i": agreed}, buyer))["recordConsensus"]["userErrors"] == []
        world.clarifications["consensus"] = "yes"


def _evaluation(selection: str, consensus: bool = False) -> Probe:
    async def probe(world: World, role: str) -> Any:
        await _evaluated(world, consensus)
        query = (PROPOSAL if selection.startswith(("evaluations", "consensus")) else RFP) % selection
        found = await world.ask(role, query)
        node = found.get("node", found.get("rfp"))
        return node[selection.split(" ")[0]] if node else None

    return probe


async def _awarded(world: World) -> None:
    """Once per world: the RFP closed and the rival's proposal awarded (the vendor's REJECTED)."""
    if world.clarifications.get("awarded"):
        return
    buyer = world.keys["buyer"]
    assert buyer is not None
    await rfp_mutation(world.api, "closeRfp", world.rfp_id, buyer)
    rival = await world.api.data(
        "query($rfp: ID!) { rfp(id: $rfp) { proposals { edges { node { id } } } } }",
        {"rfp": world.rfp_id},
        buyer,
    )
    ids = [edge["node"]["id"] for edge in rival["rfp"]["proposals"]["edges"]]
    (rival_id,) = [proposal_id for proposal_id in ids if proposal_id != world.proposal_id]
    award = "mutation($i: AwardProposalInput!) { awardProposal(input: $i) { userErrors { code } } }"
    assert (await world.api.data(award, {"i": {"proposalId": rival_id}}, buyer))["awardProposal"][
        "userErrors"
    ] == []
    world.clarifications["awarded"] = rival_id


def _debrief(selection: str) -> Probe:
    """What a role gets of the vendor's (losing) debrief once the rival's proposal is awarded."""

    async def probe(world: World, role: str) -> Any:
        await _awarded(world)
        node = (await world.ask(role, PROPOSAL % f"debrief {{ {selection} }}"))["node"]
        debrief = node["debrief"] if node else None
        return debrief[selection.split(" ")[0]] if debrief else None

    return probe


RFP = "query($rfp: ID!) { rfp(id: $rfp) { %s } }"
PROPOSAL = "query($proposal: ID!) { node(id: $proposal) { ... on Proposal { %s } } }"
# Both variables are used (the world sends both): the probed id first, the pair in an alias.
NODES = (
    "query($rfp: ID!, $proposal: ID!) { nodes(ids: [$%s]) { id } both: nodes(ids: [$rfp, $proposal]) { id } }"
)

# path -> (probe returning what the role got, rule: the roles that see something)
RULES: dict[str, tuple[Probe, set[str]]] = {
    "Query.node(Rfp)": (
        _path("query($rfp: ID!) { node(id: $rfp) { id } }", "node"),
        EVERYONE,
    ),
    "Query.rfp": (_path(RFP % "id", "rfp"), EVERYONE),
    "Query.rfps": (_path("{ rfps { totalCount } }", "rfps", "totalCount"), {"vendor", "rival", *BUYER_TEAM}),
    "Query.node(Proposal)": (_path(PROPOSAL % "id", "node"), {"vendor", *READERS}),
    "Query.nodes(Proposal)": (_path(NODES % "proposal", "nodes", 0), {"vendor", *READERS}),
    "Query.nodes(Rfp)": (_path(NODES % "rfp", "nodes", 0), EVERYONE),
    "Query.scorePreview": (_score_preview, {"vendor", "rival", *BUYER_TEAM}),
    "Query.viewer": (
        _path("{ viewer { organization { id } } }", "viewer"),
        EVERYONE,
    ),
    "Rfp.monthlyBudget": (_path(RFP % "monthlyBudget { amount }", "rfp", "monthlyBudget"), BUYER_TEAM),
    # Null for everyone when no re-weighting runs; the buyer-only rule while one runs is pinned in
    # tests/api/services/test_reweighing.py.
    "Rfp.weightsUpdate": (_path(RFP % "weightsUpdate { proposalsDone }", "rfp", "weightsUpdate"), set()),
    "Rfp.proposals": (
        _path(RFP % "proposals { totalCount }", "rfp", "proposals", "totalCount"),
        {"vendor", "rival", *READERS},
    ),
    "Rfp.rankedProposals": (
        _path(RFP % "rankedProposals { totalCount }", "rfp", "rankedProposals", "totalCount"),
        READERS,
    ),
    "Rfp.proposalCount": (
        _path(RFP % "proposalCount", "rfp", "proposalCount"),
        {"vendor", "rival", *BUYER_TEAM},
    ),
    "Rfp.auditTrail": (
        _path(RFP % "auditTrail { action }", "rfp", "auditTrail"),
        EVERYONE,
    ),
    "Rfp.auditEvents": (
        _path(RFP % "auditEvents(last: 5) { totalCount }", "rfp", "auditEvents", "totalCount"),
        EVERYONE,
    ),
    "Query.node(Clarification)": (_clarification_node, {"vendor", *BUYER_TEAM}),
    "Rfp.clarifications(published)": (
        _clarification("published", ""),
        EVERYONE,
    ),
    "Rfp.clarifications(unanswered)": (_clarification("unanswered", ""), {"vendor", *BUYER_TEAM}),
    "Clarification.askedBy": (_clarification("published", "askedBy { name }"), BUYER_TEAM),
    "Clarification.askedByViewer": (_clarification("published", "askedByViewer"), {"rival"}),
    "Proposal.debrief": (_debrief("rank"), {"vendor", *READERS}),
    "Debrief.winnerName": (_debrief("winnerName"), READERS),
    "Debrief.winnerTotal": (_debrief("winnerTotal"), READERS),
    "Debrief.winnerCostScore": (_debrief("winnerCostScore"), READERS),
    "Proposal.score": (_path(PROPOSAL % "score { total }", "node", "score"), {"vendor", *READERS}),
    "Proposal.auditEvents": (
        _path(PROPOSAL % "auditEvents { totalCount }", "node", "auditEvents", "totalCount"),
        {"vendor", *READERS},
    ),
    "Proposal.auditTrail": (
        _path(PROPOSAL % "auditTrail { action }", "node", "auditTrail"),
        {"vendor", *READERS},
    ),
    "Rfp.evaluators": (_evaluation("evaluators { id }"), BUYER_TEAM),
    "Proposal.evaluations": (_evaluation("evaluations { score }"), {"evaluator", *READERS}),
    "Proposal.consensus": (_evaluation("consensus { score }", consensus=True), {"evaluator", *READERS}),
}

# Fields that carry no secret of their own: visible exactly when their parent object is.
FOLLOW_PARENT = {
    "Query": {"node"},
    "Rfp": {
        "id", "title", "scope", "category", "status", "buyer", "currencyCode", "submissionDeadline",
        "evaluationMonths", "volume", "expectedHoursPerMonth", "expectedOutcomesPerMonth", "requirements",
        "weights", "sealed", "budgetDisclosed", "createdAt", "enquiryDeadline", "addenda",
        "debriefsPublished", "awardPublished", "qualitativeCriteria",
    },
    "Debrief": {"rank", "of", "score", "winnerSlaQuality", "winnerLockInExposure", "comment"},
    "Clarification": {"id", "question", "answer", "status", "askedAt", "answeredAt"},
    "Proposal": {
        "id", "rfp", "vendor", "status", "version", "submittedAt", "updatedAt", "summary", "sla", "pricing",
        "oneTimeFee", "annualEscalationPercent", "terms", "needsConfirmation",
    },
}  # fmt: skip


def test_every_read_path_has_a_rule() -> None:
    served = build_schema(schema.schema.as_str())
    ruled = {name.split("(")[0] for name in RULES}
    for type_name, public in FOLLOW_PARENT.items():
        graphql_type = served.type_map[type_name]
        assert isinstance(graphql_type, GraphQLObjectType)
        paths = {f"{type_name}.{field}" for field in graphql_type.fields}
        missing = paths - ruled - {f"{type_name}.{field}" for field in public}
        assert not missing, f"read paths without a visibility rule: {sorted(missing)}"


def test_audit_events_are_visible_exactly_where_the_audit_trail_is() -> None:
    for subject in ("Rfp", "Proposal"):
        assert RULES[f"{subject}.auditEvents"][1] == RULES[f"{subject}.auditTrail"][1]


def _seen(value: Any) -> bool:
    return value not in (None, 0, [])


@pytest.mark.parametrize("path", sorted(RULES))
async def test_role_x_path(api: Api, path: str) -> None:
    world = await build_world(api)
    probe, visible_to = RULES[path]
    seen = {role for role in (*ROLES, *TEAM) if _seen(await probe(world, role))}
    assert seen == visible_to


async def test_sealed_bids_stay_sealed_until_the_deadline(api: Api, clock: Clock) -> None:
    world = await build_world(api, sealed=True)
    buyer = "buyer"
    assert await RULES["Rfp.proposalCount"][0](world, buyer) == 2
    for path in ("Rfp.proposals", "Rfp.rankedProposals", "Query.node(Proposal)", "Proposal.score"):
        assert not _seen(await RULES[path][0](world, buyer)), path
    buyer_key = world.keys["buyer"]
    assert buyer_key
    assert codes(await proposal_mutation(api, "shortlistProposal", world.proposal_id, buyer_key)) == [
        "NOT_FOUND"
    ]
    # Vendors still see their own bid.
    assert _seen(await RULES["Proposal.score"][0](world, "vendor"))

    clock.advance(days=14)  # the deadline: everything opens
    for path in ("Rfp.proposals", "Rfp.rankedProposals", "Query.node(Proposal)", "Proposal.score"):
        assert _seen(await RULES[path][0](world, buyer)), path
    late = await submit(api, world.keys["vendor"] or "", world.rfp_id)
    assert codes(late) == ["DEADLINE_PASSED"]


async def test_the_audit_trail_records_every_change_with_its_actor(api: Api, clock: Clock) -> None:
    world = await build_world(api)
    buyer, vendor = world.keys["buyer"], world.keys["vendor"]
    assert buyer and vendor
    await api.data(
        "mutation($rfp: ID!) { updateRfpWeights(input: "
        "{rfpId: $rfp, weights: {slaQuality: 0.25, lockIn: 0.15, cost: 0.4}}) { userErrors { code } } }",
        {"rfp": world.rfp_id},
        buyer,
    )
    await proposal_mutation(api, "shortlistProposal", world.proposal_id, buyer)
    await rfp_mutation(api, "closeRfp", world.rfp_id, buyer)
    await api.data(
        "mutation($p: ID!) { awardProposal(input: {proposalId: $p}) { userErrors { code } } }",
        {"proposal": world.proposal_id, "p": world.proposal_id},
        buyer,
    )
    trail = await world.ask("buyer", RFP % "auditTrail { at action changedFields actor { name } }")
    events = trail["rfp"]["auditTrail"]
    assert [e["action"] for e in events] == ["created", "published", "weightsUpdated", "closed", "awarded"]
    assert events[2]["changedFields"] == ["weights.cost", "weights.lockIn", "weights.slaQuality"]
    assert {e["actor"]["name"] for e in events} == {"Buyer"}
    assert [e["at"] for e in events] == sorted(e["at"] for e in events)
    proposal = await world.ask("vendor", PROPOSAL % "auditTrail { action changedFields actor { name } }")
    actions = [(e["action"], e["actor"]["name"]) for e in proposal["node"]["auditTrail"]]
    assert actions == [("submitted", "Vendor"), ("shortlisted", "Buyer"), ("awarded", "Buyer")]


def test_the_audit_trail_cannot_be_written_through_the_api() -> None:
    mutations = schema.schema.get_type_by_name("Mutation")
    assert mutations is not None
    names = {field.python_name for field in mutations.fields}  # type: ignore[attr-defined]
    assert not {name for name in names if "audit" in name.lower()}
    inputs = schema.schema.as_str()
    assert "auditTrail:" not in inputs.split("type Mutation")[1].split("\n}\n")[0]


# ------------------------------------------------------------------------ the budget and the scores

BUDGET = "12345.67"  # both proposals (14000.00, 13000.00) are over it: OVER_BUDGET in the full view
SCORE = (
    "total costScore budgetHidden eligible meetsRequirements findings { code message }"
    " components { criterion value contribution explanation }"
)


def _walk(data: Any, path: tuple[str, ...]) -> list[Any]:
    """Every value at `path`, lists (edges) flattened; nulls dropped."""
    items = [data]
    for key in path:
        items = [child for item in items if item for child in _children(item[key])]
    return [item for item in items if item]


def _children(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _scores(query: str, *path: str, variables: Callable[[World], dict[str, Any]] | None = None) -> Probe:
    """A probe returning the list of scores a role got on one path (empty when it got none)."""

    async def probe(world: World, role: str) -> Any:
        extra = variables(world) if variables else {}
        body = await world.api(
            query, {"rfp": world.rfp_id, "proposal": world.proposal_id, **extra}, world.keys[role]
        )
        return _walk(body.get("data"), path)

    return probe


REVISE_OWN = (
    "mutation($proposal: ID!, $p: ProposalInput!) { reviseProposal(input: "
    "{proposalId: $proposal, expectedVersion: 1, proposal: $p}) { proposal { score { " + SCORE + " } } } }"
)
SUBMIT_SCORE = (
    "mutation($rfp: ID!, $p: ProposalInput!) { submitProposal(input: {rfpId: $rfp, proposal: $p}) "
    "{ proposal { score { " + SCORE + " } } } }"
)


async def _submitted_score(world: World, role: str) -> Any:
    """The score in submitProposal's payload, on a second RFP like the first (everyone bid on that)."""
    buyer = world.keys["buyer"]
    assert buyer
    rfp_id = await open_rfp(world.api, buyer, **world.rfp)
    body = await world.api(SUBMIT_SCORE, {"rfp": rfp_id, "p": proposal_input()}, world.keys[role])
    return _walk(body.get("data"), ("submitProposal", "proposal", "score"))


# Every path a score is read on -> the roles that get one at all (whether full or budget-hidden).
SCORE_PATHS: dict[str, tuple[Probe, set[str]]] = {
    "Query.scorePreview": (
        _scores(
            "query($rfp: ID!, $p: ProposalInput!) { scorePreview(rfpId: $rfp, proposal: $p) { "
            + SCORE
            + " } }",
            "scorePreview",
            variables=lambda world: {"p": proposal_input()},
        ),
        {"buyer", "vendor", "rival"},
    ),
    "Proposal.score": (_scores(PROPOSAL % f"score {{ {SCORE} }}", "node", "score"), {"buyer", "vendor"}),
    "Rfp.proposals.score": (
        _scores(
            RFP % f"proposals {{ edges {{ node {{ score {{ {SCORE} }} }} }} }}",
            *("rfp", "proposals", "edges", "node", "score"),
        ),
        {"buyer", "vendor", "rival"},
    ),
    "Rfp.rankedProposals.score": (
        _scores(
            RFP % f"rankedProposals {{ edges {{ score {{ {SCORE} }} }} }}",
            *("rfp", "rankedProposals", "edges", "score"),
        ),
        {"buyer"},
    ),
    "submitProposal.proposal.score": (_submitted_score, {"vendor", "rival"}),
    "reviseProposal.proposal.score": (
        _scores(
            REVISE_OWN, "reviseProposal", "proposal", "score", variables=lambda world: {"p": proposal_input()}
        ),
        {"vendor"},
    ),
}


def _full(score: dict[str, Any]) -> bool:
    """A score computed with the budget: what the buyer sees."""
    return not score["budgetHidden"]


@pytest.mark.parametrize("disclosed", [False, True])
@pytest.mark.parametrize("path", sorted(SCORE_PATHS))
async def test_who_sees_budget_derived_scores(api: Api, path: str, disclosed: bool) -> None:
    world = await build_world(
        api, monthlyBudget={"amount": BUDGET, "currencyCode": "USD"}, budgetDisclosed=disclosed
    )
    probe, scored = SCORE_PATHS[path]
    got = {role: await probe(world, role) for role in ROLES}
    assert {role for role, scores in got.items() if scores} == scored
    full = {role for role, scores in got.items() if scores and all(map(_full, scores))}
    assert full == (scored if disclosed else scored & {"buyer"})
    for role in scored - full:
        for score in got[role]:
            # The budget-hidden view: nothing computed from the budget, no budget figure anywhere.
            assert score["budgetHidden"] and score["costScore"] == 0
            assert [c["criterion"] for c in score["components"]] == ["slaQuality", "lockIn"]
            assert score["total"] == sum(c["contribution"] for c in score["components"])
            assert not {"OVER_BUDGET", "HIGH_VOLUME_OVER_BUDGET"} & {f["code"] for f in score["findings"]}
            # "Within budget" is the budget's half of eligibility: hidden, eligible says requirements only.
            assert score["eligible"] == score["meetsRequirements"]
            assert BUDGET not in str(score), score
            assert "budget" not in str([score["findings"], score["components"]]).lower(), score
    for role in full:
        assert any("OVER_BUDGET" in {f["code"] for f in score["findings"]} for score in got[role])


@pytest.mark.parametrize("disclosed", [False, True])
async def test_the_budget_itself_is_shown_once_disclosed(api: Api, disclosed: bool) -> None:
    world = await build_world(api, budgetDisclosed=disclosed)
    probe = _path(RFP % "budgetDisclosed monthlyBudget { amount }", "rfp")
    got = {role: await probe(world, role) for role in ROLES}
    readers = {"buyer", "other_buyer", "vendor", "rival"}
    assert {role for role, rfp in got.items() if rfp and rfp["budgetDisclosed"] is disclosed} == readers
    seen = {role for role, rfp in got.items() if rfp and rfp["monthlyBudget"]}
    assert seen == (readers if disclosed else {"buyer"})


async def test_exports_stay_with_the_buyer_whatever_the_disclosure(api: Api) -> None:
    world = await build_world(api, monthlyBudget={"amount": BUDGET, "currencyCode": "USD"})
    for name in ("ranking.csv", "ranking.json", "shortlist.json", "ocds.json"):
        for role in ROLES:
            key = world.keys[role]
            headers = {"Authorization": f"Bearer {key}"} if key else {}
            response = await api.client.get(f"/exports/rfps/{world.rfp_id}/{name}", headers=headers)
            assert (response.status_code == 200) is (role == "buyer"), (name, role)
            if role != "buyer":
                assert BUDGET not in response.text
