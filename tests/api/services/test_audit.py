"""The audit trail in its own collection (issue 10, finding 4): paged auditEvents, the deprecated
auditTrail keeps only the latest events, changedFields is capped, documents do not grow with
history, revisions are rate-limited, and embedded trails of older data are migrated."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import bson
from bson import ObjectId

from api.store.database import CODEC_OPTIONS
from schema.common import from_global_id
from tests.conftest import Api, Clock
from tests.helpers import REVISE, codes, open_rfp, proposal_input, register, submit

EVENTS = """
query($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  node(id: $id) { ... on Proposal {
    auditEvents(first: $first, after: $after, last: $last, before: $before) {
      totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { action changedFields changedFieldsOmitted actor { name } } }
    }
    auditTrail { action changedFields }
  } }
}"""
WEIGHTS = """
mutation($rfp: ID!, $w: ScoringWeightsInput!) {
  updateRfpWeights(input: {rfpId: $rfp, weights: $w}) { userErrors { code } }
}"""


def oid(global_id: str) -> ObjectId:
    parsed = from_global_id(global_id)
    assert parsed is not None
    return ObjectId(parsed[1])


async def revise(
    api: Api, key: str, proposal_id: str, version: int, proposal: dict[str, Any]
) -> dict[str, Any]:
    variables = {"input": {"proposalId": proposal_id, "expectedVersion": version, "proposal": proposal}}
    payload: dict[str, Any] = (await api.data(REVISE, variables, key))["reviseProposal"]
    return payload


async def events(api: Api, key: str, proposal_id: str, **page: Any) -> dict[str, Any]:
    node = (await api.data(EVENTS, {"id": proposal_id, **page}, key))["node"]
    assert node is not None
    return dict(node)


async def a_proposal(api: Api) -> tuple[str, str]:
    _, vendor = await register(api, "VENDOR", "Vendor")
    _, buyer = await register(api, "BUYER")
    rfp_id = await open_rfp(api, buyer)
    return vendor, (await submit(api, vendor, rfp_id))["proposal"]["id"]


async def test_audit_events_page_forwards_and_backwards(api: Api, clock: Clock) -> None:
    vendor, proposal_id = await a_proposal(api)
    for version in range(1, 6):
        clock.advance(seconds=1)
        fee = f"{13000 + version}.00"
        assert (await revise(api, vendor, proposal_id, version, proposal_input(fee)))["userErrors"] == []
    first = (await events(api, vendor, proposal_id, first=4))["auditEvents"]
    assert first["totalCount"] == 6 and first["pageInfo"]["hasNextPage"] is True
    assert [e["node"]["action"] for e in first["edges"]] == ["submitted"] + ["revised"] * 3
    rest = (await events(api, vendor, proposal_id, first=4, after=first["pageInfo"]["endCursor"]))[
        "auditEvents"
    ]
    assert len(rest["edges"]) == 2 and rest["pageInfo"] == {**rest["pageInfo"], "hasNextPage": False}
    assert rest["pageInfo"]["hasPreviousPage"] is True
    cursors = [e["cursor"] for e in first["edges"] + rest["edges"]]
    assert len(set(cursors)) == 6

    newest = (await events(api, vendor, proposal_id, last=2))["auditEvents"]
    assert [e["cursor"] for e in newest["edges"]] == cursors[-2:]
    assert newest["pageInfo"]["hasPreviousPage"] is True
    older = (await events(api, vendor, proposal_id, last=3, before=newest["pageInfo"]["startCursor"]))[
        "auditEvents"
    ]
    assert [e["cursor"] for e in older["edges"]] == cursors[1:4] and older["pageInfo"]["hasNextPage"] is True


async def test_careless_audit_page_arguments_are_client_errors(api: Api) -> None:
    vendor, proposal_id = await a_proposal(api)
    for page in (
        {"first": 0},
        {"last": 101},
        {"first": 1, "last": 1},
        {"after": "bm9wZQ=="},
        {"before": "x"},
    ):
        body = await api(EVENTS, {"id": proposal_id, **page}, vendor)
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", (page, body)


async def test_audit_trail_keeps_only_the_latest_events_and_documents_do_not_grow(
    api: Api, clock: Clock
) -> None:
    api.market.proposals.revisions_per_hour = 1000
    vendor, proposal_id = await a_proposal(api)
    sizes = []
    for version in range(1, 56):
        clock.advance(seconds=1)
        fee = "13000.00" if version % 2 else "14000.00"
        assert (await revise(api, vendor, proposal_id, version, proposal_input(fee)))["userErrors"] == []
        doc = await api.store.proposals.find_one({"_id": oid(proposal_id)})
        sizes.append(len(bson.encode(doc, codec_options=CODEC_OPTIONS)))
    assert max(sizes) - min(sizes) <= 16, sizes  # only the version number's width may change
    seen = await events(api, vendor, proposal_id, first=100)
    assert seen["auditEvents"]["totalCount"] == 56 and len(seen["auditEvents"]["edges"]) == 56
    trail = seen["auditTrail"]
    assert len(trail) == 50 and all(e["action"] == "revised" for e in trail)  # the 50 newest


async def rfp_size(api: Api, rfp_id: str) -> int:
    doc = await api.store.rfps.find_one({"_id": oid(rfp_id)}, {"rankingDigest": 0})  # refreshed apart
    return len(bson.encode(doc, codec_options=CODEC_OPTIONS))


async def test_reweighting_does_not_grow_the_rfp(api: Api) -> None:
    _, buyer = await register(api, "BUYER")
    rfp_id = await open_rfp(api, buyer)
    before = 0
    for step in range(20):
        weights = {"slaQuality": 0.3 + step / 100, "lockIn": 0.3, "cost": 0.4}
        reweighed = await api.data(WEIGHTS, {"rfp": rfp_id, "w": weights}, buyer)
        assert reweighed["updateRfpWeights"]["userErrors"] == []
        if step == 1:  # rankField appears with the first and alternates key, keyB: same after 2 and 20
            before = await rfp_size(api, rfp_id)
    assert await rfp_size(api, rfp_id) == before
    assert await api.store.audit_events.count_documents({"subjectId": oid(rfp_id)}) == 22


async def test_changed_fields_are_capped_with_a_count_of_the_rest(api: Api) -> None:
    kpi = {
        "metric": "CSAT",
        "comparator": "AT_LEAST",
        "target": 4.4,
        "unit": "SCORE_5",
        "measurementMethod": "m",
    }
    many = proposal_input(
        sla={"kpis": [dict(kpi, name=f"k{i}") for i in range(40)], "reportingCadence": "MONTHLY"}
    )
    changed = proposal_input(
        sla={
            "kpis": [dict(kpi, name=f"n{i}", measurementMethod="other") for i in range(40)],
            "reportingCadence": "WEEKLY",
        }
    )
    _, vendor = await register(api, "VENDOR")
    _, buyer = await register(api, "BUYER")
    rfp_id = await open_rfp(api, buyer)
    proposal_id = (await submit(api, vendor, rfp_id, many))["proposal"]["id"]
    assert (await revise(api, vendor, proposal_id, 1, changed))["userErrors"] == []
    revised = (await events(api, vendor, proposal_id, last=1))["auditEvents"]["edges"][0]["node"]
    assert len(revised["changedFields"]) == 50
    assert revised["changedFieldsOmitted"] == 81 - 50  # 40 names, 40 methods and the cadence


async def test_revisions_per_proposal_are_rate_limited(api: Api, clock: Clock) -> None:
    api.market.proposals.revisions_per_hour = 3
    vendor, proposal_id = await a_proposal(api)
    for version in range(1, 4):
        assert (await revise(api, vendor, proposal_id, version, proposal_input()))["userErrors"] == []
    refused = await revise(api, vendor, proposal_id, 4, proposal_input("12000.00"))
    assert codes(refused) == ["RATE_LIMITED"] and refused["userErrors"][0]["field"] == ["input", "proposalId"]
    doc = await api.store.proposals.find_one({"_id": oid(proposal_id)})
    assert doc is not None and doc["version"] == 4  # nothing written
    clock.advance(hours=1, seconds=1)  # a sliding hour: the first revisions age out
    assert (await revise(api, vendor, proposal_id, 4, proposal_input("12000.00")))["userErrors"] == []


async def test_embedded_trails_of_older_data_are_migrated(api: Api, clock: Clock) -> None:
    vendor, proposal_id = await a_proposal(api)
    at = clock() - timedelta(days=1)
    legacy = [{"at": at, "actorId": None, "action": "legacy", "changedFields": [f"f{i}" for i in range(60)]}]
    await api.store.proposals.update_one({"_id": oid(proposal_id)}, {"$set": {"audit": legacy}})
    await api.store.migrate_embedded_audit()
    await api.store.migrate_embedded_audit()  # idempotent
    doc = await api.store.proposals.find_one({"_id": oid(proposal_id)})
    assert doc is not None and "audit" not in doc
    seen = (await events(api, vendor, proposal_id))["auditEvents"]
    assert [e["node"]["action"] for e in seen["edges"]] == ["legacy", "submitted"]
    assert seen["edges"][0]["node"]["changedFieldsOmitted"] == 10
