"""Trusted-documents mode (RFPMARKET_TRUSTED_DOCUMENTS): only the manifest's operations run, by hash or
by their exact text; anything else is refused with a code before it executes, and nothing is
registered. A bad manifest stops start-up with one line."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import httpx
import pytest

from api.observability.config_check import ConfigError, load_settings
from api.settings import Settings
from tests.conftest import Clock, ServeApp
from tests.helpers import REGISTER

ME = "query Me { viewer { organization { name } } }"
RFPS = "query Rfps { rfps(first: 5) { totalCount } }"


def _hash(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def _persisted(document: str) -> dict[str, object]:
    return {"persistedQuery": {"version": 1, "sha256Hash": _hash(document)}}


def _codes(response: httpx.Response) -> list[str]:
    return [error["extensions"]["code"] for error in response.json().get("errors", [])]


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    path = tmp_path / "persisted-documents.json"
    path.write_text(json.dumps({_hash(ME): ME, _hash(RFPS): RFPS}))
    return path


async def test_only_the_manifests_documents_run(
    serve_app: ServeApp, settings: Settings, clock: Clock, manifest: Path
) -> None:
    trusted = settings.model_copy(update={"trusted_documents": manifest})
    async with serve_app(trusted, clock=clock) as api:
        by_hash = await api.client.post("/graphql", json={"extensions": _persisted(RFPS)})
        assert by_hash.json() == {"data": {"rfps": {"totalCount": 0}}}
        by_get = await api.client.get(
            "/graphql", params={"extensions": json.dumps(_persisted(RFPS)), "operationName": "Rfps"}
        )
        assert by_get.json() == by_hash.json()
        by_text = await api.client.post("/graphql", json={"query": ME})
        assert by_text.json() == {"data": {"viewer": None}}
        # A hostile caller's own operation is refused before it runs: no organization is created.
        variables = {"input": {"name": "Intruder", "kind": "VENDOR", "contactEmail": "x@example.com"}}
        mutation = await api.client.post(
            "/graphql",
            json={"query": REGISTER, "variables": variables},
            headers={"Accept": "application/graphql-response+json"},
        )
        assert mutation.status_code == 400 and _codes(mutation) == ["QUERY_NOT_IN_SAFELIST"]
        assert await api.store.db["organizations"].count_documents({}) == 0
        # Whitespace counts: the exact text is what the manifest trusts.
        assert _codes(await api.client.post("/graphql", json={"query": ME + " "})) == [
            "QUERY_NOT_IN_SAFELIST"
        ]
        # An APQ client's unknown hash, and its retry with the text: neither runs nor registers.
        unknown = {"extensions": _persisted("{ __typename }")}
        assert _codes(await api.client.post("/graphql", json=unknown)) == ["PERSISTED_QUERY_NOT_IN_LIST"]
        retry = await api.client.post("/graphql", json={"query": "{ __typename }", **unknown})
        assert _codes(retry) == ["QUERY_NOT_IN_SAFELIST"]
        assert await api.store.db["persisted_queries"].count_documents({}) == 0


def test_a_bad_manifest_stops_start_up_with_one_line(tmp_path: Path) -> None:
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps({"0" * 64: ME}))
    for path, reason in ((tmp_path / "absent.json", "cannot read"), (forged, "is not the SHA-256")):
        with pytest.raises(ConfigError) as raised:
            load_settings({"RFPMARKET_TRUSTED_DOCUMENTS": str(path)})
        (line,) = str(raised.value).splitlines()
        assert line.startswith("RFPMARKET_TRUSTED_DOCUMENTS=") and reason in line
