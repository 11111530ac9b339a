"""Hand-picked hostile ids, cursors and page sizes through the same HTTP path as every client: each
is not found or a client error, never a server error."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.api.fuzz.failures import (
    CLIENT_CODES,
    assert_client_error,
    b64,
    parties,
)
from tests.conftest import Api
from tests.helpers import SUBMIT, proposal_input, register, submit

# Hand-picked hostile inputs, through the same HTTP path as every client.

BAD_IDS = [
    "",
    " ",
    "x",
    "=",
    "%%%",
    "\x00",
    "a" * 10_000,
    b64("Rfp:"),
    b64("Rfp:zzzz"),
    b64("Rfp:" + "0" * 24),
    b64("Rfp:" + "g" * 24),
    b64("Rfp:\x00"),
    b64("Organization:" + "0" * 24),
    b64(":" + "0" * 24),
    base64.b64encode(b"\xff\xfe:\x00").decode(),
    b64("Rfp:" + json.dumps({"$ne": None})),
]


def _label(value: str) -> str:
    """A readable test id for a hostile string."""
    text = value.encode("unicode_escape").decode() or "empty"
    return text if len(text) <= 40 else f"{text[:24]}...({len(value)} chars)"


@pytest.mark.parametrize("bad_id", BAD_IDS, ids=_label)
async def test_bad_ids_read_as_not_found(api: Api, bad_id: str) -> None:
    buyer, vendor, _, _ = await parties(api)
    for key in (buyer, vendor):
        body = await api("query($id: ID!) { rfp(id: $id) { id } node(id: $id) { id } }", {"id": bad_id}, key)
        assert body == {"data": {"rfp": None, "node": None}}, body


@pytest.mark.parametrize("bad_id", BAD_IDS, ids=_label)
async def test_bad_ids_in_mutations_are_not_found(api: Api, bad_id: str) -> None:
    buyer, vendor, _, _ = await parties(api)
    calls = [
        ("mutation($id: ID!) { publishRfp(input: {rfpId: $id}) { userErrors { code } } }", buyer),
        ("mutation($id: ID!) { closeRfp(input: {rfpId: $id}) { userErrors { code } } }", buyer),
        ("mutation($id: ID!) { awardProposal(input: {proposalId: $id}) { userErrors { code } } }", buyer),
        ("mutation($id: ID!) { withdrawProposal(input: {proposalId: $id}) { userErrors { code } } }", vendor),
        ("mutation($id: ID!) { revokeApiKey(input: {keyId: $id}) { userErrors { code } } }", vendor),
    ]
    for query, key in calls:
        body = await api(query, {"id": bad_id}, key)
        assert "errors" not in body, body
        (payload,) = body["data"].values()
        assert [error["code"] for error in payload["userErrors"]] in (["NOT_FOUND"], ["INVALID"]), body
    body = await api(SUBMIT, {"input": {"rfpId": bad_id, "proposal": proposal_input()}}, vendor)
    assert [error["code"] for error in body["data"]["submitProposal"]["userErrors"]] == ["NOT_FOUND"], body


def _cursor(*values: Any) -> str:
    return b64(json.dumps(list(values)))


BAD_CURSORS = [
    "",
    "x",
    "=",
    "%%%",
    "\x00",
    "a" * 10_000,
    b64("not json"),
    b64("{}"),
    b64("null"),
    _cursor(),
    _cursor("rfp"),
    _cursor("rfp", "0" * 24, "extra"),
    _cursor("whatif", 0),
    _cursor("rfp", "zzzz"),
    _cursor("rfp", None),
    _cursor("rfp", {"$gt": ""}),
    _cursor("rfp", ["0" * 24]),
    base64.b64encode(b"\xff\xfe").decode(),
]
CONNECTIONS = {
    "rfps": "query($after: String) { rfps(first: 5, after: $after) { totalCount edges { cursor } } }",
    "proposals": "query($id: ID!, $after: String) { rfp(id: $id) { proposals(first: 5, after: $after) "
    "{ totalCount edges { cursor } } } }",
    "rankedProposals": "query($id: ID!, $after: String) { rfp(id: $id) { rankedProposals(first: 5, "
    "after: $after) { totalCount edges { rank cursor } } } }",
    "whatIf": "query($id: ID!, $after: String) { rfp(id: $id) { rankedProposals(first: 5, after: $after, "
    "weights: {slaQuality: 1, lockIn: 1, cost: 1}) { totalCount edges { rank cursor } } } }",
}
# Cursors of the right kind and arity carrying values of the wrong shape, given the RFP's local id.
FORGED_RANK_CURSORS: dict[str, Callable[[str], str]] = {
    "rank-not-int": lambda rfp: _cursor("rank", "1", rfp),
    "rank-bool": lambda rfp: _cursor("rank", True, rfp),
    "rank-negative": lambda rfp: _cursor("rank", -5, rfp),
    "rank-beyond-int": lambda rfp: _cursor("rank", 2**40, rfp),
    "key-not-str": lambda rfp: _cursor("rank", 1, 12),
    "key-other-rfp": lambda rfp: _cursor("rank", 1, "0" * 24),
    "key-past-the-end": lambda rfp: _cursor("rank", 1, rfp + "\uffff"),
    "key-operator": lambda rfp: _cursor("rank", 1, {"$gt": ""}),
    "whatif-beyond-int": lambda rfp: _cursor("whatif", 2**40),
    "whatif-float": lambda rfp: _cursor("whatif", 1.5),
    "whatif-zero": lambda rfp: _cursor("whatif", 0),
}


@pytest.mark.parametrize("cursor", BAD_CURSORS, ids=_label)
@pytest.mark.parametrize("connection", sorted(CONNECTIONS))
async def test_bad_cursors_are_bad_user_input(api: Api, connection: str, cursor: str) -> None:
    buyer, _, rfp_id, _ = await parties(api)
    body = await api(CONNECTIONS[connection], {"id": rfp_id, "after": cursor}, buyer)
    assert_client_error(body, expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] in CLIENT_CODES, body


@pytest.mark.parametrize("forged", sorted(FORGED_RANK_CURSORS))
async def test_forged_ranking_cursors_are_client_errors(api: Api, forged: str) -> None:
    buyer, _, rfp_id, _ = await parties(api)
    _, second = await register(api, "VENDOR", "Second Co")
    assert (await submit(api, second, rfp_id))["userErrors"] == []  # so a page after the first exists
    cursor = FORGED_RANK_CURSORS[forged](base64.urlsafe_b64decode(rfp_id).decode().partition(":")[2])
    for connection in ("rankedProposals", "whatIf"):
        body = await api(CONNECTIONS[connection], {"id": rfp_id, "after": cursor}, buyer)
        assert_client_error(body)


@pytest.mark.parametrize("first", [0, -1, -(2**31), 101, 2**31 - 1])
@pytest.mark.parametrize("connection", sorted(CONNECTIONS))
async def test_out_of_range_page_sizes_are_bad_user_input(api: Api, connection: str, first: int) -> None:
    buyer, _, rfp_id, _ = await parties(api)
    query = (
        CONNECTIONS[connection].replace("first: 5", "first: $first").replace("query(", "query($first: Int, ")
    )
    body = await api(query, {"id": rfp_id, "after": None, "first": first}, buyer)
    assert_client_error(body, expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] in CLIENT_CODES, body


@pytest.mark.parametrize("first", ["2147483648", "-2147483649", "99999999999999999999"])
async def test_page_sizes_beyond_int_are_graphql_errors(api: Api, first: str) -> None:
    _, vendor, _, _ = await parties(api)
    literal = await api(f"{{ rfps(first: {first}) {{ totalCount }} }}", key=vendor)
    assert_client_error(literal, expect_errors=True)
    assert "data" not in literal, literal
    variable = await api(
        "query($n: Int) { rfps(first: $n) { totalCount } }", {"n": json.loads(first)}, vendor
    )
    assert_client_error(variable, expect_errors=True)
    assert "data" not in variable, variable
