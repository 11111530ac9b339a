"""A whole tender through the public API: a buyer and three vendors; questions answered for all, an
addendum that changes the volume and rescores, an extended deadline, confirmations, the award and
each vendor's debrief (issue 16's "done when")."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tests.conftest import Api, Clock
from tests.helpers import open_rfp, proposal_input, proposal_mutation, register, rfp_mutation, submit

ASK = """mutation($i: AskClarificationInput!) { askClarification(input: $i) {
  clarification { id } userErrors { code } } }"""
ANSWER = (
    """mutation($i: AnswerClarificationInput!) { answerClarification(input: $i) { userErrors { code } } }"""
)
CLARIFICATIONS = """query($rfp: ID!) { rfp(id: $rfp) { clarifications { totalCount
  edges { node { question answer status askedByViewer } } } } }"""
AMEND = """mutation($i: AmendRfpInput!) { amendRfp(input: $i) {
  rfp { submissionDeadline addenda { number changedFields } } userErrors { field code } } }"""
OWN = """query($id: ID!) { node(id: $id) { ... on Proposal { status needsConfirmation
  score { normalizedMonthlyCost { amount } }
  debrief { rank of winnerSlaQuality winnerName comment } } } }"""
RANKED = """query($rfp: ID!) { rfp(id: $rfp) { status rankedProposals(first: 10) {
  edges { rank node { id needsConfirmation vendor { name } } } } } }"""
AWARD = """mutation($i: AwardProposalInput!) { awardProposal(input: $i) {
  rfp { status } userErrors { code } } }"""
PER_TICKET = {"perUnit": {"unitPrice": {"amount": "1.40", "currencyCode": "USD"}, "unitName": "tickets"}}


async def test_a_buyer_and_three_vendors_run_a_whole_tender(api: Api, clock: Clock) -> None:
    _, buyer = await register(api, "BUYER", "Northwind")
    vendors = {name: (await register(api, "VENDOR", name))[1] for name in ("Acme", "Globex", "Initech")}
    enquiry = (clock.current + timedelta(days=5)).isoformat()
    rfp_id = await open_rfp(api, buyer, enquiryDeadline=enquiry)

    # 1. Questions: Acme asks; the buyer answers for all, anonymized.
    asked = await api.data(ASK, {"i": {"rfpId": rfp_id, "question": "Are chats included?"}}, vendors["Acme"])
    question_id = asked["askClarification"]["clarification"]["id"]
    answered = await api.data(ANSWER, {"i": {"clarificationId": question_id, "answer": "Yes."}}, buyer)
    assert answered["answerClarification"]["userErrors"] == []
    seen = (await api.data(CLARIFICATIONS, {"rfp": rfp_id}, vendors["Initech"]))["rfp"]["clarifications"]
    assert seen["edges"] == [
        {
            "node": {
                "question": "Are chats included?",
                "answer": "Yes.",
                "status": "ANSWERED",
                "askedByViewer": False,
            }
        }
    ]

    # 2. Three proposals: Acme per ticket, Globex and Initech flat.
    bids = {
        "Acme": proposal_input("0", pricing=PER_TICKET),
        "Globex": proposal_input("13500.00"),
        "Initech": proposal_input("16000.00"),
    }
    ids = {}
    for name, bid in bids.items():
        made = await submit(api, vendors[name], rfp_id, bid)
        assert made["userErrors"] == [], made
        ids[name] = made["proposal"]["id"]
    cost_before = (await api.data(OWN, {"id": ids["Acme"]}, vendors["Acme"]))["node"]["score"]

    # 3. An addendum raises the volume (rescored, confirmations asked), another extends the deadline.
    volume = {"unitName": "tickets", "expected": 11000, "low": 9000, "high": 14000}
    first = await api.data(
        AMEND, {"i": {"rfpId": rfp_id, "summary": "More tickets", "volume": volume}}, buyer
    )
    assert first["amendRfp"]["userErrors"] == []
    deadline = datetime.fromisoformat(first["amendRfp"]["rfp"]["submissionDeadline"])
    later = (deadline + timedelta(days=7)).isoformat()
    second = await api.data(
        AMEND, {"i": {"rfpId": rfp_id, "summary": "One more week", "submissionDeadline": later}}, buyer
    )
    addenda = second["amendRfp"]["rfp"]["addenda"]
    assert [(a["number"], a["changedFields"]) for a in addenda] == [
        (1, ["volume.expected", "volume.high", "volume.low"]),
        (2, ["submissionDeadline"]),
    ]
    acme = (await api.data(OWN, {"id": ids["Acme"]}, vendors["Acme"]))["node"]
    assert acme["needsConfirmation"] is True
    assert (
        acme["score"]["normalizedMonthlyCost"] != cost_before["normalizedMonthlyCost"]
    )  # per ticket: rescored

    # 4. Acme confirms, Globex revises, Initech does neither: flagged in the ranking, not dropped.
    assert (await proposal_mutation(api, "confirmProposal", ids["Acme"], vendors["Acme"]))["userErrors"] == []
    revise = """mutation($i: ReviseProposalInput!) { reviseProposal(input: $i) { userErrors { code } } }"""
    variables = {
        "i": {"proposalId": ids["Globex"], "expectedVersion": 1, "proposal": proposal_input("13000.00")}
    }
    assert (await api.data(revise, variables, vendors["Globex"]))["reviseProposal"]["userErrors"] == []
    clock.advance(days=14, hours=1)  # past the original deadline: still open thanks to the addendum
    assert (await api.data(RANKED, {"rfp": rfp_id}, buyer))["rfp"]["status"] == "OPEN"
    clock.advance(days=7)
    ranked = (await api.data(RANKED, {"rfp": rfp_id}, buyer))["rfp"]
    assert ranked["status"] == "CLOSED"
    flags = {
        edge["node"]["vendor"]["name"]: edge["node"]["needsConfirmation"]
        for edge in ranked["rankedProposals"]["edges"]
    }
    assert flags == {"Acme": False, "Globex": False, "Initech": True}

    # 5. The award, then each vendor's debrief.
    winner = ranked["rankedProposals"]["edges"][0]["node"]
    awarded = (await api.data(AWARD, {"i": {"proposalId": winner["id"]}}, buyer))["awardProposal"]
    assert awarded == {"rfp": {"status": "AWARDED"}, "userErrors": []}
    ranks = {}
    for name, key in vendors.items():
        node = (await api.data(OWN, {"id": ids[name]}, key))["node"]
        debrief: dict[str, Any] = node["debrief"]
        assert (
            debrief["of"] == 3 and debrief["winnerName"] is None and debrief["winnerSlaQuality"] is not None
        )
        ranks[name] = debrief["rank"]
    assert sorted(ranks.values()) == [1, 2, 3]
    assert ranks[winner["vendor"]["name"]] == 1
    # Nobody reads a competitor's debrief.
    other = next(name for name in vendors if name != winner["vendor"]["name"])
    assert (await api.data(OWN, {"id": winner["id"]}, vendors[other]))["node"] is None
    assert (await rfp_mutation(api, "cancelRfp", rfp_id, buyer))["userErrors"][0]["code"] == "INVALID_STATE"
