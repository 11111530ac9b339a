"""GraphiQL served entirely by the app: every script and stylesheet from this origin, a strict CSP."""

from __future__ import annotations

import re

import httpx

from api.settings import Environment, Settings
from tests.conftest import Api, MakeApp

BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


async def test_graphiql_page_loads_only_same_origin_assets_under_a_strict_csp(api: Api) -> None:
    page = await api.client.get("/graphql", headers=BROWSER)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert (
        "script-src 'self';" in policy and "default-src 'none'" in policy and "connect-src 'self'" in policy
    )
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert (
        "http://" not in page.text
        and "https://" not in page.text
        and "//" not in page.text.replace("://", "")
    )
    assert "<script>" not in page.text  # no inline script: the policy would block it
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert len(sources) == 6 and all(source.startswith("/graphiql/") for source in sources)
    for source in sources:
        asset = await api.client.get(source)
        assert asset.status_code == 200, (source, asset.text[:200])
        assert asset.headers["content-security-policy"] == policy
        assert asset.headers["content-type"].split(";")[0] in ("text/javascript", "text/css")
    library = await api.client.get("/graphiql/graphiql.js")
    assert "createFetcher" in library.text and len(library.content) > 100_000


async def test_asset_names_are_a_fixed_list(api: Api) -> None:
    for name in ("..%2F..%2Fpyproject.toml", "react%2Fpackage.json", "graphiql.min.js", "x.js"):
        response = await api.client.get(f"/graphiql/{name}")
        assert response.status_code == 404, name


async def test_production_serves_neither_graphiql_nor_its_assets(make_app: MakeApp) -> None:
    app = make_app(Settings(env=Environment.PRODUCTION))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        assert (await client.get("/graphiql/graphiql.js")).status_code == 404
        page = await client.get("/graphql", headers=BROWSER)
        assert "GraphiQL" not in page.text
