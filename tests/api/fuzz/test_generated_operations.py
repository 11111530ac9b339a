"""Fuzzing: schemathesis generates queries and mutations from the schema, sent as a buyer and as a vendor
to the app on the real database; then hand-picked hostile inputs (bad ids and cursors, page sizes, empty
strings, huge numbers). Nothing may be a server error: no 5xx, no masked "Internal server error", no
traceback. Bad input is a client error: userErrors, BAD_USER_INPUT, or a GraphQL request error.

RFPMARKET_FUZZ_EXAMPLES (default 50) sets the examples per operation and role; generation is
derandomized so CI runs are repeatable, unless RFPMARKET_FUZZ_RANDOM=1 asks for fresh exploration.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
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
from api.http.graphql_view import GRAPHQL_RESPONSE_JSON
from api.settings import Settings
from scoring.model import MAX_AMOUNT, MAX_VOLUME, UNIT_RANGES, KpiMetric
from tests.api.fuzz.failures import (
    b64,
    server_failures,
    status_mismatch,
)
from tests.conftest import MakeApp
from tests.helpers import CREATE_RFP, REGISTER, SUBMIT, proposal_input, rfp_input

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
def fuzz(make_app: MakeApp, database_server: EmbeddedDatabase) -> Iterator[FuzzTarget]:
    """The app on its own database, started (lifespan) once for the module."""
    db = f"test_fuzz_{uuid.uuid4().hex[:12]}"
    # Generous rate limits: generated registrations and writes should reach the code past the limiters.
    generous = {"register_rate_limit": 100_000, "register_rate_limit_global": 100_000}
    generous |= {"write_rate_limit_per_address": 100_000, "write_rate_limit_per_organization": 100_000}
    app = make_app(Settings(db=db, write_rate_limit_global=100_000, **generous))
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
