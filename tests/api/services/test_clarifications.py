"""Clarification questions through HTTP: vendors ask during the enquiry period, the buyer answers
for every vendor (anonymized), declines with a reason or publishes unasked; with the abuse cases."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.conftest import Api, Clock
from tests.helpers import CREATE_RFP, codes, create_rfp, open_rfp, register, rfp_input, rfp_mutation

FIELDS = "id question answer status askedAt answeredAt askedByViewer askedBy { name }"


def _mutation(name: str, input_type: str) -> str:
    payload = f"clarification {{ {FIELDS} }} userErrors {{ field message code }}"
    return f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ {payload} }} }}"


ASK = _mutation("askClarification", "AskClarificationInput")
ANSWER = _mutation("answerClarification", "AnswerClarificationInput")
DECLINE = _mutation("declineClarification", "DeclineClarificationInput")
PUBLISH = _mutation("publishClarification", "PublishClarificationInput")
LIST = (
    "query($rfp: ID!, $first: Int, $after: String) { rfp(id: $rfp) { enquiryDeadline "
    "clarifications(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } "
    f"edges {{ node {{ {FIELDS} }} }} }} }} }}"
)


async def ask(api: Api, key: str | None, rfp_id: str, question: str) -> dict[str, Any]:
    payload: dict[str, Any] = (await api.data(ASK, {"input": {"rfpId": rfp_id, "question": question}}, key))[
        "askClarification"
    ]
    return payload


async def answer(api: Api, key: str | None, clarification_id: str, text: str) -> dict[str, Any]:
    variables = {"input": {"clarificationId": clarification_id, "answer": text}}
    payload: dict[str, Any] = (await api.data(ANSWER, variables, key))["answerClarification"]
    return payload


async def listed(api: Api, key: str | None, rfp_id: str) -> list[dict[str, Any]]:
    rfp = (await api.data(LIST, {"rfp": rfp_id}, key))["rfp"]
    return [edge["node"] for edge in rfp["clarifications"]["edges"]] if rfp else []


async def tender(api: Api) -> tuple[dict[str, str], str]:
    keys = {}
    _, keys["buyer"] = await register(api, "BUYER", "Northwind")
    _, keys["other_buyer"] = await register(api, "BUYER", "Contoso")
    _, keys["vendor"] = await register(api, "VENDOR", "Acme Support")
    _, keys["rival"] = await register(api, "VENDOR", "Globex Care")
    return keys, await open_rfp(api, keys["buyer"])


async def test_a_question_answered_is_published_to_every_vendor_anonymized(api: Api) -> None:
    keys, rfp_id = await tender(api)
    asked = await ask(api, keys["vendor"], rfp_id, "  Are weekend chats in the expected volume?  ")
    assert asked["userErrors"] == []
    question = asked["clarification"]
    assert question["status"] == "ASKED"
    assert question["question"] == "Are weekend chats in the expected volume?"  # trimmed
    assert question["askedByViewer"] is True and question["answer"] is None
    # Unanswered: the asker and the buyer see it; the rival does not.
    assert [c["id"] for c in await listed(api, keys["rival"], rfp_id)] == []
    (for_buyer,) = await listed(api, keys["buyer"], rfp_id)
    assert for_buyer["askedBy"] == {"name": "Acme Support"} and for_buyer["askedByViewer"] is False

    answered = await answer(api, keys["buyer"], question["id"], "Yes: about 30% of tickets.")
    assert answered["userErrors"] == []
    assert answered["clarification"]["status"] == "ANSWERED" and answered["clarification"]["answeredAt"]
    for role in ("rival", "other_buyer", "vendor"):
        (seen,) = await listed(api, keys[role], rfp_id)
        assert seen["answer"] == "Yes: about 30% of tickets."
        assert seen["askedBy"] is None  # anonymized: only the buyer learns who asked
        assert seen["askedByViewer"] is (role == "vendor")
    trail = await api.data(
        "query($id: ID!) { rfp(id: $id) { auditEvents(last: 2) { edges { node { action } } } } }",
        {"id": rfp_id},
        keys["buyer"],
    )
    actions = [edge["node"]["action"] for edge in trail["rfp"]["auditEvents"]["edges"]]
    assert actions == ["clarificationAsked", "clarificationAnswered"]


async def test_the_buyer_publishes_an_unasked_clarification_and_declines_with_a_reason(api: Api) -> None:
    keys, rfp_id = await tender(api)
    variables = {"input": {"rfpId": rfp_id, "question": "Is Spanish needed?", "answer": "No."}}
    published = (await api.data(PUBLISH, variables, keys["buyer"]))["publishClarification"]
    assert published["userErrors"] == [] and published["clarification"]["status"] == "ANSWERED"
    asked = (await ask(api, keys["rival"], rfp_id, "What is your current vendor's price?"))["clarification"]
    variables = {"input": {"clarificationId": asked["id"], "reason": "Commercially confidential."}}
    declined = (await api.data(DECLINE, variables, keys["buyer"]))["declineClarification"]
    assert declined["clarification"]["status"] == "DECLINED"
    rival_sees = await listed(api, keys["rival"], rfp_id)
    assert [c["status"] for c in rival_sees] == ["ANSWERED", "DECLINED"]
    assert rival_sees[1]["answer"] == "Commercially confidential."
    assert [c["question"] for c in await listed(api, keys["vendor"], rfp_id)] == ["Is Spanish needed?"]
    assert rival_sees[0]["askedBy"] is None and rival_sees[0]["askedByViewer"] is False


async def test_questions_close_at_the_enquiry_deadline(api: Api, clock: Clock) -> None:
    keys, _ = await tender(api)
    enquiry = (clock.current + timedelta(days=7)).isoformat()
    rfp_id = await open_rfp(api, keys["buyer"], enquiryDeadline=enquiry)
    assert (await ask(api, keys["vendor"], rfp_id, "Before the deadline?"))["userErrors"] == []
    clock.advance(days=7)
    late = await ask(api, keys["vendor"], rfp_id, "After it?")
    assert codes(late) == ["DEADLINE_PASSED"] and late["clarification"] is None
    # The buyer still answers what was asked in time, and may publish more while the RFP is open.
    (question,) = await listed(api, keys["buyer"], rfp_id)
    assert (await answer(api, keys["buyer"], question["id"], "Yes."))["userErrors"] == []
    assert await api.store.clarifications.count_documents({}) == 1


async def test_an_enquiry_deadline_after_the_submission_deadline_is_refused(api: Api, clock: Clock) -> None:
    _, buyer = await register(api, "BUYER")
    late = (clock.current + timedelta(days=20)).isoformat()
    result = await api.data(CREATE_RFP, {"input": rfp_input(clock.current, enquiryDeadline=late)}, buyer)
    assert [e["field"] for e in result["createRfp"]["userErrors"]] == [["input", "enquiryDeadline"]]
    assert await api.store.rfps.count_documents({}) == 0


async def test_pages_of_clarifications(api: Api) -> None:
    keys, rfp_id = await tender(api)
    for number in range(3):
        await ask(api, keys["vendor"], rfp_id, f"Question {number}")
    first = (await api.data(LIST, {"rfp": rfp_id, "first": 2}, keys["buyer"]))["rfp"]["clarifications"]
    assert first["totalCount"] == 3 and first["pageInfo"]["hasNextPage"] is True
    after = first["pageInfo"]["endCursor"]
    rest = (await api.data(LIST, {"rfp": rfp_id, "first": 2, "after": after}, keys["buyer"]))["rfp"]
    assert [e["node"]["question"] for e in rest["clarifications"]["edges"]] == ["Question 2"]


async def test_abuse_competitors_careless_clients_and_anonymous_callers(api: Api) -> None:
    keys, rfp_id = await tender(api)
    question = (await ask(api, keys["vendor"], rfp_id, "A fair question"))["clarification"]
    # Only vendors ask; the anonymous caller and buyers are refused, nothing is written.
    assert codes(await ask(api, None, rfp_id, "hello")) == ["FORBIDDEN"]
    assert codes(await ask(api, keys["buyer"], rfp_id, "hello")) == ["FORBIDDEN"]
    # A rival vendor or another buyer cannot answer or decline: as if the question did not exist.
    for role in ("rival", "other_buyer"):
        assert codes(await answer(api, keys[role], question["id"], "Leaked")) == ["NOT_FOUND"]
    assert codes(await answer(api, None, question["id"], "Leaked")) == ["NOT_FOUND"]
    # Careless input: empty, invisible characters, huge, unknown ids, ids of another type.
    for text, code in (("   ", "INVALID"), ("a\u202eb", "INVALID"), ("x" * 5001, "INVALID")):
        refused = await ask(api, keys["vendor"], rfp_id, text)
        assert codes(refused) == [code] and refused["userErrors"][0]["field"] == ["input", "question"]
    assert codes(await answer(api, keys["buyer"], question["id"], "")) == ["INVALID"]
    assert codes(await answer(api, keys["buyer"], rfp_id, "wrong id type")) == ["NOT_FOUND"]
    assert codes(await ask(api, keys["vendor"], "bm9wZQ==", "unknown RFP")) == ["NOT_FOUND"]
    # Answered once; a second answer is refused and the first stays.
    assert (await answer(api, keys["buyer"], question["id"], "First"))["userErrors"] == []
    assert codes(await answer(api, keys["buyer"], question["id"], "Second")) == ["INVALID_STATE"]
    assert (await listed(api, keys["rival"], rfp_id))[0]["answer"] == "First"
    # Anonymous callers read nothing; a node lookup of a clarification follows the same rule.
    assert await listed(api, None, rfp_id) == []
    node = "query($id: ID!) { node(id: $id) { ... on Clarification { question } } }"
    assert (await api.data(node, {"id": question["id"]}, keys["rival"]))["node"] == {
        "question": "A fair question"
    }
    assert (await api.data(node, {"id": question["id"]}, None))["node"] is None
    assert await api.store.clarifications.count_documents({}) == 1


async def test_no_questions_on_drafts_or_closed_rfps(api: Api) -> None:
    keys, rfp_id = await tender(api)
    draft = await create_rfp(api, keys["buyer"])
    assert codes(await ask(api, keys["vendor"], draft["id"], "Visible?")) == ["NOT_FOUND"]
    assert (await rfp_mutation(api, "closeRfp", rfp_id, keys["buyer"]))["userErrors"] == []
    assert codes(await ask(api, keys["vendor"], rfp_id, "Too late?")) == ["INVALID_STATE"]
    variables = {"input": {"rfpId": rfp_id, "question": "q", "answer": "a"}}
    assert codes((await api.data(PUBLISH, variables, keys["buyer"]))["publishClarification"]) == [
        "INVALID_STATE"
    ]
    assert await api.store.clarifications.count_documents({}) == 0
