"""Issue 15: subscriptions over graphql-transport-ws, with real sockets against `rfpmarket serve`.

The in-process app (the `api` fixture) and a served instance share one database: events written
through one reach subscribers of the other, through the served instance's change stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import httpx
import pytest
import websockets
from gql import Client, gql
from gql.transport.websockets import WebsocketsTransport
from websockets.asyncio.client import ClientConnection
from websockets.typing import Subprotocol

from api.cli.main import uvicorn_options
from api.embedded import EmbeddedDatabase, free_port
from api.services.ground import MarketGround, utcnow
from api.services.live import Change, LiveFeed, LiveLimits, Subscriber
from api.services.market import MarketService
from api.settings import Settings
from market.live import SubscriptionRefused
from schema.common import local_id
from tests.api.services.test_addenda import amend
from tests.api.services.test_clarifications import PUBLISH, answer, ask
from tests.api.services.test_evaluation import CONSENSUS, team_tender
from tests.api.services.test_members import CHANGE_ROLE, member_key
from tests.conftest import Api, Clock, ServeApp
from tests.helpers import open_rfp, proposal_input, proposal_mutation, register, rfp_mutation, submit

RANKING = (
    "subscription($id: ID!) { rankingChanged(rfpId: $id) { rfpId proposalCount proposalId rank total at } }"
)
RFP_EVENTS = "subscription($id: ID!) { rfpEvents(rfpId: $id) { rfpId kind at } }"
MY_PROPOSALS = "subscription { myProposalEvents { proposalId rfpId kind at } }"
REVOKE = "mutation($id: ID!) { revokeApiKey(input: {keyId: $id}) { userErrors { code } } }"
CREATE_KEY = 'mutation { createApiKey(input: {label: "dashboard"}) { apiKey key { id } } }'
SCORE = "query($id: ID!) { node(id: $id) { ... on Proposal { score { total } } } }"
PROTOCOL = [Subprotocol("graphql-transport-ws")]
WAIT = 15.0  # seconds an expected message may take on a busy machine


def _wait_ready(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"the server did not become ready at {url}\n{log.read_text(errors='replace')}")


@contextmanager
def serve(uri: str, db: str, folder: Path, **env: str) -> Iterator[str]:
    """`rfpmarket serve` on a free port; yields its ws:// endpoint."""
    port, log = free_port(), folder / f"server-{uuid.uuid4().hex[:6]}.log"
    environment = {**os.environ, "MONGODB_URI": uri, "RFPMARKET_DB": db, **env}
    command = [sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--data-dir", str(folder)]
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=environment, stdout=output, stderr=subprocess.STDOUT)
    try:
        _wait_ready(process, f"http://127.0.0.1:{port}/readyz", log)
        yield f"ws://127.0.0.1:{port}/graphql"
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Socket:
    """A graphql-transport-ws client over a real WebSocket."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection

    async def subscribe(self, operation_id: str, query: str, variables: dict[str, Any] | None = None) -> None:
        message = {
            "id": operation_id,
            "type": "subscribe",
            "payload": {"query": query, "variables": variables or {}},
        }
        await self.connection.send(json.dumps(message))

    async def receive(self, timeout: float = WAIT) -> dict[str, Any]:
        while True:
            message: dict[str, Any] = json.loads(await asyncio.wait_for(self.connection.recv(), timeout))
            if message["type"] == "ping":
                await self.connection.send(json.dumps({"type": "pong"}))
                continue
            return message

    async def nothing_within(self, seconds: float) -> None:
        with pytest.raises(TimeoutError):
            await self.receive(seconds)


@asynccontextmanager
async def socket(url: str, key: str | None = None, header: bool = False) -> AsyncIterator[Socket]:
    headers = {"Authorization": f"Bearer {key}"} if key and header else None
    async with websockets.connect(url, subprotocols=PROTOCOL, additional_headers=headers) as ws:
        payload = {"authorization": f"Bearer {key}"} if key and not header else {}
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        client = Socket(ws)
        ack = await client.receive()
        assert ack["type"] == "connection_ack", ack
        yield client


@pytest.fixture
def second(api: Api, database_server: EmbeddedDatabase, tmp_path: Path) -> Iterator[str]:
    """A second instance (`rfpmarket serve`) on the in-process app's database."""
    db = api.store.db.name
    with serve(database_server.uri, db, tmp_path, RFPMARKET_SUBSCRIPTION_RECHECK_SECONDS="0.3",
               RFPMARKET_MAX_SUBSCRIPTIONS_PER_CONNECTION="3") as url:  # fmt: skip
        yield url


async def test_an_event_written_through_one_instance_reaches_the_other(api: Api, second: str) -> None:
    _, buyer = await register(api, "BUYER")
    _, vendor = await register(api, "VENDOR")
    rfp_id = await open_rfp(api, buyer)
    async with socket(second, vendor) as client:  # the key in connection_init, as browsers send it
        await client.subscribe("1", RFP_EVENTS, {"id": rfp_id})
        await asyncio.sleep(0.3)  # the subscription is registered before the change commits
        closed = await rfp_mutation(api, "closeRfp", rfp_id, buyer)
        assert closed["userErrors"] == []
        message = await client.receive()
        assert message["type"] == "next", message
        assert message["payload"].get("errors") is None, message
        event = message["payload"]["data"]["rfpEvents"]
        assert (event["rfpId"], event["kind"]) == (rfp_id, "CLOSED")
        await client.nothing_within(1.0)  # once, not twice


async def test_a_sealed_ranking_carries_the_count_only(api: Api, second: str) -> None:
    _, buyer = await register(api, "BUYER")
    _, vendor = await register(api, "VENDOR")
    sealed_rfp = await open_rfp(api, buyer, sealed=True)
    open_bid_rfp = await open_rfp(api, buyer, sealed=False)
    async with socket(second, buyer, header=True) as client:  # the header works as well
        await client.subscribe("sealed", RANKING, {"id": sealed_rfp})
        await client.subscribe("open", RANKING, {"id": open_bid_rfp})
        await asyncio.sleep(0.3)
        submitted = await submit(api, vendor, sealed_rfp)
        assert submitted["userErrors"] == []
        message = await client.receive()
        assert message["id"] == "sealed"
        assert message["payload"]["data"]["rankingChanged"] | {"at": None} == {
            "rfpId": sealed_rfp, "proposalCount": 1, "proposalId": None, "rank": None, "total": None,
            "at": None,
        }  # fmt: skip
        visible = (await submit(api, vendor, open_bid_rfp))["proposal"]
        message = await client.receive()
        change = message["payload"]["data"]["rankingChanged"]
        assert message["id"] == "open"
        assert (change["proposalId"], change["rank"], change["proposalCount"]) == (visible["id"], 1, 1)
        # The total the buyer reads of the proposal (a vendor reads a disclosed view of its own).
        read = await api.data(SCORE, {"id": visible["id"]}, buyer)
        assert change["total"] == pytest.approx(read["node"]["score"]["total"])


async def test_vendors_hear_only_of_their_own_proposals(api: Api, second: str) -> None:
    _, buyer = await register(api, "BUYER")
    _, vendor = await register(api, "VENDOR", "Vendor A")
    _, competitor = await register(api, "VENDOR", "Vendor B")
    rfp_id = await open_rfp(api, buyer, sealed=False)
    async with socket(second, competitor) as client:
        await client.subscribe("mine", MY_PROPOSALS)
        # A competitor may not follow the buyer's ranking, sealed or not.
        await client.subscribe("spy", RANKING, {"id": rfp_id})
        refused = await client.receive()
        assert (refused["id"], refused["type"]) == ("spy", "next")
        assert refused["payload"]["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        assert (await client.receive())["type"] == "complete"
        await asyncio.sleep(0.3)
        theirs = (await submit(api, vendor, rfp_id))["proposal"]
        await proposal_mutation(api, "withdrawProposal", theirs["id"], vendor)
        mine = (await submit(api, competitor, rfp_id))["proposal"]
        message = await client.receive()
        event = message["payload"]["data"]["myProposalEvents"]
        assert (event["proposalId"], event["kind"]) == (mine["id"], "SUBMITTED")
        await client.nothing_within(1.0)


async def test_hostile_and_careless_callers_are_refused(api: Api, second: str) -> None:
    _, buyer = await register(api, "BUYER")
    rfp_id = await open_rfp(api, buyer)
    # A made-up key closes the socket with graphql-transport-ws's refusal of connection_init.
    async with websockets.connect(second, subprotocols=PROTOCOL) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": "Bearer nope"}}))
        with pytest.raises(websockets.ConnectionClosed):
            await asyncio.wait_for(ws.recv(), WAIT)
        assert ws.close_code == 4403
    # The same for a made-up key in the header (HTTP answers it UNAUTHENTICATED; never anonymous).
    bad_header = {"Authorization": "Bearer nope"}
    async with websockets.connect(second, subprotocols=PROTOCOL, additional_headers=bad_header) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        with pytest.raises(websockets.ConnectionClosed):
            await asyncio.wait_for(ws.recv(), WAIT)
        assert ws.close_code == 4403
    async with socket(second) as anonymous:
        await anonymous.subscribe("1", RFP_EVENTS, {"id": rfp_id})
        message = await anonymous.receive()
        assert message["payload"]["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    async with socket(second, buyer) as careless:
        for n in range(4):  # the per-connection cap is 3 on this instance
            await careless.subscribe(str(n), RFP_EVENTS, {"id": rfp_id})
        message = await careless.receive()  # whichever started fourth: they start concurrently
        assert message["payload"]["errors"][0]["extensions"]["code"] == "TOO_MANY_SUBSCRIPTIONS"
        assert (await careless.receive())["type"] == "complete"
        await careless.nothing_within(0.5)  # the other three stay


async def test_a_revoked_key_ends_its_subscriptions(api: Api, second: str) -> None:
    _, buyer = await register(api, "BUYER")
    rfp_id = await open_rfp(api, buyer)
    created = (await api.data(CREATE_KEY, key=buyer))["createApiKey"]
    async with socket(second, created["apiKey"]) as client:
        await client.subscribe("1", RFP_EVENTS, {"id": rfp_id})
        await asyncio.sleep(0.3)
        revoked = await api.data(REVOKE, {"id": created["key"]["id"]}, buyer)
        assert revoked["revokeApiKey"]["userErrors"] == []
        message = await client.receive()
        assert message["payload"]["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_a_slow_subscriber_is_dropped_not_buffered() -> None:
    subscriber = Subscriber(lambda change: True, capacity=2)
    for n in range(3):
        subscriber.offer(Change("closed", None, None, None))  # type: ignore[arg-type]
        assert subscriber.queue.qsize() == min(n + 1, 2)
    with pytest.raises(SubscriptionRefused) as dropped:
        asyncio.run(subscriber.next(0.1))
    assert dropped.value.code == "SLOW_SUBSCRIBER"


class RemoteApi(Api):
    """The helpers' client against a served instance's HTTP endpoint."""

    def __init__(self, base_url: str) -> None:
        self.client = httpx.AsyncClient(base_url=base_url, timeout=WAIT)
        self.market = cast(MarketService, SimpleNamespace(now=utcnow))


async def test_the_stream_resumes_after_a_database_restart_without_loss_or_duplicates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = EmbeddedDatabase(tmp_path / "db")
    database.start()
    try:
        with serve(database.uri, "live_restart", tmp_path) as url:
            remote = RemoteApi(url.replace("ws://", "http://").removesuffix("/graphql"))
            _, buyer = await register(remote, "BUYER")
            _, vendor = await register(remote, "VENDOR")
            first_rfp, second_rfp = await open_rfp(remote, buyer), await open_rfp(remote, buyer)
            async with socket(url, vendor) as client:
                await client.subscribe("mine", MY_PROPOSALS)
                await asyncio.sleep(0.3)
                before = (await submit(remote, vendor, first_rfp))["proposal"]
                event = (await client.receive())["payload"]["data"]["myProposalEvents"]
                assert event["proposalId"] == before["id"]
                # The database goes away and comes back on the same port, with its data.
                port = database.port
                database.stop()
                monkeypatch.setattr("api.embedded.free_port", lambda host="127.0.0.1": port)
                database.start()
                # Written while the stream may still be reconnecting: the resume token finds it.
                after = await _submit_when_back(remote, vendor, second_rfp)
                event = (await client.receive(30.0))["payload"]["data"]["myProposalEvents"]
                assert event["proposalId"] == after["id"]  # not the first one again
                await client.nothing_within(1.0)
            await remote.client.aclose()
    finally:
        database.stop()


async def _submit_when_back(api: Api, vendor: str, rfp_id: str) -> dict[str, Any]:
    """The instance's pool reconnects on its own; a request during that moment may fail."""
    for _ in range(60):
        try:
            payload = await submit(api, vendor, rfp_id)
        except (AssertionError, KeyError, httpx.TransportError):
            await asyncio.sleep(0.5)
            continue
        if payload.get("proposal"):
            proposal: dict[str, Any] = payload["proposal"]
            return proposal
        await asyncio.sleep(0.5)
    pytest.fail("the instance did not write again after the database restarted")


LIVE_CLIENT = Path(__file__).resolve().parents[2] / "live_client"


@pytest.fixture
def graphql_ws_client() -> list[str]:
    """The npm graphql-ws client; in CI it must run, locally it is skipped until `./dev install`."""
    node = shutil.which("node")
    if node and (LIVE_CLIENT / "node_modules" / "graphql-ws").is_dir():
        return [node, str(LIVE_CLIENT / "client.mjs")]
    if os.environ.get("CI"):
        pytest.fail("CI must run the graphql-ws client test: node and `npm ci --prefix tests/live_client`")
    pytest.skip("graphql-ws is not installed: run ./dev install (npm ci --prefix tests/live_client)")


async def test_the_graphql_ws_client_receives_events(
    api: Api, second: str, graphql_ws_client: list[str]
) -> None:
    _, buyer = await register(api, "BUYER")
    _, vendor = await register(api, "VENDOR")
    rfp_id = await open_rfp(api, buyer)
    variables = json.dumps({"id": rfp_id})
    process = await asyncio.create_subprocess_exec(
        *graphql_ws_client, second, vendor, RFP_EVENTS, variables, stdout=asyncio.subprocess.PIPE
    )
    assert process.stdout is not None
    try:
        assert (await asyncio.wait_for(process.stdout.readline(), WAIT)).strip() == b"ready"
        await asyncio.sleep(0.5)  # the subscribe message follows the acknowledgement
        assert (await rfp_mutation(api, "cancelRfp", rfp_id, buyer))["userErrors"] == []
        result = json.loads(await asyncio.wait_for(process.stdout.readline(), WAIT))
        assert result["data"]["rfpEvents"]["kind"] == "CANCELLED", result
        assert result["data"]["rfpEvents"]["rfpId"] == rfp_id
        assert await asyncio.wait_for(process.wait(), WAIT) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test_the_python_gql_client_receives_events(api: Api, second: str) -> None:
    _, buyer = await register(api, "BUYER")
    _, vendor = await register(api, "VENDOR")
    rfp_id = await open_rfp(api, buyer, sealed=False)
    transport = WebsocketsTransport(
        url=second,
        init_payload={"authorization": f"Bearer {vendor}"},
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
    )
    async with Client(transport=transport) as session:

        async def first_event() -> dict[str, Any]:
            async for result in session.subscribe(gql(MY_PROPOSALS)):
                return dict(result)
            raise AssertionError("the subscription ended without an event")

        waiting = asyncio.create_task(first_event())
        await asyncio.sleep(0.5)  # the subscription is registered before the change commits
        proposal = (await submit(api, vendor, rfp_id))["proposal"]
        event = (await asyncio.wait_for(waiting, WAIT))["myProposalEvents"]
    assert (event["proposalId"], event["rfpId"], event["kind"]) == (proposal["id"], rfp_id, "SUBMITTED")


async def _collect(client: Socket, count: int) -> dict[str, list[dict[str, Any]]]:
    """`count` events, by subscription id (events of different subscriptions interleave)."""
    by_id: dict[str, list[dict[str, Any]]] = {}
    for _ in range(count):
        message = await client.receive()
        assert message["type"] == "next" and message["payload"].get("errors") is None, message
        (event,) = message["payload"]["data"].values()
        by_id.setdefault(message["id"], []).append(event)
    return by_id


async def test_clarifications_and_addenda_reach_bidders_and_sealed_bids_stay_sealed(
    api: Api, second: str
) -> None:
    _, buyer = await register(api, "BUYER")
    _, vendor = await register(api, "VENDOR", "Vendor A")
    _, rival = await register(api, "VENDOR", "Vendor B")
    rfp_id = await open_rfp(api, buyer, sealed=True)
    mine = (await submit(api, vendor, rfp_id))["proposal"]["id"]
    theirs = (await submit(api, rival, rfp_id, proposal_input("13000.00")))["proposal"]["id"]
    async with (
        socket(second, vendor) as bidder,
        socket(second, rival) as competitor,
        socket(second, buyer) as dashboard,
    ):
        await bidder.subscribe("rfp", RFP_EVENTS, {"id": rfp_id})
        await bidder.subscribe("mine", MY_PROPOSALS)
        await competitor.subscribe("mine", MY_PROPOSALS)
        await dashboard.subscribe("ranking", RANKING, {"id": rfp_id})
        await asyncio.sleep(0.3)
        # A rival's question is between it and the buyer: nobody hears of it; the answer is public.
        asked = await ask(api, rival, rfp_id, "Are weekend chats in the expected volume?")
        assert asked["userErrors"] == []
        await bidder.nothing_within(1.0)
        assert (await answer(api, buyer, asked["clarification"]["id"], "Yes."))["userErrors"] == []
        published = {"input": {"rfpId": rfp_id, "question": "Languages?", "answer": "English only."}}
        assert (await api.data(PUBLISH, published, buyer))["publishClarification"]["userErrors"] == []
        # An addendum that changes the volume (rescoring, confirmation asked) and moves the deadline.
        volume = {"unitName": "tickets", "expected": 12000, "low": 9000, "high": 15000}
        later = (api.market.now() + timedelta(days=20)).isoformat()
        amended = await amend(api, buyer, rfp_id, volume=volume, submissionDeadline=later)
        assert amended["userErrors"] == [], amended

        events = await _collect(bidder, 6)
        assert [event["kind"] for event in events["rfp"]] == [
            "CLARIFICATION_PUBLISHED", "CLARIFICATION_PUBLISHED", "AMENDED", "DEADLINE_CHANGED",
        ]  # fmt: skip
        # The volume rescored every proposal: each bidder hears RESCORED of its own too.
        assert sorted((e["proposalId"], e["kind"]) for e in events["mine"]) == [
            (mine, "NEEDS_CONFIRMATION"), (mine, "RESCORED"),
        ]  # fmt: skip
        # The rival hears of its own proposal only, never of the vendor's.
        rivals = (await _collect(competitor, 2))["mine"]
        assert sorted((e["proposalId"], e["kind"]) for e in rivals) == [
            (theirs, "NEEDS_CONFIRMATION"), (theirs, "RESCORED"),
        ]  # fmt: skip
        # The rescoring moves the ranking; sealed before the deadline: the count only.
        (moved,) = (await _collect(dashboard, 1))["ranking"]
        assert (moved["proposalCount"], moved["proposalId"], moved["rank"], moved["total"]) == (
            2,
            None,
            None,
            None,
        )
        for client in (bidder, competitor, dashboard):
            await client.nothing_within(0.5)  # each once


async def test_shutdown_ends_subscriptions_and_stops_every_background_task(
    serve_app: ServeApp, settings: Settings, clock: Clock
) -> None:
    async with serve_app(settings, clock=clock) as served:
        market = served.market
        _, buyer = await register(served, "BUYER")
        rfp_id = await open_rfp(served, buyer)
        viewer = await market.organizations.authenticate(buyer)
        events = market.live.rfp_events(viewer, buyer, "connection", local_id(rfp_id, "Rfp"))

        async def until_it_ends() -> None:
            # The feed may still deliver the publication committed just before this subscription
            # (its change stream lags under load): read on until the subscription ends.
            async for _ in events:
                pass

        reading = asyncio.create_task(until_it_ends())
        # Subscribed, then waiting for an event (the webhook recorder follows its own stream). A wait,
        # not a measurement: generous, as a loaded 2-core CI machine needs.
        for _ in range(600):
            if len(market.feed.subscribers) == 1:
                break
            await asyncio.sleep(0.05)
        assert len(market.feed.subscribers) == 1
    # The lifespan has ended: the subscriber's wait ended with it (no recheck interval to sit out,
    # SUBSCRIPTION_RECHECK_SECONDS, 5 s, longer than this bound).
    with pytest.raises(SubscriptionRefused) as ended:
        await asyncio.wait_for(reading, 4.0)
    assert ended.value.code == "SHUTTING_DOWN"
    assert market.feed.subscribers == set()
    assert market.feed.task is not None and market.feed.task.done()
    assert market.dispatcher.tasks and all(task.done() for task in market.dispatcher.tasks)
    with pytest.raises(SubscriptionRefused):  # and no new one starts on a closed feed
        async with market.feed.subscribe("late", lambda change: True):
            pass


def _persisted(operation_id: str, sha256: str, query: str | None, variables: dict[str, Any]) -> str:
    payload: dict[str, Any] = {
        "variables": variables,
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha256}},
    }
    if query is not None:
        payload["query"] = query
    return json.dumps({"id": operation_id, "type": "subscribe", "payload": payload})


async def test_the_socket_speaks_persisted_queries_and_error_codes_as_http_does(
    api: Api, second: str
) -> None:
    _, buyer = await register(api, "BUYER")
    rfp_id = await open_rfp(api, buyer)
    variables = {"id": rfp_id}
    sha256 = hashlib.sha256(RFP_EVENTS.encode()).hexdigest()
    async with socket(second, buyer) as client:
        # A careless client: a subscription that does not parse gets its code, the socket stays open.
        await client.subscribe("broken", "subscription { rfpEvents(rfpId: ", variables)
        message = await client.receive()
        assert (message["id"], message["type"]) == ("broken", "error"), message
        assert message["payload"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
        # The HTTP limits hold on the socket; queries and mutations belong to HTTP.
        aliases = " ".join(f"a{n}: kind" for n in range(100))
        await client.subscribe(
            "wide", f"subscription($id: ID!) {{ rfpEvents(rfpId: $id) {{ {aliases} }} }}", variables
        )
        message = await client.receive()
        assert (message["id"], message["payload"][0]["extensions"]["code"]) == ("wide", "QUERY_TOO_COMPLEX")
        await client.subscribe("query", "{ viewer { organization { id } } }")
        message = await client.receive()
        assert (message["id"], message["payload"][0]["extensions"]["code"]) == (
            "query",
            "OPERATION_NOT_ALLOWED",
        )
        # Apollo's persisted-query link: the hash alone first, then hash and query together.
        await client.connection.send(_persisted("hash", sha256, None, variables))
        message = await client.receive()
        assert message["payload"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
        await client.connection.send(_persisted("wrong", "0" * 64, RFP_EVENTS, variables))
        message = await client.receive()
        assert message["payload"][0]["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"
        await client.connection.send(_persisted("both", sha256, RFP_EVENTS, variables))
        await asyncio.sleep(0.3)
        # Registered: the hash alone now runs (on this or any instance sharing the database).
        await client.connection.send(_persisted("again", sha256, None, variables))
        await asyncio.sleep(0.3)
        assert (await rfp_mutation(api, "closeRfp", rfp_id, buyer))["userErrors"] == []
        events = await _collect(client, 2)
        assert sorted(events) == ["again", "both"]
        assert all(event["kind"] == "CLOSED" for batch in events.values() for event in batch)


def test_the_per_instance_cap_refuses_beyond_it() -> None:
    feed = LiveFeed(cast(MarketGround, None), LiveLimits(per_connection=5, per_instance=2))

    async def hold() -> str:
        async with contextlib.AsyncExitStack() as stack:
            for connection in ("a", "b"):  # two connections, one subscription each: the instance is full
                await stack.enter_async_context(feed.subscribe(connection, lambda change: True))
            try:
                async with feed.subscribe("c", lambda change: True):
                    return "admitted"
            except SubscriptionRefused as refused:
                return refused.code

    assert asyncio.run(hold()) == "TOO_MANY_SUBSCRIPTIONS"
    assert feed.subscribers == set() and not feed.per_connection  # released on leaving


def test_the_served_socket_is_kept_alive_and_bounded() -> None:
    """`rfpmarket serve` pings each socket (a client that stops answering is closed) and caps a
    message at the HTTP body limit."""
    settings = Settings()
    options = uvicorn_options(settings)
    assert options["ws_ping_interval"] > 0 and options["ws_ping_timeout"] > 0
    assert options["ws_max_size"] == settings.max_body_bytes


async def test_trusted_documents_mode_holds_on_the_socket(
    api: Api, database_server: EmbeddedDatabase, tmp_path: Path
) -> None:
    """A hostile client cannot open a subscription the manifest lacks by switching to the socket."""
    _, buyer = await register(api, "BUYER")
    rfp_id = await open_rfp(api, buyer)
    variables = {"id": rfp_id}
    listed = hashlib.sha256(RFP_EVENTS.encode()).hexdigest()
    manifest = tmp_path / "trusted.json"
    manifest.write_text(json.dumps({listed: RFP_EVENTS}))
    db = api.store.db.name
    with serve(database_server.uri, db, tmp_path, RFPMARKET_TRUSTED_DOCUMENTS=str(manifest)) as url:
        async with socket(url, buyer) as client:
            await client.subscribe("unlisted", MY_PROPOSALS)
            message = await client.receive()
            assert (message["id"], message["type"]) == ("unlisted", "error"), message
            assert message["payload"][0]["extensions"]["code"] == "QUERY_NOT_IN_SAFELIST"
            await client.connection.send(_persisted("unknown", "0" * 64, None, variables))
            message = await client.receive()
            assert message["payload"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_IN_LIST"
            await client.connection.send(_persisted("listed", listed, None, variables))
            await asyncio.sleep(0.3)
            assert (await rfp_mutation(api, "closeRfp", rfp_id, buyer))["userErrors"] == []
            events = await _collect(client, 1)
            assert [event["kind"] for event in events["listed"]] == ["CLOSED"]


RANKED = """query($id: ID!) { rfp(id: $id) { rankedProposals(first: 10) {
  edges { rank node { id } score { total } } } } }"""
REWEIGH = (
    """mutation($input: UpdateRfpWeightsInput!) { updateRfpWeights(input: $input) { userErrors { code } } }"""
)


async def test_ranking_events_follow_the_weights_the_ranking_reads(api: Api, second: str) -> None:
    """After a re-weighting (which switches the ranking's key field and rewrites no stored total), a
    rankingChanged event places the proposal exactly as the ranked page the buyer refetches does."""
    _, buyer = await register(api, "BUYER")
    rfp_id = await open_rfp(api, buyer, sealed=False)
    for name, fee in (("Cheap", "5000.00"), ("Dear", "12000.00")):
        _, vendor = await register(api, "VENDOR", name)
        assert (await submit(api, vendor, rfp_id, proposal_input(fee)))["userErrors"] == []
    weights = {"rfpId": rfp_id, "weights": {"slaQuality": 0.1, "lockIn": 0.1, "cost": 0.8}}
    assert (await api.data(REWEIGH, {"input": weights}, buyer))["updateRfpWeights"]["userErrors"] == []
    _, late = await register(api, "VENDOR", "Late")
    async with socket(second, buyer) as client:
        await client.subscribe("ranking", RANKING, {"id": rfp_id})
        await asyncio.sleep(0.3)
        proposal = (await submit(api, late, rfp_id, proposal_input("8000.00")))["proposal"]
        change = (await client.receive())["payload"]["data"]["rankingChanged"]
    edges = (await api.data(RANKED, {"id": rfp_id}, buyer))["rfp"]["rankedProposals"]["edges"]
    shown = next(edge for edge in edges if edge["node"]["id"] == proposal["id"])
    assert change["proposalId"] == proposal["id"]
    assert (change["rank"], change["total"]) == (shown["rank"], pytest.approx(shown["score"]["total"]))


async def test_a_consensus_score_moves_the_ranking_the_team_watches(api: Api, second: str) -> None:
    """Consensus enters the overall total (issue 17): the lead's rankingChanged hears of it, with no
    rank or total (the overall order takes every consensus score: the client refetches)."""
    team = await team_tender(api)
    await team.declare("eva", "acme")
    assert (await team.score("eva", "acme", 4))["userErrors"] == []
    assert (await rfp_mutation(api, "closeRfp", team.rfp_id, team.keys["lead"]))["userErrors"] == []
    assert (await rfp_mutation(api, "openConsensus", team.rfp_id, team.keys["lead"]))["userErrors"] == []
    async with socket(second, team.keys["lead"]) as client:
        await client.subscribe("ranking", RANKING, {"id": team.rfp_id})
        await asyncio.sleep(0.3)
        agreed: dict[str, Any] = {"proposalId": team.proposals["acme"], "criterionId": team.criteria[0]}
        agreed |= {"score": 4, "reason": "Agreed."}
        assert (await team.run(CONSENSUS, agreed, "lead"))["userErrors"] == []
        message = await client.receive()
        assert message["payload"].get("errors") is None, message
        change = message["payload"]["data"]["rankingChanged"]
    assert (change["proposalId"], change["proposalCount"]) == (team.proposals["acme"], 2)
    assert (change["rank"], change["total"]) == (None, None)


async def test_a_members_subscription_lasts_until_its_role_changes(api: Api, second: str) -> None:
    """A member's key is re-checked like an organization's (it is not "revoked" at the first
    re-check); when the owner changes the member's role, what it may read changed: its
    subscriptions end with FORBIDDEN, and it subscribes again under the new role."""
    _, owner = await register(api, "BUYER", "Role Buyer")
    rfp_id = await open_rfp(api, owner, sealed=False)
    lead_id, lead = await member_key(api, owner, "PROCUREMENT_LEAD", "Lea Lead")
    _, vendor = await register(api, "VENDOR", "Role Vendor")
    async with socket(second, lead) as client:
        await client.subscribe("ranking", RANKING, {"id": rfp_id})
        await asyncio.sleep(1.0)  # beyond the second instance's re-check interval (0.3 s)
        proposal = (await submit(api, vendor, rfp_id))["proposal"]
        message = await client.receive()
        assert message["payload"].get("errors") is None, message
        assert message["payload"]["data"]["rankingChanged"]["proposalId"] == proposal["id"]
        demoted = {"input": {"memberId": lead_id, "role": "OBSERVER"}}
        assert (await api.data(CHANGE_ROLE, demoted, owner))["changeMemberRole"]["userErrors"] == []
        message = await client.receive()
        assert message["payload"]["errors"][0]["extensions"]["code"] == "FORBIDDEN", message


async def test_a_reweighting_or_rescoring_addendum_tells_each_bidder_of_its_own_proposal_only(
    api: Api, second: str
) -> None:
    """RESCORED: sealed or not, each bidder with a live proposal hears of its own (it always reads its
    own score); a withdrawn bidder and a vendor with no proposal on the RFP hear nothing."""
    _, buyer = await register(api, "BUYER")
    rfp_id = await open_rfp(api, buyer, sealed=True)
    names = ("Bidder", "Rival", "Gone", "Outsider")
    keys = {name: (await register(api, "VENDOR", name))[1] for name in names}
    own = {name: (await submit(api, keys[name], rfp_id))["proposal"]["id"] for name in names[:3]}
    await proposal_mutation(api, "withdrawProposal", own["Gone"], keys["Gone"])
    async with contextlib.AsyncExitStack() as stack:
        clients = {name: await stack.enter_async_context(socket(second, key)) for name, key in keys.items()}
        for client in clients.values():
            await client.subscribe("mine", MY_PROPOSALS)
        await asyncio.sleep(0.3)
        weights = {"rfpId": rfp_id, "weights": {"slaQuality": 0.2, "lockIn": 0.2, "cost": 0.6}}
        assert (await api.data(REWEIGH, {"input": weights}, buyer))["updateRfpWeights"]["userErrors"] == []
        amended = await amend(api, buyer, rfp_id, weights={"slaQuality": 0.5, "lockIn": 0.3, "cost": 0.2})
        assert amended["userErrors"] == []
        for name in ("Bidder", "Rival"):
            heard: list[tuple[str, str]] = []
            while len(heard) < 2:
                event = (await clients[name].receive())["payload"]["data"]["myProposalEvents"]
                if event["kind"] == "RESCORED":
                    heard.append((event["proposalId"], event["rfpId"]))
            assert heard == [(own[name], rfp_id)] * 2  # the re-weighting, then the addendum
        for name in ("Gone", "Outsider"):
            await clients[name].nothing_within(1.0)


PROPOSAL_EVENTS = "subscription($id: ID!) { proposalEvents(rfpId: $id) { proposalId rfpId kind at } }"


async def test_the_buyer_hears_of_each_proposal_once_bids_are_open(api: Api, second: str) -> None:
    """proposalEvents: submitted, revised, withdrawn for the RFP's buyer; a sealed RFP says nothing
    before its deadline (not even a proposal id); a competitor vendor cannot listen at all."""
    _, buyer = await register(api, "BUYER")
    _, vendor = await register(api, "VENDOR", "Vendor A")
    _, rival = await register(api, "VENDOR", "Vendor B")
    sealed_rfp = await open_rfp(api, buyer, sealed=True)
    open_rfp_id = await open_rfp(api, buyer, sealed=False)
    async with socket(second, rival) as snoop:
        await snoop.subscribe("snoop", PROPOSAL_EVENTS, {"id": open_rfp_id})
        refused = await snoop.receive()
        assert refused["payload"]["errors"][0]["extensions"]["code"] == "NOT_FOUND", refused
    async with socket(second, buyer) as client:
        await client.subscribe("sealed", PROPOSAL_EVENTS, {"id": sealed_rfp})
        await client.subscribe("open", PROPOSAL_EVENTS, {"id": open_rfp_id})
        await asyncio.sleep(0.3)
        assert (await submit(api, vendor, sealed_rfp))["userErrors"] == []
        proposal = (await submit(api, vendor, open_rfp_id))["proposal"]
        await proposal_mutation(api, "withdrawProposal", proposal["id"], vendor)
        events = await _collect(client, 2)
        await client.nothing_within(1.0)  # the sealed RFP's submission made no event
    assert list(events) == ["open"]
    assert [(e["proposalId"], e["rfpId"], e["kind"]) for e in events["open"]] == [
        (proposal["id"], open_rfp_id, "SUBMITTED"),
        (proposal["id"], open_rfp_id, "WITHDRAWN"),
    ]
