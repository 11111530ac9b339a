"""Issue 10, findings 1, 6 and 9: request limits computed in linear time, priced for what they read,
and applied identically over the WebSocket."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from api.http.limits import WHOLE_RANKING_COST, measure_operation
from api.settings import Settings
from tests.conftest import Api, MakeApp
from tests.helpers import open_rfp, register


def fragment_chain(links: int, leaf: str = "viewer { organization { id } }") -> str:
    """Each fragment spreads the previous one twice: 2^links copies of the leaf once expanded."""
    fragments = [f"fragment F0 on Query {{ {leaf} }}"]
    fragments += [f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, links + 1)]
    return f"query Chain {{ ...F{links} }} " + " ".join(fragments)


def _measure(query: str, variables: dict[str, Any] | None = None) -> tuple[Any, int]:
    document = parse(query)
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    return measure_operation(operation, fragments, variables or {})


def test_a_fragment_chain_is_measured_once_per_fragment() -> None:
    # 60 links: 2^60 expanded fields, which the old walk visited one by one (centuries).
    measure, visited = _measure(fragment_chain(60))
    assert measure.cost == 3 * 2**60
    assert visited == 1 + 2 * 60 + 3  # the operation's spread, two per link, the leaf's three fields


async def test_a_fragment_chain_is_refused_over_http(api: Api) -> None:
    body = await api(fragment_chain(60))
    assert "data" not in body or body["data"] is None
    error = body["errors"][0]
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX" and error["extensions"]["limit"] == "cost"
    # The server is still answering.
    assert (await api("{ viewer { organization { id } } }"))["data"] == {"viewer": None}


@pytest.mark.parametrize(
    ("query", "limit"),
    [
        # Aliases inside a fragment count once per expansion: 2^5 aliases.
        (fragment_chain(5, "a: viewer { organization { id } }"), "aliases"),
        # Depth through fragments nested in fields.
        (
            "query { ...D0 } fragment D0 on Query { rfps { edges { node { ...D1 } } } } "
            "fragment D1 on Rfp { proposals { edges { node { rfp { ...D2 } } } } } "
            "fragment D2 on Rfp { proposals { edges { node { rfp { buyer { id } } } } } } ",
            "depth",
        ),
        ("query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }", "fragments"),
        ("query { ...A } fragment A on Query { viewer { id } ...A }", "fragments"),
    ],
)
async def test_limits_hold_through_fragments(api: Api, query: str, limit: str) -> None:
    body = await api(query)
    codes = [(e["extensions"].get("code"), e["extensions"].get("limit")) for e in body["errors"]]
    assert ("QUERY_TOO_COMPLEX", limit) in codes, body


async def test_variable_defaults_are_priced(api: Api) -> None:
    _, key = await register(api, "BUYER")
    query = """query($n: Int = 100) { rfps(first: $n) { edges { node {
               proposals(first: $n) { edges { node { id summary } } } } } } }"""
    body = await api(query, key=key)
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX", body
    assert body["errors"][0]["extensions"]["cost"] > 100 * 100
    # A variable sent by the client wins over its default, both ways.
    assert "errors" not in await api(query, {"n": 5}, key=key)


WEIGHTS = "{slaQuality: 1, lockIn: 1, cost: 1}"


@pytest.mark.parametrize(
    "ranking",
    [
        "rankedProposals(first: 1) { rankStability }",
        f"rankedProposals(first: 1, weights: {WEIGHTS}) {{ edges {{ rank }} }}",
    ],
)
async def test_whole_ranking_reads_are_priced_per_rfp(api: Api, ranking: str) -> None:
    _, key = await register(api, "BUYER")
    rfp_id = await open_rfp(api, key)
    many = f"{{ rfps(first: 10) {{ edges {{ node {{ {ranking} }} }} }} }}"
    body = await api(many, key=key)
    error = body["errors"][0]
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX" and error["extensions"]["cost"] > 10 * 5_000
    one = f'{{ rfp(id: "{rfp_id}") {{ {ranking} }} }}'
    assert "errors" not in await api(one, key=key)


def test_what_if_weights_cost_only_when_given() -> None:
    query = """query($w: ScoringWeightsInput) {
               rfp(id: 1) { rankedProposals(first: 1, weights: $w) { totalCount } } }"""
    without, _ = _measure(query)
    given, _ = _measure(query, {"w": {"cost": 1}})
    assert given.cost - without.cost == WHOLE_RANKING_COST


def test_rank_stability_is_priced_once_per_connection_not_per_edge() -> None:
    measure, _ = _measure("{ rfp(id: 1) { rankedProposals(first: 100) { rankStability edges { rank } } } }")
    # rfp 1 + rankedProposals 1 + rankStability (1 + whole ranking) + 100 x (edges 1 + rank 1)
    assert measure.cost == 1 + 1 + 1 + WHOLE_RANKING_COST + 100 * 2


# ------------------------------------------------------------------------------------- WebSocket


@pytest.fixture
def socket_client(make_app: MakeApp, settings: Settings) -> Iterator[TestClient]:
    app = make_app(settings.model_copy(update={"max_body_bytes": 20_000}))
    with TestClient(app) as client:
        yield client
        client.portal.call(app.state.market_state.store.client.drop_database, settings.db)  # type: ignore[union-attr]


def _socket_result(client: TestClient, query: str) -> dict[str, Any]:
    with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as socket:
        socket.send_json({"type": "connection_init"})
        assert socket.receive_json()["type"] == "connection_ack"
        socket.send_json({"id": "1", "type": "subscribe", "payload": {"query": query}})
        message: dict[str, Any] = socket.receive_json()
        return message


def test_websocket_applies_the_same_limits(socket_client: TestClient) -> None:
    message = _socket_result(socket_client, fragment_chain(60))
    assert message["type"] == "error"
    assert message["payload"][0]["extensions"] == {
        "code": "QUERY_TOO_COMPLEX", "limit": "cost", "cost": 3 * 2**60, "max": 25_000
    }  # fmt: skip


def test_websocket_refuses_queries_and_mutations(socket_client: TestClient) -> None:
    mutation = (
        "mutation { registerOrganization("
        'input: {name: "Ws", kind: BUYER, contactEmail: "a@b.co"}) { apiKey } }'
    )
    for operation in (mutation, "{ viewer { organization { id } } }"):
        message = _socket_result(socket_client, operation)
        assert message["type"] == "error"
        assert message["payload"][0]["extensions"]["code"] == "OPERATION_NOT_ALLOWED"
    http = socket_client.post("/graphql", json={"query": "{ viewer { organization { id } } }"})
    assert http.json() == {"data": {"viewer": None}}


def test_websocket_messages_obey_the_body_limit(socket_client: TestClient) -> None:
    with socket_client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as socket:
        socket.send_json({"type": "connection_init"})
        assert socket.receive_json()["type"] == "connection_ack"
        query = "{ viewer { organization { id } } }" + " " * 30_000
        socket.send_json({"id": "1", "type": "subscribe", "payload": {"query": query}})
        with pytest.raises(WebSocketDisconnect) as closed:
            socket.receive_json()
        assert closed.value.code == 1009


def test_audit_event_pages_are_priced_by_first_or_last() -> None:
    by_first, _ = _measure("{ rfp(id: 1) { auditEvents(first: 100) { edges { node { action } } } } }")
    by_last, _ = _measure("{ rfp(id: 1) { auditEvents(last: 100) { edges { node { action } } } } }")
    default, _ = _measure("{ rfp(id: 1) { auditEvents { edges { node { action } } } } }")
    # rfp 1 + auditEvents 1 + pages x (edges 1 + node 1 + action 1)
    assert by_first.cost == by_last.cost == 2 + 100 * 3
    assert default.cost == 2 + 20 * 3
