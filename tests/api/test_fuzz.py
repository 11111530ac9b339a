"""Fuzzing: schemathesis generates queries and mutations from the schema, sent as a buyer and as a vendor
to the app on the real database; then hand-picked hostile inputs (bad ids and cursors, page sizes, empty
strings, huge numbers). Nothing may be a server error: no 5xx, no masked "Internal server error", no
traceback. Bad input is a client error: userErrors, BAD_USER_INPUT, or a GraphQL request error.

RFPMARKET_FUZZ_EXAMPLES (default 50) sets the examples per operation and role; generation is
derandomized so CI runs are repeatable, unless RFPMARKET_FUZZ_RANDOM=1 asks for fresh exploration.
"""

from __future__ import annotations

import base64
import json
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import graphql
import httpx
import pytest
import schemathesis
from anyio.from_thread import BlockingPortal, start_blocking_portal
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pymongo import MongoClient
from schemathesis import GenerationMode
from schemathesis.graphql import nodes
from starlette.applications import Starlette

import schema as graphql_schema
from api.embedded import EmbeddedDatabase
from api.http.app import create_app
from api.http.graphql_view import GRAPHQL_RESPONSE_JSON
from api.settings import Settings
from market.vocabulary import ErrorCode
from scoring.model import MAX_AMOUNT, MAX_VOLUME, UNIT_RANGES, KpiMetric
from tests.conftest import Api
from tests.helpers import CREATE_RFP, REGISTER, SUBMIT, open_rfp, proposal_input, register, rfp_input, submit

# The served schema, introspected in-process: no server is needed to know what to generate.
SCHEMA = schemathesis.graphql.from_dict(
    graphql_schema.schema.execute_sync(graphql.get_introspection_query()).data or {}
)
# Queries first, so reads see the seeded records before mutations start closing and cancelling them.
OPERATIONS = sorted(
    (result.ok().label for result in SCHEMA.get_all_operations()),  # type: ignore[union-attr]
    key=lambda label: (not label.startswith("Query."), label),
)
FUZZ_SETTINGS = settings(
    max_examples=int(os.environ.get("RFPMARKET_FUZZ_EXAMPLES", "50")),
    derandomize=not os.environ.get("RFPMARKET_FUZZ_RANDOM"),
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
# Python-isms that mean an exception's text reached the client unmasked.
LEAKS = ("Traceback", "object has no attribute", "NoneType", "pymongo", "bson.", "KeyError", "Errno")


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


@dataclass
class IdPool:
    """Ids that exist (refreshed before each test), so generated reads and mutations reach real records."""

    ids: list[str] = field(default_factory=list)

    def pick(self, index: int) -> str:
        return self.ids[index % len(self.ids)] if self.ids else ""


POOL = IdPool()
FORGED_IDS = st.one_of(
    st.text(max_size=40),
    st.builds(
        lambda kind, rest: b64(f"{kind}:{rest}"),
        st.sampled_from(["Rfp", "Proposal", "Organization"]),
        st.text(),
    ),
    st.sampled_from(
        ["", "=", "Rfp:", b64("Rfp:"), b64("Rfp:" + "0" * 24), b64("Rfp:zzzz"), "\x00", "a" * 2000]
    ),
)


def mostly(plausible: st.SearchStrategy[Any], hostile: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Three draws in four plausible, so generated inputs get past validation into the code behind it.
    (one_of would not do: it picks among distinct strategies evenly, however often one is listed.)"""
    return st.integers(0, 3).flatmap(lambda draw: hostile if draw == 3 else plausible)


ID_VALUES = mostly(st.integers(0, 1000).map(POOL.pick), FORGED_IDS)
DECIMAL_VALUES = mostly(
    st.decimals(min_value=0, max_value=10**6, places=2).map(str),
    st.one_of(
        st.decimals(allow_nan=True, allow_infinity=True).map(str),
        st.sampled_from(["1e400", "-1e400", "NaN", "sNaN", "-0", "1e-400", "", "abc", "1_0", "9" * 40]),
    ),
)
DATETIME_VALUES = mostly(
    st.integers(60, 400 * 86400).map(
        lambda seconds: (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()
    ),
    st.one_of(
        st.datetimes().map(datetime.isoformat),
        st.sampled_from(
            ["", "now", "2024-02-30T00:00:00Z", "9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00"]
        ),
    ),
)
INT_VALUES = mostly(
    st.integers(0, 120),
    st.one_of(st.integers(-(2**31), 2**31 - 1), st.sampled_from([-1, 101, 2**31 - 1, -(2**31)])),
)
FLOAT_VALUES = mostly(
    st.floats(0, 100),
    st.one_of(
        st.floats(allow_nan=False, allow_infinity=False), st.sampled_from([-0.0, -1.0, 1e308, -1e308, 5e-324])
    ),
)
# Strings that pass the common checks (non-empty, a currency code, an email) most of the time.
STRING_VALUES = mostly(
    st.one_of(st.just("USD"), st.emails(), st.text(min_size=1, max_size=40)),
    st.one_of(st.text(), st.sampled_from(["", " ", "\x00", "a" * 5000])),
)
schemathesis.graphql.scalar("String", STRING_VALUES.map(nodes.String))
schemathesis.graphql.scalar("ID", ID_VALUES.map(nodes.String))
schemathesis.graphql.scalar("Decimal", DECIMAL_VALUES.map(nodes.String))
schemathesis.graphql.scalar("DateTime", DATETIME_VALUES.map(nodes.String))
schemathesis.graphql.scalar("Int", INT_VALUES.map(nodes.Int))
schemathesis.graphql.scalar("Float", FLOAT_VALUES.map(nodes.Float))


FLAT_PRICING = graphql.parse_value('{flatMonthly: {monthlyFee: {amount: "9000.00", currencyCode: "USD"}}}')


class OneKeyPricing(graphql.Visitor):
    """hypothesis-graphql ignores @oneOf: keep one non-null key of each `pricing` literal (a flat fee when
    none was drawn), or nearly every generated proposal would stop at validation. The one-key rule has
    its own tests."""

    def enter_object_field(self, node: graphql.ObjectFieldNode, *_: Any) -> graphql.ObjectFieldNode | None:
        value = node.value
        if node.name.value != "pricing" or not isinstance(value, graphql.ObjectValueNode):
            return None
        keys = [field for field in value.fields if not isinstance(field.value, graphql.NullValueNode)]
        one = graphql.ObjectValueNode(fields=tuple(keys[:1])) if keys else FLAT_PRICING
        return graphql.ObjectFieldNode(name=node.name, value=one)


def with_one_key_pricing(query: str) -> str:
    try:
        document = graphql.parse(query)
    except graphql.GraphQLError:
        return query
    return graphql.print_ast(graphql.visit(document, OneKeyPricing()))


def server_failures(response: httpx.Response) -> list[str]:
    """What makes a response a server error; empty for a success or a clean client error."""
    if response.status_code >= 500:
        return [f"HTTP {response.status_code}"]
    try:
        body = response.json()
    except ValueError:
        return [f"not JSON: {response.text[:200]}"]
    problems = []
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        message = str(error.get("message", ""))
        if code == "INTERNAL_SERVER_ERROR" or "Internal server error" in message:
            problems.append(f"internal error: {message}")
        elif any(leak in message for leak in LEAKS):
            problems.append(f"unmasked error: {message}")
    return problems


def status_mismatch(response: httpx.Response) -> str | None:
    """application/graphql-response+json: 200 with `data` once executed, 400 without it when not."""
    if response.status_code not in (200, 400):
        return f"status {response.status_code}"
    if ("data" in response.json()) != (response.status_code == 200):
        return f"status {response.status_code} does not match the data entry"
    return None


class SyncClient:
    """httpx over ASGI, driven from sync (hypothesis) code through one event loop that also runs the
    app's lifespan: the database client belongs to the loop it was opened on."""

    def __init__(self, portal: BlockingPortal, app: Starlette) -> None:
        self.portal = portal
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.portal.call(partial(self.client.post, url, **kwargs))


@contextmanager
def serving(app: Starlette) -> Iterator[SyncClient]:
    with (
        start_blocking_portal() as portal,
        portal.wrap_async_context_manager(app.router.lifespan_context(app)),
    ):
        client = SyncClient(portal, app)
        yield client
        portal.call(client.client.aclose)


@dataclass
class FuzzTarget:
    client: SyncClient
    keys: dict[str, str] = field(default_factory=dict)
    organizations: list[str] = field(default_factory=list)

    def gql(self, query: str, variables: dict[str, Any] | None = None, role: str | None = None) -> Any:
        headers = {"authorization": f"Bearer {self.keys[role]}"} if role else {}
        response = self.client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        body = response.json()
        assert response.status_code == 200 and "errors" not in body, body
        return body["data"]

    def seed(self) -> list[str]:
        """A fresh OPEN RFP with a proposal, a sealed one, and a draft: mutations fuzzed earlier may have
        cancelled or awarded the older ones. Returns their ids, the open RFP's first."""
        now = datetime.now(UTC)
        open_rfp = self.open_rfp(rfp_input(now))
        sealed = self.open_rfp(rfp_input(now, sealed=True, title="Sealed support desk"))
        draft = self.create_rfp(rfp_input(now, title="Draft"))
        proposal = self.gql(SUBMIT, {"input": {"rfpId": open_rfp, "proposal": proposal_input()}}, "vendor")
        self.gql(SUBMIT, {"input": {"rfpId": sealed, "proposal": proposal_input("9000.00")}}, "vendor")
        return [open_rfp, proposal["submitProposal"]["proposal"]["id"], sealed, draft]

    def create_rfp(self, data: dict[str, Any]) -> str:
        payload = self.gql(CREATE_RFP, {"input": data}, "buyer")["createRfp"]
        assert payload["userErrors"] == [], payload
        rfp_id: str = payload["rfp"]["id"]
        return rfp_id

    def open_rfp(self, data: dict[str, Any]) -> str:
        rfp_id = self.create_rfp(data)
        publish = "mutation($id: ID!) { publishRfp(input: {rfpId: $id}) { userErrors { code } } }"
        assert self.gql(publish, {"id": rfp_id}, "buyer")["publishRfp"]["userErrors"] == []
        return rfp_id


@pytest.fixture(scope="module")
def fuzz(database_server: EmbeddedDatabase) -> Iterator[FuzzTarget]:
    """The app on its own database, started (lifespan) once for the module."""
    db = f"test_fuzz_{uuid.uuid4().hex[:12]}"
    # Generous rate limits: generated registrations and writes should reach the code past the limiters.
    generous = {"register_rate_limit": 100_000, "register_rate_limit_global": 100_000}
    generous |= {"write_rate_limit_per_address": 100_000, "write_rate_limit_per_organization": 100_000}
    app = create_app(Settings(db=db, write_rate_limit_global=100_000, **generous), database_server.uri)
    try:
        with serving(app) as client:
            target = FuzzTarget(client)
            for kind in ("BUYER", "VENDOR"):
                variables = {
                    "input": {"name": f"Fuzz {kind}", "kind": kind, "contactEmail": "fuzz@example.com"}
                }
                payload = target.gql(REGISTER, variables)["registerOrganization"]
                target.keys[kind.lower()] = payload["apiKey"]
                target.organizations.append(payload["organization"]["id"])
            yield target
    finally:
        with MongoClient(database_server.uri) as mongo:
            mongo.drop_database(db)


@pytest.fixture
def fresh(fuzz: FuzzTarget) -> FuzzTarget:
    spare_key = 'mutation { createApiKey(input: {label: "spare"}) { key { id } } }'
    # Spare keys only: revoking the key a test runs with would leave the rest of it anonymous.
    created = [fuzz.gql(spare_key, role=role)["createApiKey"]["key"] for role in ("buyer", "vendor")]
    spare = [key["id"] for key in created if key]  # none once fuzzing has used up the organization's keys
    # Generation favours small indexes: the open RFP and its proposal come first.
    POOL.ids[:] = [*fuzz.seed(), *fuzz.organizations, *spare]
    return fuzz


@pytest.mark.parametrize("role", ["buyer", "vendor"])
@pytest.mark.parametrize("label", OPERATIONS)
def test_generated_operations_are_never_server_errors(fresh: FuzzTarget, label: str, role: str) -> None:
    operation = SCHEMA.find_operation_by_label(label)
    assert operation is not None
    # Negative cases (schema-invalid on purpose) only exercise validation, so most cases are positive.
    cases = mostly(
        operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)
    )
    headers = {"authorization": f"Bearer {fresh.keys[role]}", "accept": GRAPHQL_RESPONSE_JSON}

    @FUZZ_SETTINGS
    @given(case=cases)
    def run(case: Any) -> None:
        query = with_one_key_pricing(case.body)
        response = fresh.client.post("/graphql", json={"query": query}, headers=headers)
        problems = server_failures(response)
        mismatch = None if problems else status_mismatch(response)
        assert not problems and mismatch is None, (
            f"{role}: {query}\n-> {response.status_code} {response.text[:2000]}\n{problems or mismatch}"
        )

    run()


# Valid inputs at the edges of every range, through the whole flow: create, publish, preview, submit,
# score, rank (stored and with other weights), award. Valid by construction, so everything is accepted.


def _edge(*values: Any) -> st.SearchStrategy[Any]:
    """The first value is the typical one, so a failure shrinks towards what is unusual about it."""
    return st.sampled_from(values)


MONEY = st.builds(
    lambda amount: {"amount": amount, "currencyCode": "USD"}, _edge("9000.00", "0", "0.0001", str(MAX_AMOUNT))
)
TARGETS = st.sampled_from(list(UNIT_RANGES)).flatmap(
    lambda unit: st.fixed_dictionaries(
        {
            "unit": st.just(unit.value),
            "target": _edge(*UNIT_RANGES[unit], sum(UNIT_RANGES[unit]) / 2),
            "metric": st.sampled_from([metric.value for metric in KpiMetric]),
            "comparator": _edge("AT_LEAST", "AT_MOST"),
        }
    )
)
REMEDY = st.fixed_dictionaries(
    {
        "type": st.sampled_from(
            ["SERVICE_CREDIT", "FEE_AT_RISK", "TERMINATION_RIGHT", "CORRECTIVE_ACTION_PLAN"]
        )
    },
    optional={"creditPercent": _edge(5, 0.01, 100), "afterConsecutiveBreaches": _edge(3, 1, 24)},
)
KPI = st.builds(
    lambda target, remedies, method: {**target, "remedies": remedies, "measurementMethod": method},
    TARGETS,
    st.lists(REMEDY, max_size=2),
    _edge("Monthly survey", None),
)
PRICING = st.one_of(
    st.builds(lambda fee: {"flatMonthly": {"monthlyFee": fee}}, MONEY),
    st.builds(
        lambda price, minimum: {
            "perUnit": {"unitPrice": price, "unitName": "ticket", "minimumMonthlyFee": minimum}
        },
        MONEY,
        st.none() | MONEY,
    ),
    st.builds(
        lambda base, fee: {
            "outcomeBased": {"baseMonthlyFee": base, "feePerOutcome": fee, "outcomeName": "resolved tickets"}
        },
        st.none() | MONEY,
        MONEY,
    ),
    st.builds(
        lambda rate, cap, hours: {
            "timeAndMaterials": {"hourlyRate": rate, "monthlyCap": cap, "estimatedHoursPerMonth": hours}
        },
        MONEY,
        MONEY,
        _edge(None, 0, 100_000),
    ),
)
TERMS = st.fixed_dictionaries(
    {
        "termMonths": _edge(12, 1, 120),
        "terminationNoticeDays": _edge(90, 0, 730),
        "earlyTerminationFeeMonths": _edge(0, 0.5, 60),
        "autoRenews": st.booleans(),
        "runbookOwnership": _edge("CLIENT", "SHARED", "VENDOR"),
        "toolingConfigOwnership": _edge("CLIENT", "SHARED", "VENDOR"),
        "knowledgeTransferClause": st.booleans(),
        "transitionAssistanceMonths": _edge(3, 0, 36),
        "dataExportOnExit": st.booleans(),
    }
)
STEP = st.fixed_dictionaries(
    {"level": _edge(1, 20), "role": st.just("Lead"), "responseHours": _edge(4, 0, 8_760)}
)
PROPOSALS = st.builds(
    lambda kpis, steps, pricing, terms, one_time, escalation: proposal_input(
        sla={"kpis": kpis, "reportingCadence": "MONTHLY", "escalationPath": steps},
        pricing=pricing,
        terms=terms,
        oneTimeFee=one_time,
        annualEscalationPercent=escalation,
    ),
    st.lists(KPI, max_size=3),
    st.lists(STEP, max_size=2),
    PRICING,
    TERMS,
    st.none() | MONEY,
    _edge(0, 3.5, 50),
)
RFPS = st.fixed_dictionaries(
    {
        "volume": st.builds(
            lambda expected, low, high: {
                "unitName": "tickets",
                "expected": expected,
                "low": low,
                "high": high,
            },
            _edge(9000, 0, MAX_VOLUME),
            _edge(None, 0),
            _edge(None, MAX_VOLUME),
        ),
        "evaluationMonths": _edge(12, 1, 120),
        "expectedHoursPerMonth": _edge(None, 0, 1_000_000),
        "expectedOutcomesPerMonth": _edge(None, 0, MAX_VOLUME),
        "requirements": st.lists(TARGETS, max_size=3),
        # Any single weight may be 0 or tiny; the defaults keep the sum positive.
        "weights": st.fixed_dictionaries(
            {
                "slaQuality": _edge(0.4, 0, 1e-9, 1000),
                "lockIn": _edge(0.25, 0, 1000),
                "cost": _edge(0.35, 1e-9, 1000),
            }
        ),
        "monthlyBudget": MONEY,
    }
)
SCORE = "total slaQuality lockInExposure costScore meetsRequirements findings { code } components { value } "
SCORE += "normalizedMonthlyCost { amount } monthlyCostLow { amount } monthlyCostHigh { amount } "
SCORE += "exitCost { amount }"
READ_ALL = f"""query($id: ID!) {{ rfp(id: $id) {{ proposalCount
  proposals {{ edges {{ node {{ id version score {{ {SCORE} }} }} }} }}
  rankedProposals {{ rankStability edges {{ rank score {{ total }} node {{ id }} }} }}
  whatIf: rankedProposals(weights: {{slaQuality: 1000, lockIn: 0, cost: 1e-9}}) {{ edges {{ rank }} }}
}} }}"""
PREVIEW = f"query($id: ID!, $p: ProposalInput!) {{ scorePreview(rfpId: $id, proposal: $p) {{ {SCORE} }} }}"
CLOSE = "mutation($id: ID!) { closeRfp(input: {rfpId: $id}) { userErrors { code message } } }"
AWARD = "mutation($id: ID!) { awardProposal(input: {proposalId: $id}) { userErrors { code message } } }"


def test_valid_edge_values_go_through_the_whole_flow(fuzz: FuzzTarget) -> None:
    @FUZZ_SETTINGS
    @given(rfp=RFPS, proposal=PROPOSALS)
    def run(rfp: dict[str, Any], proposal: dict[str, Any]) -> None:
        if "outcomeBased" in proposal["pricing"] and rfp["expectedOutcomesPerMonth"] is None:
            rfp = {**rfp, "expectedOutcomesPerMonth": 1000}  # outcome bids need the buyer's expected outcomes
        rfp_id = fuzz.open_rfp(rfp_input(datetime.now(UTC), **rfp))
        assert fuzz.gql(PREVIEW, {"id": rfp_id, "p": proposal}, "vendor")["scorePreview"]["total"] is not None
        submitted = fuzz.gql(SUBMIT, {"input": {"rfpId": rfp_id, "proposal": proposal}}, "vendor")
        assert submitted["submitProposal"]["userErrors"] == [], submitted
        read = fuzz.gql(READ_ALL, {"id": rfp_id}, "buyer")["rfp"]
        assert read["proposalCount"] == 1 and len(read["rankedProposals"]["edges"]) == 1, read
        proposal_id = read["proposals"]["edges"][0]["node"]["id"]
        assert fuzz.gql(CLOSE, {"id": rfp_id}, "buyer")["closeRfp"]["userErrors"] == []
        assert fuzz.gql(AWARD, {"id": proposal_id}, "buyer")["awardProposal"]["userErrors"] == []
        fuzz.gql(READ_ALL, {"id": rfp_id}, "buyer")

    run()


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


async def _parties(api: Api) -> tuple[str, str, str, str]:
    """(buyer key, vendor key, open RFP id, proposal id)."""
    _, buyer = await register(api, "BUYER")
    _, vendor = await register(api, "VENDOR")
    rfp_id = await open_rfp(api, buyer)
    proposal = await submit(api, vendor, rfp_id)
    return buyer, vendor, rfp_id, proposal["proposal"]["id"]


# Codes of errors that are the caller's fault: bad arguments, limits, and the payloads' own error codes.
CLIENT_CODES = frozenset({"BAD_USER_INPUT", "QUERY_TOO_COMPLEX", *(code.value for code in ErrorCode)})


def assert_client_error(body: dict[str, Any], *, expect_errors: bool = False) -> None:
    """No server failure, and any `errors` are the caller's: coded as such, or request errors (no path)."""
    assert not server_failures_in(body), body
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        assert code in CLIENT_CODES or "path" not in error, body
    if expect_errors:
        assert body.get("errors"), body


def server_failures_in(body: dict[str, Any]) -> list[str]:
    return server_failures(httpx.Response(200, json=body))


@pytest.mark.parametrize("bad_id", BAD_IDS, ids=_label)
async def test_bad_ids_read_as_not_found(api: Api, bad_id: str) -> None:
    buyer, vendor, _, _ = await _parties(api)
    for key in (buyer, vendor):
        body = await api("query($id: ID!) { rfp(id: $id) { id } node(id: $id) { id } }", {"id": bad_id}, key)
        assert body == {"data": {"rfp": None, "node": None}}, body


@pytest.mark.parametrize("bad_id", BAD_IDS, ids=_label)
async def test_bad_ids_in_mutations_are_not_found(api: Api, bad_id: str) -> None:
    buyer, vendor, _, _ = await _parties(api)
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
    buyer, _, rfp_id, _ = await _parties(api)
    body = await api(CONNECTIONS[connection], {"id": rfp_id, "after": cursor}, buyer)
    assert_client_error(body, expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] in CLIENT_CODES, body


@pytest.mark.parametrize("forged", sorted(FORGED_RANK_CURSORS))
async def test_forged_ranking_cursors_are_client_errors(api: Api, forged: str) -> None:
    buyer, _, rfp_id, _ = await _parties(api)
    _, second = await register(api, "VENDOR", "Second Co")
    assert (await submit(api, second, rfp_id))["userErrors"] == []  # so a page after the first exists
    cursor = FORGED_RANK_CURSORS[forged](base64.urlsafe_b64decode(rfp_id).decode().partition(":")[2])
    for connection in ("rankedProposals", "whatIf"):
        body = await api(CONNECTIONS[connection], {"id": rfp_id, "after": cursor}, buyer)
        assert_client_error(body)


@pytest.mark.parametrize("first", [0, -1, -(2**31), 101, 2**31 - 1])
@pytest.mark.parametrize("connection", sorted(CONNECTIONS))
async def test_out_of_range_page_sizes_are_bad_user_input(api: Api, connection: str, first: int) -> None:
    buyer, _, rfp_id, _ = await _parties(api)
    query = (
        CONNECTIONS[connection].replace("first: 5", "first: $first").replace("query(", "query($first: Int, ")
    )
    body = await api(query, {"id": rfp_id, "after": None, "first": first}, buyer)
    assert_client_error(body, expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] in CLIENT_CODES, body


@pytest.mark.parametrize("first", ["2147483648", "-2147483649", "99999999999999999999"])
async def test_page_sizes_beyond_int_are_graphql_errors(api: Api, first: str) -> None:
    _, vendor, _, _ = await _parties(api)
    literal = await api(f"{{ rfps(first: {first}) {{ totalCount }} }}", key=vendor)
    assert_client_error(literal, expect_errors=True)
    assert "data" not in literal, literal
    variable = await api(
        "query($n: Int) { rfps(first: $n) { totalCount } }", {"n": json.loads(first)}, vendor
    )
    assert_client_error(variable, expect_errors=True)
    assert "data" not in variable, variable


def _invalid_codes(payload: dict[str, Any]) -> list[str]:
    return sorted({error["code"] for error in payload["userErrors"]})


EMPTY_RFP_FIELDS = ["title", "scope", "currencyCode", "submissionDeadline"]


@pytest.mark.parametrize("name", EMPTY_RFP_FIELDS)
async def test_empty_strings_in_an_rfp_are_invalid(api: Api, name: str) -> None:
    _, buyer = await register(api, "BUYER")
    body = await api(CREATE_RFP, {"input": rfp_input(api.market.now(), **{name: ""})}, buyer)
    assert_client_error(body)
    if "errors" not in body:
        assert _invalid_codes(body["data"]["createRfp"]) == ["INVALID"], body


@pytest.mark.parametrize(("name", "value"), [("name", ""), ("contactEmail", ""), ("name", " ")])
async def test_empty_strings_in_a_registration_are_invalid(api: Api, name: str, value: str) -> None:
    data = {"name": "Empty Co", "kind": "VENDOR", "contactEmail": "ops@example.com", name: value}
    body = await api(REGISTER, {"input": data})
    assert "errors" not in body, body
    assert _invalid_codes(body["data"]["registerOrganization"]) == ["INVALID"], body


async def test_empty_strings_in_a_proposal_are_invalid(api: Api) -> None:
    _, vendor, rfp_id, _ = await _parties(api)
    proposal = proposal_input(summary="")
    proposal["pricing"] = {"flatMonthly": {"monthlyFee": {"amount": "", "currencyCode": ""}}}
    body = await api(SUBMIT, {"input": {"rfpId": rfp_id, "proposal": proposal}}, vendor)
    assert_client_error(body)
    if "errors" not in body:
        assert _invalid_codes(body["data"]["submitProposal"]) == ["INVALID"], body


HUGE_RFP_INPUTS: list[tuple[str, dict[str, Any]]] = [
    ("budget 1e400", {"monthlyBudget": {"amount": "1e400", "currencyCode": "USD"}}),
    ("budget NaN", {"monthlyBudget": {"amount": "NaN", "currencyCode": "USD"}}),
    ("budget Infinity", {"monthlyBudget": {"amount": "Infinity", "currencyCode": "USD"}}),
    ("budget -1", {"monthlyBudget": {"amount": "-1", "currencyCode": "USD"}}),
    ("budget 30 digits", {"monthlyBudget": {"amount": "9" * 30, "currencyCode": "USD"}}),
    (
        "target 1e308",
        {"requirements": [{"metric": "CSAT", "comparator": "AT_LEAST", "target": 1e308, "unit": "SCORE_5"}]},
    ),
    ("volume 1e308", {"volume": {"unitName": "tickets", "expected": 1e308}}),
    ("volume negative", {"volume": {"unitName": "tickets", "expected": -5}}),
    ("weights 1e308", {"weights": {"slaQuality": 1e308, "lockIn": 1e308, "cost": 1e308}}),
    ("weights zero", {"weights": {"slaQuality": 0, "lockIn": 0, "cost": 0}}),
    ("evaluationMonths max", {"evaluationMonths": 2**31 - 1}),
    ("evaluationMonths 0", {"evaluationMonths": 0}),
    ("hours 1e308", {"expectedHoursPerMonth": 1e308}),
    ("deadline naive", {"submissionDeadline": "2999-01-01T00:00:00"}),
    ("deadline past", {"submissionDeadline": "2000-01-01T00:00:00+00:00"}),
    (
        "50 requirements+",
        {"requirements": [{"metric": "CSAT", "comparator": "AT_LEAST", "target": 4, "unit": "SCORE_5"}] * 60},
    ),
]


@pytest.mark.parametrize(("label", "changes"), HUGE_RFP_INPUTS, ids=[label for label, _ in HUGE_RFP_INPUTS])
async def test_huge_and_odd_numbers_in_an_rfp_are_invalid(
    api: Api, label: str, changes: dict[str, Any]
) -> None:
    _, buyer = await register(api, "BUYER")
    body = await api(CREATE_RFP, {"input": rfp_input(api.market.now(), **changes)}, buyer)
    assert "errors" not in body, body
    assert _invalid_codes(body["data"]["createRfp"]) == ["INVALID"], body


async def test_the_latest_deadline_allowed_is_accepted_and_served(api: Api) -> None:
    """Deadlines are bounded (before 2100 UTC; year 9999 is refused, see tests/api/test_hygiene.py):
    nothing downstream may overflow at the far end of that range, in the farthest offset."""
    _, buyer = await register(api, "BUYER")
    _, vendor = await register(api, "VENDOR")
    rfp_id = await open_rfp(api, buyer, submissionDeadline="2099-12-31T09:59:59-14:00")
    assert (await submit(api, vendor, rfp_id))["userErrors"] == []
    everything = "query($id: ID!) { rfp(id: $id) { submissionDeadline proposalCount proposals { edges { node "
    everything += "{ score { total } } } } rankedProposals { edges { rank } } } }"
    for key in (buyer, vendor):
        body = await api(everything, {"id": rfp_id}, key)
        assert "errors" not in body, body


REVISE_ERRORS = (
    "mutation($input: ReviseProposalInput!) { reviseProposal(input: $input) { userErrors { code } } }"
)
HUGE_PROPOSAL_INPUTS: list[tuple[str, dict[str, Any]]] = [
    ("fee 1e400", {"pricing": {"flatMonthly": {"monthlyFee": {"amount": "1e400", "currencyCode": "USD"}}}}),
    ("fee -1e400", {"pricing": {"flatMonthly": {"monthlyFee": {"amount": "-1e400", "currencyCode": "USD"}}}}),
    ("fee NaN", {"pricing": {"flatMonthly": {"monthlyFee": {"amount": "NaN", "currencyCode": "USD"}}}}),
    ("fee sNaN", {"pricing": {"flatMonthly": {"monthlyFee": {"amount": "sNaN", "currencyCode": "USD"}}}}),
    ("fee 1e-400", {"pricing": {"flatMonthly": {"monthlyFee": {"amount": "1e-400", "currencyCode": "USD"}}}}),
    (
        "fee 40 digits",
        {"pricing": {"flatMonthly": {"monthlyFee": {"amount": "9" * 40, "currencyCode": "USD"}}}},
    ),
    (
        "unit price 1e300",
        {
            "pricing": {
                "perUnit": {"unitPrice": {"amount": "1e300", "currencyCode": "USD"}, "unitName": "ticket"}
            }
        },
    ),
    (
        "hourly 1e300",
        {
            "pricing": {
                "timeAndMaterials": {
                    "hourlyRate": {"amount": "1e300", "currencyCode": "USD"},
                    "monthlyCap": {"amount": "1e300", "currencyCode": "USD"},
                }
            }
        },
    ),
    (
        "outcome 1e300",
        {
            "pricing": {
                "outcomeBased": {
                    "feePerOutcome": {"amount": "1e300", "currencyCode": "USD"},
                    "outcomeName": "resolution",
                }
            }
        },
    ),
    ("escalation 1e308", {"annualEscalationPercent": 1e308}),
    ("one-time fee 1e400", {"oneTimeFee": {"amount": "1e400", "currencyCode": "USD"}}),
    ("term max", {"terms": {**proposal_input()["terms"], "termMonths": 2**31 - 1}}),
    ("notice negative", {"terms": {**proposal_input()["terms"], "terminationNoticeDays": -(2**31)}}),
    ("exit fee 1e308", {"terms": {**proposal_input()["terms"], "earlyTerminationFeeMonths": 1e308}}),
    (
        "kpi target 1e308",
        {
            "sla": {
                **proposal_input()["sla"],
                "kpis": [{**proposal_input()["sla"]["kpis"][0], "target": 1e308}],
            }
        },
    ),
    (
        "credit 1e308",
        {
            "sla": {
                **proposal_input()["sla"],
                "kpis": [
                    {
                        **proposal_input()["sla"]["kpis"][0],
                        "remedies": [{"type": "SERVICE_CREDIT", "creditPercent": 1e308}],
                    }
                ],
            }
        },
    ),
    ("51 kpis", {"sla": {**proposal_input()["sla"], "kpis": proposal_input()["sla"]["kpis"] * 26}}),
    (
        "escalation hours 1e308",
        {
            "sla": {
                **proposal_input()["sla"],
                "escalationPath": [{"level": 2**31 - 1, "role": "", "responseHours": 1e308}],
            }
        },
    ),
]


@pytest.mark.parametrize(
    ("label", "changes"), HUGE_PROPOSAL_INPUTS, ids=[label for label, _ in HUGE_PROPOSAL_INPUTS]
)
async def test_huge_and_odd_numbers_in_a_proposal_are_invalid(
    api: Api, label: str, changes: dict[str, Any]
) -> None:
    buyer, vendor, rfp_id, proposal_id = await _parties(api)
    _, newcomer = await register(api, "VENDOR", "Newcomer Co")
    proposal = proposal_input(**changes)
    submitted = await api(SUBMIT, {"input": {"rfpId": rfp_id, "proposal": proposal}}, newcomer)
    assert "errors" not in submitted and _invalid_codes(submitted["data"]["submitProposal"]) == ["INVALID"]
    revise = {"input": {"proposalId": proposal_id, "expectedVersion": 1, "proposal": proposal}}
    revised = await api(REVISE_ERRORS, revise, vendor)
    assert "errors" not in revised and _invalid_codes(revised["data"]["reviseProposal"]) == ["INVALID"]
    preview = "query($id: ID!, $p: ProposalInput!) { scorePreview(rfpId: $id, proposal: $p) { total } }"
    previewed = await api(preview, {"id": rfp_id, "p": proposal}, vendor)
    assert_client_error(previewed, expect_errors=True)
    assert previewed["errors"][0]["extensions"]["code"] == "INVALID", previewed
    # Nothing of it was stored: the buyer's reads, scores and ranking included, are clean.
    everything = "query($id: ID!) { rfp(id: $id) { proposals { edges { node { version score { total } } } } "
    everything += "rankedProposals { edges { rank score { total } } } } }"
    read = await api(everything, {"id": rfp_id}, buyer)
    assert "errors" not in read, read
    assert [edge["node"]["version"] for edge in read["data"]["rfp"]["proposals"]["edges"]] == [1], read


@pytest.mark.parametrize("literal", ["1e309", "-1e309", "1" + "0" * 400, "2147483648", '"1e400"', "1e400"])
async def test_number_literals_beyond_float_are_graphql_errors(api: Api, literal: str) -> None:
    buyer, _, rfp_id, _ = await _parties(api)
    query = f'mutation {{ updateRfpWeights(input: {{rfpId: "{rfp_id}", weights: '
    query += f"{{slaQuality: {literal}, lockIn: 1, cost: 1}}}}) {{ userErrors {{ code }} }} }}"
    body = await api(query, key=buyer)
    assert_client_error(body)
    assert "data" not in body or body["data"]["updateRfpWeights"]["userErrors"], body


async def test_json_numbers_beyond_float_in_variables_are_graphql_errors(api: Api) -> None:
    """json.loads turns 1e400 into inf, which GraphQL's Float must refuse as a variable coercion error."""
    buyer, _, rfp_id, _ = await _parties(api)
    query = (
        "mutation($input: UpdateRfpWeightsInput!) { updateRfpWeights(input: $input) { userErrors { code } } }"
    )
    variables = {"input": {"rfpId": rfp_id, "weights": {"slaQuality": "HUGE", "lockIn": 1, "cost": "NAN"}}}
    raw = (
        json.dumps({"query": query, "variables": variables})
        .replace('"HUGE"', "1e400")
        .replace('"NAN"', "NaN")
    )
    response = await api.client.post(
        "/graphql",
        content=raw.encode(),
        headers={"content-type": "application/json", "authorization": f"Bearer {buyer}"},
    )
    assert response.status_code in (200, 400)
    body = response.json()
    assert_client_error(body, expect_errors=True)
    assert "data" not in body, body
