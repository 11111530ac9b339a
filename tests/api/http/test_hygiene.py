"""Input hygiene and side channels (issue 10, finding 9): far dates, look-alike names, proposal ids
probed by a competitor, the Host header in links, background work outliving its client."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator
from datetime import UTC, timedelta, timezone
from typing import Any

import pytest
from pymongo import monitoring

from api.cli.main import _seed_demo
from api.embedded import EmbeddedDatabase
from api.settings import Settings
from schema.common import to_global_id
from tests.api.services.test_round_trips import DATA_COMMANDS, Commands
from tests.conftest import Api, Clock, ServeApp
from tests.helpers import (
    CREATE_RFP,
    REGISTER,
    codes,
    open_rfp,
    proposal_mutation,
    register,
    rfp_input,
    submit,
)

# ------------------------------------------------------------------------------------ far dates


@pytest.mark.parametrize(
    "deadline", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "2200-01-01T00:00:00Z"]
)
async def test_a_far_deadline_is_an_invalid_user_error_not_a_500(api: Api, deadline: str) -> None:
    _, buyer = await register(api, "BUYER")
    body = await api(CREATE_RFP, {"input": rfp_input(api.market.now(), submissionDeadline=deadline)}, buyer)
    assert "errors" not in body, body
    payload = body["data"]["createRfp"]
    assert codes(payload) == ["INVALID"]
    assert payload["userErrors"][0]["field"] == ["input", "submissionDeadline"]
    assert "between 2000-01-01 and 2100-01-01" in payload["userErrors"][0]["message"]
    assert await api.store.rfps.count_documents({}) == 0


async def test_a_deadline_in_another_offset_is_stored_in_utc(api: Api) -> None:
    _, buyer = await register(api, "BUYER")
    deadline = (api.market.now() + timedelta(days=14)).astimezone(timezone(timedelta(hours=-14)))
    variables = {"input": rfp_input(api.market.now(), submissionDeadline=deadline.isoformat())}
    data = await api.data(CREATE_RFP, variables, buyer)
    assert data["createRfp"]["userErrors"] == []
    assert data["createRfp"]["rfp"]["submissionDeadline"] == deadline.astimezone(UTC).isoformat()


# ------------------------------------------------------------------------------- look-alike names


async def _register(api: Api, name: str, kind: str = "VENDOR") -> dict[str, Any]:
    variables = {"input": {"name": name, "kind": kind, "contactEmail": "ops@example.com"}}
    payload: dict[str, Any] = (await api.data(REGISTER, variables))["registerOrganization"]
    return payload


@pytest.mark.parametrize(
    "name",
    [
        "Acme\u200bSupport",  # zero-width space
        "Acme Support\u202e",  # right-to-left override
        "\u2066Acme Support\u2069",  # isolate controls
        "Acme\u200dSupport",  # zero-width joiner
        "\ufeffAcme Support",  # byte order mark
    ],
)
async def test_invisible_format_characters_are_refused_in_names(api: Api, name: str) -> None:
    payload = await _register(api, name)
    assert codes(payload) == ["INVALID"] and payload["userErrors"][0]["field"] == ["input", "name"]
    assert "invisible" in payload["userErrors"][0]["message"]
    assert await api.store.organizations.count_documents({}) == 0


@pytest.mark.parametrize(
    "mimic",
    [
        *("acme support", "ACME SUPPORT", "Acme  Support"),
        *("\uff21\uff43\uff4d\uff45 Support", "Acme\u3000Support"),  # full-width letters, ideographic space
    ],
)
async def test_a_name_that_reads_as_an_existing_one_is_refused(api: Api, mimic: str) -> None:
    assert (await _register(api, "Acme Support"))["userErrors"] == []
    payload = await _register(api, mimic, "BUYER")
    assert codes(payload) == ["CONFLICT"] and payload["userErrors"][0]["field"] == ["input", "name"]
    assert payload["apiKey"] is None
    assert await api.store.organizations.count_documents({}) == 1


async def test_names_are_stored_nfkc_normalized(api: Api) -> None:
    payload = await _register(api, "\uff2e\uff4f\uff52\uff54\uff48 Desk \ufb01ve")  # full-width, fi ligature
    assert payload["userErrors"] == [] and payload["organization"]["name"] == "North Desk five"


async def test_rfp_titles_refuse_format_characters_too(api: Api) -> None:
    _, buyer = await register(api, "BUYER")
    variables = {"input": rfp_input(api.market.now(), title="Support desk\u202e")}
    payload = (await api.data(CREATE_RFP, variables, buyer))["createRfp"]
    assert codes(payload) == ["INVALID"] and payload["userErrors"][0]["field"] == ["input", "title"]


# ------------------------------------------------------------- a competitor probing proposal ids


class Shapes(Commands):
    """Each data command as name:collection:projection, so equal lists mean equal work and bytes."""

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name in DATA_COMMANDS:
            projection = sorted(event.command.get("projection") or {})
            self.names.append(f"{event.command_name}:{event.command.get(event.command_name)}:{projection}")


@pytest.fixture
async def counted(
    serve_app: ServeApp, settings: Settings, clock: Clock
) -> AsyncIterator[tuple[Api, Commands]]:
    commands = Shapes()
    async with serve_app(settings, clock=clock, listeners=[commands]) as served:
        yield served, commands


PROPOSAL = "query($id: ID!) { node(id: $id) { ... on Proposal { id score { total } } } }"
MADE_UP = to_global_id("Proposal", "65a1b2c3d4e5f60718293a4b")


async def test_a_real_and_a_made_up_proposal_id_cost_a_competitor_the_same_commands(
    counted: tuple[Api, Commands],
) -> None:
    api, commands = counted
    _, buyer = await register(api, "BUYER")
    _, vendor = await register(api, "VENDOR", "Vendor")
    _, rival = await register(api, "VENDOR", "Rival")
    rfp_id = await open_rfp(api, buyer)
    real = (await submit(api, vendor, rfp_id))["proposal"]["id"]
    await api.market.digests.close()  # the submission's background fence refresh, not the probes'

    async def probe(run: Any) -> list[str]:
        commands.names.clear()
        await run()
        return list(commands.names)

    for ask in (
        lambda proposal_id: api.data(PROPOSAL, {"id": proposal_id}, rival),
        lambda proposal_id: proposal_mutation(api, "withdrawProposal", proposal_id, rival),
        lambda proposal_id: proposal_mutation(api, "shortlistProposal", proposal_id, rival),
    ):
        seen_real = await probe(lambda ask=ask: ask(real))
        seen_made_up = await probe(lambda ask=ask: ask(MADE_UP))
        assert seen_real == seen_made_up
    # And both read the proposal and an RFP: the work a real id costs is done for a made-up one.
    assert (await probe(lambda: api.data(PROPOSAL, {"id": MADE_UP}, rival)))[-2:] == [
        "find:proposals:['rfpId', 'vendorId']",
        "find:rfps:['buyerId', 'sealed', 'submissionDeadline']",
    ]
    assert (await api.data(PROPOSAL, {"id": real}, rival))["node"] is None
    assert (await api.data(PROPOSAL, {"id": real}, vendor))["node"]["id"] == real


# ------------------------------------------------------------------------- links and the Host header


async def test_the_ocds_uri_ignores_the_host_header(api: Api) -> None:
    _, buyer = await register(api, "BUYER")
    rfp_id = await open_rfp(api, buyer)
    response = await api.client.get(
        f"/exports/rfps/{rfp_id}/ocds.json",
        headers={"Authorization": f"Bearer {buyer}", "Host": "attacker.example"},
    )
    assert response.status_code == 200
    assert "attacker.example" not in response.text
    assert response.json()["uri"] == f"urn:rfpmarket:exports:rfps:{rfp_id}:ocds.json"


async def test_the_ocds_uri_uses_the_configured_public_base_url(
    serve_app: ServeApp, settings: Settings, clock: Clock
) -> None:
    configured = Settings(db=settings.db, public_base_url="https://rfp.example.com/api/")
    async with serve_app(configured, clock=clock, base_url="http://attacker.example") as api:
        _, buyer = await register(api, "BUYER")
        rfp_id = await open_rfp(api, buyer)
        response = await api.client.get(
            f"/exports/rfps/{rfp_id}/ocds.json", headers={"Authorization": f"Bearer {buyer}"}
        )
    assert response.json()["uri"] == f"https://rfp.example.com/api/exports/rfps/{rfp_id}/ocds.json"


# --------------------------------------------------------------- background work and its client


async def test_seeding_the_demo_leaves_no_refresh_behind_its_closed_client(
    database_server: EmbeddedDatabase, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    before = asyncio.all_tasks()
    with caplog.at_level(logging.ERROR):
        await _seed_demo(settings, database_server.uri)
        # Whatever the seed left running gets to run now, against the client it used.
        leftovers = asyncio.all_tasks() - before - {asyncio.current_task()}
        await asyncio.gather(*leftovers, return_exceptions=True)
    # Ours, that is: under load the driver's own wait for a pooled connection, which it cancels as
    # the client closes, was still finishing (a fresh-clone CI run caught one).
    assert not [task for task in leftovers if not _the_drivers(task)]
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR] == []


def _the_drivers(task: asyncio.Task[Any]) -> bool:
    code = getattr(task.get_coro(), "cr_code", None)
    return code is not None and f"{os.sep}pymongo{os.sep}" in code.co_filename
