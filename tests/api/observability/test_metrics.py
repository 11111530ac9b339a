"""/metrics in Prometheus format, parsed with prometheus-client's own parser; its protection."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from api.settings import Environment, Settings
from tests.conftest import Api, MakeApp
from tests.helpers import REGISTER, open_rfp, register, submit


@pytest.fixture
def settings() -> Settings:
    # Two mutations per organization per window: the third is refused (rate-limit refusals).
    return Settings(db=f"test_{uuid.uuid4().hex[:12]}", mongodb_uri=None, write_rate_limit_per_organization=2)


async def scrape(
    client: httpx.AsyncClient, token: str | None = None
) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def total(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    return sum(
        value
        for (sample, sample_labels), value in samples.items()
        if sample == name and set(labels.items()) <= set(sample_labels)
    )


async def test_metrics_cover_requests_operations_errors_db_digests_exports_and_refusals(api: Api) -> None:
    before = await scrape(api.client)
    _, buyer = await register(api, "BUYER", "Metrics Buyer")
    _, vendor = await register(api, "VENDOR", "Metrics Vendor")
    rfp_id = await open_rfp(api, buyer)
    await submit(api, vendor, rfp_id)
    export = await api.client.get(
        f"/exports/rfps/{rfp_id}/ranking.csv", headers={"Authorization": f"Bearer {buyer}"}
    )
    assert export.status_code == 200
    # The buyer's third mutation in the window is refused.
    refused = await api(
        "mutation($i: RfpIdInput!) { closeRfp(input: $i) { userErrors { code } } }",
        {"i": {"rfpId": rfp_id}},
        buyer,
    )
    assert refused["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    duplicate = {"input": {"name": "Metrics Vendor", "kind": "VENDOR", "contactEmail": "a@example.com"}}
    await api(REGISTER, duplicate)
    await api.market.digests.close()  # the background refresh the submission scheduled
    after = await scrape(api.client)

    def grew(name: str, **labels: str) -> float:
        return total(after, name, **labels) - total(before, name, **labels)

    assert (
        grew("rfpmarket_http_request_duration_seconds_count", route="/graphql", method="POST", status="200")
        >= 6
    )
    assert (
        grew(
            "rfpmarket_graphql_operation_duration_seconds_count",
            operation_type="mutation",
            field="submitProposal",
        )
        == 1
    )
    assert grew("rfpmarket_graphql_operation_duration_seconds_bucket", field="submitProposal", le="+Inf") == 1
    assert grew("rfpmarket_errors_total", source="user", code="CONFLICT") == 1
    assert grew("rfpmarket_errors_total", source="graphql", code="RATE_LIMITED") == 1
    assert grew("rfpmarket_rate_limit_refusals_total", limit="write") == 1
    assert grew("rfpmarket_db_command_duration_seconds_count", command="insert", outcome="ok") >= 2
    assert grew("rfpmarket_db_command_duration_seconds_count", command="find") >= 1
    assert grew("rfpmarket_ranking_digest_refreshes_total", outcome="ok") >= 1
    assert grew("rfpmarket_ranking_digest_lag_seconds_count") >= 1
    assert grew("rfpmarket_export_rows_total", format="csv") == 1
    assert grew("rfpmarket_export_bytes_total", format="csv") == len(export.content)


async def test_made_up_paths_and_fields_never_become_labels(api: Api) -> None:
    await api.client.get(f"/{uuid.uuid4().hex}")
    await api.client.post("/graphql", json={"query": "{ madeUp" + uuid.uuid4().hex[:8] + " }"})
    samples = await scrape(api.client)
    labels = {value for _, sample_labels in samples for _, value in sample_labels}
    assert not any(
        label.startswith("/")
        and label not in {"/graphql", "/healthz", "/readyz", "/metrics", "/exports/*", "/graphiql/*"}
        for label in labels
    )
    assert not any(label.startswith("madeUp") for label in labels)


@pytest.fixture
async def client_for(make_app: MakeApp) -> AsyncIterator[object]:
    clients: list[httpx.AsyncClient] = []

    def make(settings: Settings) -> httpx.AsyncClient:
        app = make_app(settings)
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


async def test_metrics_token_is_required_when_configured(client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(Settings(metrics_token=SecretStr("s3cret-scrape"), env=Environment.PRODUCTION))
    assert (await client.get("/metrics")).status_code == 401
    assert (await client.get("/metrics", headers={"Authorization": "Bearer guess"})).status_code == 401
    assert (await client.get("/metrics", headers={"Authorization": "Basic s3cret-scrape"})).status_code == 401
    samples = await scrape(client, "s3cret-scrape")
    assert any(name.startswith("rfpmarket_") for name, _ in samples)


async def test_production_without_token_or_port_serves_no_metrics(client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(Settings(env=Environment.PRODUCTION))
    assert (await client.get("/metrics")).status_code == 404


async def test_a_separate_metrics_port_keeps_metrics_off_the_api_port(client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(Settings(metrics_port=9464))
    assert (await client.get("/metrics")).status_code == 404


def test_the_dashboard_queries_only_metrics_the_app_exports() -> None:
    import json
    import re
    from pathlib import Path

    from prometheus_client import REGISTRY

    import api.observability.metrics  # noqa: F401  (registers the metrics)

    dashboard = json.loads((Path(__file__).parents[3] / "docs" / "grafana-dashboard.json").read_text())
    queries = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    used = {name for query in queries for name in re.findall(r"rfpmarket_[a-z_]+", query)}
    families = {family.name for family in REGISTRY.collect()}
    unknown = {name for name in used if re.sub(r"_(bucket|count|sum|total)$", "", name) not in families}
    assert used and not unknown, unknown
    assert len(dashboard["panels"]) >= 10 and dashboard["__inputs"][0]["pluginId"] == "prometheus"
