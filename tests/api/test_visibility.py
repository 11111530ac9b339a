"""Who sees what, as one table over role x read path; sealed bids; the audit trail.

Every field of Query, Rfp and Proposal must have a rule here, so a new read path cannot slip in
without someone deciding who may see it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from graphql import GraphQLObjectType, build_schema

import schema
from tests.conftest import Api, Clock
from tests.helpers import codes, open_rfp, proposal_input, proposal_mutation, register, rfp_mutation, submit

ROLES = ("anonymous", "buyer", "other_buyer", "vendor", "rival")


@dataclass
class World:
    api: Api
    keys: dict[str, str | None]
    rfp_id: str
    proposal_id: str  # the vendor's proposal; the rival has one too

    async def ask(self, role: str, query: str, **variables: Any) -> Any:
        return await self.api.data(
            query, {"rfp": self.rfp_id, "proposal": self.proposal_id, **variables}, self.keys[role]
        )


async def build_world(api: Api, sealed: bool = False) -> World:
    keys: dict[str, str | None] = {"anonymous": None}
    _, keys["buyer"] = await register(api, "BUYER", "Buyer")
    _, keys["other_buyer"] = await register(api, "BUYER", "Other buyer")
    _, keys["vendor"] = await register(api, "VENDOR", "Vendor")
    _, keys["rival"] = await register(api, "VENDOR", "Rival")
    buyer, vendor, rival = keys["buyer"], keys["vendor"], keys["rival"]
    assert buyer and vendor and rival
    rfp_id = await open_rfp(api, buyer, sealed=sealed)
    proposal_id = (await submit(api, vendor, rfp_id))["proposal"]["id"]
    await submit(api, rival, rfp_id, proposal_input("13000.00"))
    return World(api, keys, rfp_id, proposal_id)


Probe = Callable[[World, str], Awaitable[Any]]


def _path(query: str, *path: str) -> Probe:
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


RFP = "query($rfp: ID!) { rfp(id: $rfp) { %s } }"
PROPOSAL = "query($proposal: ID!) { node(id: $proposal) { ... on Proposal { %s } } }"

# path -> (probe returning what the role got, rule: the roles that see something)
RULES: dict[str, tuple[Probe, set[str]]] = {
    "Query.node(Rfp)": (
        _path("query($rfp: ID!) { node(id: $rfp) { id } }", "node"),
        {"buyer", "other_buyer", "vendor", "rival"},
    ),
    "Query.rfp": (_path(RFP % "id", "rfp"), {"buyer", "other_buyer", "vendor", "rival"}),
    "Query.rfps": (_path("{ rfps { totalCount } }", "rfps", "totalCount"), {"buyer", "vendor", "rival"}),
    "Query.node(Proposal)": (_path(PROPOSAL % "id", "node"), {"buyer", "vendor"}),
    "Query.scorePreview": (_score_preview, {"buyer", "vendor", "rival"}),
    "Query.viewer": (
        _path("{ viewer { organization { id } } }", "viewer"),
        {"buyer", "other_buyer", "vendor", "rival"},
    ),
    "Rfp.monthlyBudget": (_path(RFP % "monthlyBudget { amount }", "rfp", "monthlyBudget"), {"buyer"}),
    "Rfp.proposals": (
        _path(RFP % "proposals { totalCount }", "rfp", "proposals", "totalCount"),
        {"buyer", "vendor", "rival"},
    ),
    "Rfp.rankedProposals": (
        _path(RFP % "rankedProposals { totalCount }", "rfp", "rankedProposals", "totalCount"),
        {"buyer"},
    ),
    "Rfp.proposalCount": (_path(RFP % "proposalCount", "rfp", "proposalCount"), {"buyer", "vendor", "rival"}),
    "Rfp.auditTrail": (
        _path(RFP % "auditTrail { action }", "rfp", "auditTrail"),
        {"buyer", "other_buyer", "vendor", "rival"},
    ),
    "Rfp.auditEvents": (
        _path(RFP % "auditEvents(last: 5) { totalCount }", "rfp", "auditEvents", "totalCount"),
        {"buyer", "other_buyer", "vendor", "rival"},
    ),
    "Proposal.score": (_path(PROPOSAL % "score { total }", "node", "score"), {"buyer", "vendor"}),
    "Proposal.auditEvents": (
        _path(PROPOSAL % "auditEvents { totalCount }", "node", "auditEvents", "totalCount"),
        {"buyer", "vendor"},
    ),
    "Proposal.auditTrail": (
        _path(PROPOSAL % "auditTrail { action }", "node", "auditTrail"),
        {"buyer", "vendor"},
    ),
}

# Fields that carry no secret of their own: visible exactly when their parent object is.
FOLLOW_PARENT = {
    "Query": {"node"},
    "Rfp": {
        "id", "title", "scope", "category", "status", "buyer", "currencyCode", "submissionDeadline",
        "evaluationMonths", "volume", "expectedHoursPerMonth", "expectedOutcomesPerMonth", "requirements",
        "weights", "sealed", "createdAt",
    },
    "Proposal": {
        "id", "rfp", "vendor", "status", "version", "submittedAt", "updatedAt", "summary", "sla", "pricing",
        "oneTimeFee", "annualEscalationPercent", "terms",
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
    seen = {role for role in ROLES if _seen(await probe(world, role))}
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
        "{rfpId: $rfp, weights: {slaQuality: 1, lockIn: 1, cost: 2}}) { userErrors { code } } }",
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
