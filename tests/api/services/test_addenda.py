"""amendRfp and confirmProposal through HTTP: numbered addenda with what changed, rescoring, the
vendor's confirmation, deadlines that move only later, sealed bids; with the abuse cases."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tests.conftest import Api, Clock
from tests.helpers import codes, open_rfp, proposal_input, proposal_mutation, register, submit

AMEND = """mutation($input: AmendRfpInput!) { amendRfp(input: $input) {
  rfp { id submissionDeadline scope volume { expected } weights { cost }
        addenda { number summary at changedFields } }
  userErrors { field message code } } }"""
PROPOSAL = """query($id: ID!) { node(id: $id) { ... on Proposal {
  version needsConfirmation score { total costScore normalizedMonthlyCost { amount } } } } }"""
RANKED = """query($id: ID!) { rfp(id: $id) { rankedProposals(first: 10) {
  totalCount edges { node { id needsConfirmation } } } } }"""
PER_TICKET = {"perUnit": {"unitPrice": {"amount": "1.50", "currencyCode": "USD"}, "unitName": "tickets"}}


async def amend(api: Api, key: str | None, rfp_id: str, **changes: Any) -> dict[str, Any]:
    variables = {"input": {"rfpId": rfp_id, "summary": "Addendum", **changes}}
    payload: dict[str, Any] = (await api.data(AMEND, variables, key))["amendRfp"]
    return payload


async def proposal(api: Api, key: str, proposal_id: str) -> dict[str, Any]:
    found: dict[str, Any] = (await api.data(PROPOSAL, {"id": proposal_id}, key))["node"]
    return found


async def tender(api: Api, **rfp: Any) -> tuple[dict[str, str], str, dict[str, str]]:
    keys: dict[str, str] = {}
    _, keys["buyer"] = await register(api, "BUYER", "Northwind")
    _, keys["other_buyer"] = await register(api, "BUYER", "Contoso")
    _, keys["vendor"] = await register(api, "VENDOR", "Acme Support")
    _, keys["rival"] = await register(api, "VENDOR", "Globex Care")
    rfp_id = await open_rfp(api, keys["buyer"], **rfp)
    ids = {}
    for role, fee in (("vendor", None), ("rival", "13000.00")):
        bid = proposal_input(fee or "14000.00", pricing=PER_TICKET) if fee is None else proposal_input(fee)
        made = await submit(api, keys[role], rfp_id, bid)
        assert made["userErrors"] == [], made
        ids[role] = made["proposal"]["id"]
    return keys, rfp_id, ids


async def test_a_volume_addendum_rescores_and_asks_every_vendor_to_confirm(api: Api) -> None:
    keys, rfp_id, ids = await tender(api)
    before = await proposal(api, keys["vendor"], ids["vendor"])
    volume = {"unitName": "tickets", "expected": 12000, "low": 9000, "high": 15000}
    amended = await amend(api, keys["buyer"], rfp_id, summary="Volume up 33%", volume=volume)
    assert amended["userErrors"] == []
    (addendum,) = amended["rfp"]["addenda"]
    assert addendum["number"] == 1 and addendum["summary"] == "Volume up 33%"
    assert addendum["changedFields"] == ["volume.expected", "volume.high", "volume.low"]
    after = await proposal(api, keys["vendor"], ids["vendor"])
    # Per-ticket pricing costs more at the new volume: rescored under the addendum, flagged.
    assert (
        after["score"]["normalizedMonthlyCost"]["amount"]
        != before["score"]["normalizedMonthlyCost"]["amount"]
    )
    assert after["needsConfirmation"] is True and after["version"] == before["version"]
    ranked = (await api.data(RANKED, {"id": rfp_id}, keys["buyer"]))["rfp"]["rankedProposals"]
    assert ranked["totalCount"] == 2  # flagged, never dropped
    assert {edge["node"]["needsConfirmation"] for edge in ranked["edges"]} == {True}

    confirmed = await proposal_mutation(api, "confirmProposal", ids["vendor"], keys["vendor"])
    assert confirmed["userErrors"] == []
    assert (await proposal(api, keys["vendor"], ids["vendor"]))["needsConfirmation"] is False
    # A revision answers the addendum too.
    revise = """mutation($input: ReviseProposalInput!) { reviseProposal(input: $input) {
      proposal { needsConfirmation } userErrors { code } } }"""
    variables = {
        "input": {"proposalId": ids["rival"], "expectedVersion": 1, "proposal": proposal_input("12500.00")}
    }
    revised = (await api.data(revise, variables, keys["rival"]))["reviseProposal"]
    assert revised == {"proposal": {"needsConfirmation": False}, "userErrors": []}
    actions = await api.store.audit_events.distinct("action")
    assert {"amended", "needsConfirmation", "confirmed"} <= set(actions)


async def test_weights_and_budget_rescore_without_asking_for_confirmation(api: Api) -> None:
    keys, rfp_id, ids = await tender(api)
    weights = {"slaQuality": 0.2, "lockIn": 0.2, "cost": 0.6}
    amended = await amend(api, keys["buyer"], rfp_id, weights=weights)
    assert amended["rfp"]["weights"]["cost"] == 0.6
    assert amended["rfp"]["addenda"][0]["changedFields"] == [
        "weights.cost",
        "weights.lockIn",
        "weights.slaQuality",
    ]
    assert (await proposal(api, keys["vendor"], ids["vendor"]))["needsConfirmation"] is False
    second = await amend(api, keys["buyer"], rfp_id, scope="Email, chat and phone support")
    assert [a["number"] for a in second["rfp"]["addenda"]] == [1, 2]
    assert second["rfp"]["addenda"][1]["changedFields"] == ["scope"]
    nothing = await proposal_mutation(api, "confirmProposal", ids["vendor"], keys["vendor"])
    assert codes(nothing) == ["INVALID_STATE"]


async def test_the_deadline_moves_later_never_earlier(api: Api, clock: Clock) -> None:
    keys, rfp_id, _ = await tender(api)
    rfp = await api.data(
        "query($id: ID!) { rfp(id: $id) { submissionDeadline } }", {"id": rfp_id}, keys["buyer"]
    )
    deadline = datetime.fromisoformat(rfp["rfp"]["submissionDeadline"])
    earlier = await amend(
        api, keys["buyer"], rfp_id, submissionDeadline=(deadline - timedelta(days=1)).isoformat()
    )
    assert [e["field"] for e in earlier["userErrors"]] == [["input", "submissionDeadline"]]
    later = (deadline + timedelta(days=7)).isoformat()
    moved = await amend(api, keys["buyer"], rfp_id, submissionDeadline=later)
    assert moved["userErrors"] == []
    assert datetime.fromisoformat(moved["rfp"]["submissionDeadline"]) == deadline + timedelta(days=7)
    assert moved["rfp"]["addenda"][0]["changedFields"] == ["submissionDeadline"]
    clock.advance(days=14, hours=1)  # past the old deadline, before the new one: still open
    assert (await submit(api, keys["other_buyer"], rfp_id))["userErrors"][0]["code"] == "FORBIDDEN"
    _, late_vendor = await register(api, "VENDOR", "Initech")
    assert (await submit(api, late_vendor, rfp_id))["userErrors"] == []
    clock.advance(days=7)
    closed = await amend(api, keys["buyer"], rfp_id, scope="Too late")
    assert codes(closed) == ["DEADLINE_PASSED"]


async def test_sealed_bids_stay_sealed_through_amendments(api: Api) -> None:
    keys, rfp_id, ids = await tender(api, sealed=True)
    volume = {"unitName": "tickets", "expected": 10000}
    assert (await amend(api, keys["buyer"], rfp_id, volume=volume))["userErrors"] == []
    ranked = (await api.data(RANKED, {"id": rfp_id}, keys["buyer"]))["rfp"]["rankedProposals"]
    assert ranked["totalCount"] == 0
    assert (await api.data(PROPOSAL, {"id": ids["vendor"]}, keys["buyer"]))["node"] is None
    assert (await proposal(api, keys["vendor"], ids["vendor"]))["needsConfirmation"] is True


async def test_abuse_competitors_careless_clients_and_anonymous_callers(api: Api) -> None:
    keys, rfp_id, ids = await tender(api)
    unchanged = {"rankingDigest": 0}  # refreshed in the background after submissions
    stored = await api.store.rfps.find_one({}, unchanged)
    # Nobody but the buyer amends: a vendor, another buyer or an anonymous caller learn nothing.
    for key in (keys["vendor"], keys["other_buyer"], None):
        assert codes(await amend(api, key, rfp_id, scope="hijacked")) == ["NOT_FOUND"]
    # Careless input, each refused naming its path, nothing written.
    cases: list[tuple[dict[str, Any], list[str]]] = [
        ({"summary": "  "}, ["input", "summary"]),
        ({"volume": {"unitName": "tickets", "expected": -5}}, ["input", "volume", "expected"]),
        ({"monthlyBudget": {"amount": "100.00", "currencyCode": "EUR"}}, ["input", "monthlyBudget"]),
        ({"scope": "\u202e"}, ["input", "scope"]),
        ({}, ["input"]),
    ]
    for changes, field in cases:
        refused = await amend(api, keys["buyer"], rfp_id, **changes)
        assert refused["rfp"] is None and refused["userErrors"][0]["field"][: len(field)] == field, refused
    assert await api.store.rfps.find_one({}, unchanged) == stored
    # Confirmations: only the proposal's vendor, only when asked.
    await amend(api, keys["buyer"], rfp_id, volume={"unitName": "tickets", "expected": 10000})
    assert codes(await proposal_mutation(api, "confirmProposal", ids["vendor"], keys["rival"])) == [
        "NOT_FOUND"
    ]
    assert codes(await proposal_mutation(api, "confirmProposal", ids["vendor"], keys["buyer"])) == [
        "FORBIDDEN"
    ]
    # A made-up key is refused before anything runs (UNAUTHENTICATED), not treated as anonymous.
    made_up = await api(
        "mutation($id: ID!) { confirmProposal(input: {proposalId: $id}) { userErrors { code } } }",
        {"id": ids["vendor"]},
        "nope",
    )
    assert [error["extensions"]["code"] for error in made_up["errors"]] == ["UNAUTHENTICATED"]
    assert (await proposal(api, keys["vendor"], ids["vendor"]))["needsConfirmation"] is True
    closed = await api.data(
        "mutation($i: RfpIdInput!) { closeRfp(input: $i) { userErrors { code } } }",
        {"i": {"rfpId": rfp_id}},
        keys["buyer"],
    )
    assert closed["closeRfp"]["userErrors"] == []
    assert codes(await amend(api, keys["buyer"], rfp_id, scope="After closing")) == ["INVALID_STATE"]
    assert codes(await proposal_mutation(api, "confirmProposal", ids["vendor"], keys["vendor"])) == [
        "INVALID_STATE"
    ]
