"""Issue 16 in the exports: proposals awaiting confirmation flagged (never dropped) in CSV and JSON;
OCDS tender.amendments (one per addendum) and tender.enquiries (published clarifications only,
without their askers)."""

from __future__ import annotations

import csv
import io
from typing import Any

from tests.conftest import Api
from tests.helpers import open_rfp, proposal_input, proposal_mutation, register, submit

AMEND = """mutation($i: AmendRfpInput!) { amendRfp(input: $i) { userErrors { code } } }"""
ASK = """mutation($i: AskClarificationInput!) { askClarification(input: $i) { clarification { id } } }"""
ANSWER = (
    """mutation($i: AnswerClarificationInput!) { answerClarification(input: $i) { userErrors { code } } }"""
)


async def _get(api: Api, rfp_id: str, name: str, key: str) -> Any:
    response = await api.client.get(
        f"/exports/rfps/{rfp_id}/{name}", headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code == 200, response.text
    return response


async def _tender(api: Api) -> tuple[str, str, dict[str, str], dict[str, str]]:
    _, buyer = await register(api, "BUYER", "Northwind")
    rfp_id = await open_rfp(api, buyer)
    keys, ids = {}, {}
    for name, fee in (("Acme", "14000.00"), ("Globex", "13000.00")):
        _, keys[name] = await register(api, "VENDOR", name)
        ids[name] = (await submit(api, keys[name], rfp_id, proposal_input(fee)))["proposal"]["id"]
    return buyer, rfp_id, keys, ids


async def test_unconfirmed_proposals_are_flagged_in_csv_and_json(api: Api) -> None:
    buyer, rfp_id, keys, ids = await _tender(api)
    volume = {"unitName": "tickets", "expected": 11000}
    amended = await api.data(AMEND, {"i": {"rfpId": rfp_id, "summary": "More", "volume": volume}}, buyer)
    assert amended["amendRfp"]["userErrors"] == []
    assert (await proposal_mutation(api, "confirmProposal", ids["Acme"], keys["Acme"]))["userErrors"] == []
    rows = list(csv.DictReader(io.StringIO((await _get(api, rfp_id, "ranking.csv", buyer)).text)))
    flags = {row["proposal_id"]: row["needs_confirmation"] for row in rows}
    assert flags == {ids["Acme"]: "false", ids["Globex"]: "true"}
    document = (await _get(api, rfp_id, "ranking.json", buyer)).json()
    listed = document["proposals"]
    assert {row["proposal_id"]: row["needs_confirmation"] for row in listed} == {
        ids["Acme"]: False,
        ids["Globex"]: True,
    }


async def test_ocds_lists_amendments_and_published_enquiries_only(api: Api) -> None:
    buyer, rfp_id, keys, _ = await _tender(api)
    (release,) = (await _get(api, rfp_id, "ocds.json", buyer)).json()["releases"]
    assert "amendments" not in release["tender"] and "enquiries" not in release["tender"]
    published = await api.data(ASK, {"i": {"rfpId": rfp_id, "question": "Weekends?"}}, keys["Acme"])
    clarification_id = published["askClarification"]["clarification"]["id"]
    await api.data(ANSWER, {"i": {"clarificationId": clarification_id, "answer": "Yes."}}, buyer)
    await api.data(ASK, {"i": {"rfpId": rfp_id, "question": "Unanswered"}}, keys["Globex"])
    volume = {"unitName": "tickets", "expected": 11000}
    await api.data(AMEND, {"i": {"rfpId": rfp_id, "summary": "Volume up", "volume": volume}}, buyer)
    package = (await _get(api, rfp_id, "ocds.json", buyer)).json()
    assert any("ocds_enquiry_extension" in url for url in package["extensions"])
    tender = package["releases"][0]["tender"]
    (amendment,) = tender["amendments"]
    assert amendment["description"] == "Volume up" and "volume.expected" in amendment["rationale"]
    assert amendment["id"].endswith("-amendment-1") and amendment["date"]
    (enquiry,) = tender["enquiries"]
    assert enquiry["description"] == "Weekends?" and enquiry["answer"] == "Yes." and enquiry["dateAnswered"]
    assert tender["hasEnquiries"] is True
    assert "Acme" not in str(tender["enquiries"])  # the asker stays anonymous
