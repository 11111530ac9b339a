"""Procurement exports over real HTTP against the real database: CSV, Excel, JSON and OCDS."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest
from bson import ObjectId

import scoring
from api.cli.synthetic import seed_synthetic
from api.embedded import EmbeddedDatabase
from api.exports.columns import COLUMNS
from api.exports.neutralize import safe_text
from api.settings import Settings
from schema.common import from_global_id, to_global_id
from tests.conftest import Api, Clock
from tests.helpers import (
    open_rfp,
    poor_proposal_input,
    proposal_input,
    proposal_mutation,
    register,
    rfp_mutation,
    submit,
)

CSV_HEADER = (
    "rank,proposal_id,vendor,status,total,sla_quality,lock_in_exposure,cost_score,normalized_monthly_cost,"
    "monthly_cost_low,monthly_cost_high,exit_cost,currency,meets_requirements,eligible,findings,scoring_version"
    ",needs_confirmation"
)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
INJECTION = '=HYPERLINK("http://x","y")'
SLUG = "customer-support-desk-for-a-us-ecommerce-brand"

RANKED = """
query($id: ID!, $first: Int, $after: String, $weights: ScoringWeightsInput) {
  rfp(id: $id) {
    rankedProposals(first: $first, after: $after, weights: $weights) {
      pageInfo { hasNextPage endCursor }
      edges { rank node { id status vendor { name } }
              score { total findings { code } normalizedMonthlyCost { amount } } }
    }
  }
}"""

AWARD = """
mutation($input: AwardProposalInput!) { awardProposal(input: $input) { userErrors { code message } } }"""


@dataclass
class Market:
    buyer: str  # API key
    rfp_id: str  # GraphQL global id
    proposals: dict[str, str]  # vendor name -> proposal global id
    vendor_keys: dict[str, str]

    def path(self, name: str) -> str:
        return f"/exports/rfps/{self.rfp_id}/{name}"


async def _market(api: Api, **rfp_changes: Any) -> Market:
    """Five bids: two good ones, one that misses the requirements, one abnormally cheap, one withdrawn."""
    _, buyer = await register(api, "BUYER", "Northwind Buyer")
    rfp_id = await open_rfp(api, buyer, **rfp_changes)
    bids = {
        "Acme Support": proposal_input("14000.00"),
        INJECTION: proposal_input("9000.00"),
        "+Plus Ops": poor_proposal_input("12000.00"),
        "Cheapo": proposal_input("3000.00"),
        "Gone Ltd": proposal_input("13000.00"),
    }
    market = Market(buyer, rfp_id, {}, {})
    for name, bid in bids.items():
        _, key = await register(api, "VENDOR", name)
        payload = await submit(api, key, rfp_id, bid)
        assert payload["userErrors"] == [], payload
        market.proposals[name] = payload["proposal"]["id"]
        market.vendor_keys[name] = key
    withdrawn = await proposal_mutation(
        api, "withdrawProposal", market.proposals["Gone Ltd"], market.vendor_keys["Gone Ltd"]
    )
    assert withdrawn["userErrors"] == []
    return market


async def _get(api: Api, path: str, key: str | None, **params: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return await api.client.get(path, headers=headers, params=params)


async def _graphql_ranking(
    api: Api, key: str, rfp_id: str, weights: dict[str, float] | None = None
) -> list[dict[str, Any]]:
    edges: list[dict[str, Any]] = []
    after = None
    while True:
        variables = {"id": rfp_id, "first": 100, "after": after, "weights": weights}
        connection = (await api.data(RANKED, variables, key))["rfp"]["rankedProposals"]
        edges += connection["edges"]
        if not connection["pageInfo"]["hasNextPage"]:
            return edges
        after = connection["pageInfo"]["endCursor"]


def _csv_rows(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.text.splitlines()[0] == CSV_HEADER
    return list(csv.DictReader(io.StringIO(response.text)))


def _expected(edges: list[dict[str, Any]]) -> list[tuple[int, str, float, str]]:
    return [
        (
            edge["rank"],
            edge["node"]["id"],
            edge["score"]["total"],
            ";".join(finding["code"] for finding in edge["score"]["findings"]),
        )
        for edge in edges
    ]


def _actual(rows: list[dict[str, str]]) -> list[tuple[int, str, float, str]]:
    return [(int(row["rank"]), row["proposal_id"], float(row["total"]), row["findings"]) for row in rows]


# ------------------------------------------------------------------------------------------- CSV


async def test_ranking_csv_is_the_graphql_ranking(api: Api) -> None:
    market = await _market(api)
    response = await _get(api, market.path("ranking.csv"), market.buyer)
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == f'attachment; filename="{SLUG}-ranking.csv"'
    assert response.headers["cache-control"] == "no-store"
    rows = _csv_rows(response)
    edges = await _graphql_ranking(api, market.buyer, market.rfp_id)
    assert _actual(rows) == _expected(edges)
    assert len(rows) == 4 and market.proposals["Gone Ltd"] not in {row["proposal_id"] for row in rows}
    by_vendor = {row["vendor"]: row for row in rows}
    assert "ABNORMALLY_LOW_PRICE" in by_vendor["Cheapo"]["findings"].split(";")
    # The proposal that misses a requirement ranks last whatever its total.
    assert rows[-1]["vendor"] == "'+Plus Ops" and rows[-1]["meets_requirements"] == "false"
    assert rows[-1]["eligible"] == "false" and rows[0]["eligible"] == "true"
    acme = by_vendor["Acme Support"]
    assert acme["normalized_monthly_cost"] == "14000.00" and acme["currency"] == "USD"
    assert acme["status"] == "SUBMITTED" and acme["scoring_version"] == scoring.SCORING_VERSION
    assert from_global_id(acme["proposal_id"], "Proposal") is not None


async def test_shortlist_keeps_the_ranks_of_the_full_ranking(api: Api) -> None:
    market = await _market(api)
    for name in ("Cheapo", "+Plus Ops"):
        shortlisted = await proposal_mutation(api, "shortlistProposal", market.proposals[name], market.buyer)
        assert shortlisted["userErrors"] == []
    edges = await _graphql_ranking(api, market.buyer, market.rfp_id)
    ranks = {edge["node"]["id"]: edge["rank"] for edge in edges}
    response = await _get(api, market.path("shortlist.csv"), market.buyer)
    assert response.headers["content-disposition"] == f'attachment; filename="{SLUG}-shortlist.csv"'
    rows = _csv_rows(response)
    assert [row["vendor"] for row in rows] == ["Cheapo", "'+Plus Ops"]
    assert [int(row["rank"]) for row in rows] == [ranks[row["proposal_id"]] for row in rows] != [1, 2]
    assert {row["status"] for row in rows} == {"SHORTLISTED"}

    # After the award: the winner stays, the others are REJECTED and leave the shortlist.
    assert (await rfp_mutation(api, "closeRfp", market.rfp_id, market.buyer))["userErrors"] == []
    awarded = await api.data(AWARD, {"input": {"proposalId": market.proposals["Cheapo"]}}, market.buyer)
    assert awarded["awardProposal"]["userErrors"] == []
    rows = _csv_rows(await _get(api, market.path("shortlist.csv"), market.buyer))
    assert [(row["vendor"], row["status"]) for row in rows] == [("Cheapo", "AWARDED")]
    document = (await _get(api, market.path("shortlist.json"), market.buyer)).json()
    assert [(p["vendor"], p["rank"]) for p in document["proposals"]] == [("Cheapo", int(rows[0]["rank"]))]


async def test_what_if_weights_give_the_graphql_what_if_order(api: Api) -> None:
    market = await _market(api)
    for weights in ({"slaQuality": 0, "lockIn": 0, "cost": 1}, {"slaQuality": 5, "lockIn": 1, "cost": 0.5}):
        response = await _get(api, market.path("ranking.csv"), market.buyer, **weights)
        assert response.headers["content-disposition"] == f'attachment; filename="{SLUG}-ranking-what-if.csv"'
        edges = await _graphql_ranking(api, market.buyer, market.rfp_id, weights)
        assert _actual(_csv_rows(response)) == _expected(edges)
    cheap_first = _csv_rows(
        await _get(api, market.path("ranking.csv"), market.buyer, slaQuality=0, lockIn=0, cost=1)
    )
    assert cheap_first[0]["vendor"] == "Cheapo"
    document = (
        await _get(api, market.path("ranking.json"), market.buyer, slaQuality=0, lockIn=0, cost=1)
    ).json()
    assert document["what_if"] is True and document["weights"] == {"sla_quality": 0, "lock_in": 0, "cost": 1}
    assert document["proposals"][0]["components"][2] == {
        **document["proposals"][0]["components"][2],
        "criterion": "cost",
        "weight": 1.0,
    }


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"slaQuality": "1", "lockIn": "1"}, ["cost"]),
        ({"slaQuality": "heavy", "lockIn": "1", "cost": "1"}, ["slaQuality"]),
        ({"slaQuality": "1", "lockIn": "-1", "cost": "1"}, ["lockIn"]),
        ({"slaQuality": "1", "lockIn": "1", "cost": "nan"}, ["cost"]),
        ({"slaQuality": "0", "lockIn": "0", "cost": "0"}, ["slaQuality", "lockIn", "cost"]),
    ],
)
async def test_invalid_what_if_weights_are_a_400_naming_the_parameter(
    api: Api, params: dict[str, str], field: list[str]
) -> None:
    _, buyer = await register(api, "BUYER")
    rfp_id = await open_rfp(api, buyer)
    response = await _get(api, f"/exports/rfps/{rfp_id}/ranking.csv", buyer, **params)
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field} and error["message"]


# ------------------------------------------------------------------------------------------ JSON


async def test_ranking_json_has_the_csv_fields_and_the_components(api: Api) -> None:
    market = await _market(api)
    response = await _get(api, market.path("ranking.json"), market.buyer)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["content-disposition"] == f'attachment; filename="{SLUG}-ranking.json"'
    document = response.json()
    assert document["rfp"]["id"] == market.rfp_id and document["rfp"]["monthly_budget"] == "15000.00"
    assert document["list"] == "ranking" and document["what_if"] is False
    assert document["weights"] == {"sla_quality": 0.4, "lock_in": 0.25, "cost": 0.35}
    csv_rows = _csv_rows(await _get(api, market.path("ranking.csv"), market.buyer))
    proposals = document["proposals"]
    assert [p["proposal_id"] for p in proposals] == [row["proposal_id"] for row in csv_rows]
    for proposal, row in zip(proposals, csv_rows, strict=True):
        assert list(proposal)[: len(COLUMNS)] == list(COLUMNS)
        assert safe_text(proposal["vendor"]) == row["vendor"]
        assert proposal["normalized_monthly_cost"] == row["normalized_monthly_cost"]
        assert ";".join(f["code"] for f in proposal["findings"]) == row["findings"]
        assert [c["criterion"] for c in proposal["components"]] == ["slaQuality", "lockIn", "cost"]
        assert sum(c["contribution"] for c in proposal["components"]) == pytest.approx(proposal["total"])
    assert proposals[0]["vendor_id"].startswith(to_global_id("Organization", "")[:8])
    assert {p["vendor"] for p in proposals} >= {INJECTION, "+Plus Ops"}  # JSON keeps text as sent


# ----------------------------------------------------------------------------------------- Excel


def _workbook(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == XLSX_TYPE
    return openpyxl.load_workbook(io.BytesIO(response.content))


async def test_ranking_xlsx_has_typed_cells_and_four_sheets(api: Api) -> None:
    market = await _market(api)
    response = await _get(api, market.path("ranking.xlsx"), market.buyer)
    assert response.headers["content-disposition"] == f'attachment; filename="{SLUG}-ranking.xlsx"'
    book = _workbook(response)
    assert book.sheetnames == ["Ranking", "Weights", "Findings", "Requirements"]
    sheet = book["Ranking"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == COLUMNS
    csv_rows = _csv_rows(await _get(api, market.path("ranking.csv"), market.buyer))
    assert [row[1] for row in rows[1:]] == [row["proposal_id"] for row in csv_rows]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:R{len(rows)}"  # 18 columns, eligible and needs_confirmation included
    column = {name: index + 1 for index, name in enumerate(COLUMNS)}
    first = {name: sheet.cell(row=2, column=index).value for name, index in column.items()}
    assert first["rank"] == 1 and isinstance(first["total"], float)
    assert first["total"] == float(csv_rows[0]["total"])
    assert first["normalized_monthly_cost"] == float(csv_rows[0]["normalized_monthly_cost"])
    assert first["meets_requirements"] is True and first["eligible"] is True
    money = sheet.cell(row=2, column=column["exit_cost"])
    assert money.data_type == "n" and "USD" in money.number_format
    assert sheet.column_dimensions["C"].width >= 20

    weights = [row for row in book["Weights"].iter_rows(values_only=True) if row[0]]
    assert weights[1][:4] == ("slaQuality", 0.4, pytest.approx(0.4), 0.4)
    assert any(row[0] == "How total and ranking is computed" for row in weights)
    assert any("escalation factor" in str(row[0]) for row in weights)

    findings = list(book["Findings"].iter_rows(values_only=True))
    assert findings[0] == ("proposal_id", "vendor", "code", "severity", "message", "path")
    cheapo = next(row["proposal_id"] for row in csv_rows if row["vendor"] == "Cheapo")
    low = [row for row in findings if row[0] == cheapo and row[2] == "ABNORMALLY_LOW_PRICE"]
    assert len(low) == 1 and low[0][3] == "WARNING" and low[0][5] == "pricing"
    total_findings = sum(len(row["findings"].split(";")) for row in csv_rows if row["findings"])
    assert len(findings) - 1 == total_findings

    requirements = list(book["Requirements"].iter_rows(values_only=True))
    assert requirements == [
        ("metric", "comparator", "target", "unit"),
        ("FIRST_RESPONSE_TIME", "AT_MOST", 2, "HOURS"),
        ("CSAT", "AT_LEAST", 4.3, "SCORE_5"),
    ]


# --------------------------------------------------------------------------------- formula injection


@pytest.mark.parametrize(
    "text",
    [
        *("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"),
        # full-width = + - @, small = and -: what NFKC folds into the triggers
        *("\uff1d1+1", "\uff0b1", "\uff0d1", "\uff20SUM(A1)", "\ufe661", "\ufe631"),
    ],
)
def test_text_a_spreadsheet_would_evaluate_is_quoted(text: str) -> None:
    assert safe_text(text) == "'" + text
    assert safe_text("Acme = best") == "Acme = best"


async def test_a_formula_in_a_vendor_name_stays_text_in_csv_and_xlsx(api: Api) -> None:
    market = await _market(api)
    rows = _csv_rows(await _get(api, market.path("ranking.csv"), market.buyer))
    assert {row["vendor"] for row in rows} >= {"'" + INJECTION, "'+Plus Ops"}
    book = _workbook(await _get(api, market.path("ranking.xlsx"), market.buyer))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    vendors = [cell for cell in cells if isinstance(cell.value, str) and INJECTION in cell.value]
    assert vendors and all(cell.value == "'" + INJECTION and cell.data_type == "s" for cell in vendors)


async def test_a_full_width_formula_stays_text_in_csv_and_xlsx(api: Api) -> None:
    # Registration now stores names NFKC-normalized; a name stored before that (or written by another
    # tool) may still hold full-width characters, which spreadsheets read as the plain ones.
    market = await _market(api)
    full_width = '\uff1dHYPERLINK("http://x","y")'  # a full-width =
    vendor_id = await api.store.proposals.distinct(
        "vendorId", {"_id": ObjectId(_local(market.proposals["Acme Support"]))}
    )
    await api.store.organizations.update_one({"_id": vendor_id[0]}, {"$set": {"name": full_width}})
    rows = _csv_rows(await _get(api, market.path("ranking.csv"), market.buyer))
    assert "'" + full_width in {row["vendor"] for row in rows}
    book = _workbook(await _get(api, market.path("ranking.xlsx"), market.buyer))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    named = [cell for cell in cells if isinstance(cell.value, str) and full_width in cell.value]
    assert named and all(cell.value == "'" + full_width and cell.data_type == "s" for cell in named)


def _local(global_id: str) -> str:
    return (from_global_id(global_id, "Proposal") or ("", ""))[1]


# ---------------------------------------------------------------------------------------- access


async def test_only_the_buyer_may_export_and_nobody_learns_what_exists(api: Api) -> None:
    market = await _market(api)
    _, other_buyer = await register(api, "BUYER", "Other Buyer")
    vendor = market.vendor_keys["Acme Support"]
    for key in (None, "rfpm_not-a-key"):
        response = await _get(api, market.path("ranking.csv"), key)
        assert response.status_code == 401 and response.headers["www-authenticate"].startswith("Bearer")
        assert response.json()["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED"}
    unknown = to_global_id("Rfp", str(ObjectId()))
    not_found = [
        (vendor, market.path("ranking.csv")),
        (other_buyer, market.path("ranking.csv")),
        (other_buyer, market.path("ocds.json")),
        (market.buyer, f"/exports/rfps/{unknown}/ranking.csv"),
        (market.buyer, "/exports/rfps/not-an-id/ranking.csv"),
        (market.buyer, f"/exports/rfps/{to_global_id('Proposal', market.rfp_id)}/ranking.csv"),
        (market.buyer, market.path("ranking.pdf")),
        (market.buyer, market.path("ranking")),
        (market.buyer, market.path("everything.csv")),
        (market.buyer, market.path("ocds.csv")),
        (market.buyer, market.path("shortlist.ocds")),
    ]
    bodies = set()
    for key, path in not_found:
        response = await _get(api, path, key)
        assert response.status_code == 404, path
        bodies.add(response.content)
    assert bodies == {b'{"errors":[{"message":"not found","extensions":{"code":"NOT_FOUND"}}]}'}
    # The raw ObjectId works as well as the global id.
    (_, hex_id) = from_global_id(market.rfp_id, "Rfp") or ("", "")
    assert (await _get(api, f"/exports/rfps/{hex_id}/ranking.csv", market.buyer)).status_code == 200


async def test_sealed_proposals_cannot_be_exported_before_the_deadline(api: Api, clock: Clock) -> None:
    market = await _market(api, sealed=True)
    for name in ("ranking.csv", "shortlist.xlsx", "ranking.json", "ocds.json"):
        assert (await _get(api, market.path(name), market.buyer)).status_code == 404
    clock.advance(days=15)
    response = await _get(api, market.path("ranking.csv"), market.buyer)
    assert len(_csv_rows(response)) == 4


# ------------------------------------------------------------------------------------------ OCDS


async def test_ocds_release_package_before_and_after_the_award(api: Api) -> None:
    market = await _market(api)
    response = await _get(api, market.path("ocds.json"), market.buyer)
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    assert response.headers["content-disposition"] == f'attachment; filename="{SLUG}-ocds.json"'
    package = response.json()
    assert package["version"] == "1.1"
    assert package["uri"] == f"urn:rfpmarket:exports:rfps:{market.rfp_id}:ocds.json"  # never the Host
    assert package["publisher"]["name"] and package["publishedDate"]
    assert any("ocds_bid_extension" in url for url in package["extensions"])
    (release,) = package["releases"]
    hex_id = (from_global_id(market.rfp_id, "Rfp") or ("", ""))[1]
    assert release["ocid"] == f"ocds-rfpm-{hex_id}" and release["id"].startswith(release["ocid"])
    assert release["tag"] == ["tender"] and release["initiationType"] == "tender"
    assert "awards" not in release
    tender = release["tender"]
    assert tender["id"] == market.rfp_id and tender["status"] == "active"
    assert tender["title"].startswith("Customer support") and tender["description"]
    assert tender["numberOfTenderers"] == 4 and tender["tenderPeriod"]["endDate"]
    assert tender["value"] == {"amount": 180000, "currency": "USD"}  # 15000.00 a month, 12 months
    buyer_party, *tenderers = release["parties"]
    assert buyer_party["roles"] == ["buyer"] and buyer_party["name"] == "Northwind Buyer"
    assert release["buyer"] == {"id": buyer_party["id"], "name": "Northwind Buyer"}
    assert {party["name"] for party in tenderers} == {"Acme Support", INJECTION, "+Plus Ops", "Cheapo"}
    assert all(party["roles"] == ["tenderer"] for party in tenderers)

    edges = await _graphql_ranking(api, market.buyer, market.rfp_id)
    bids = release["bids"]["details"]
    assert [bid["id"] for bid in bids] == [edge["node"]["id"] for edge in edges]
    for bid, edge in zip(bids, edges, strict=True):
        monthly = Decimal(edge["score"]["normalizedMonthlyCost"]["amount"])
        assert Decimal(str(bid["value"]["amount"])) == monthly * 12 and bid["value"]["currency"] == "USD"
        assert bid["status"] == "pending" and bid["date"]
        assert bid["tenderers"] == [
            {"id": party["id"], "name": edge["node"]["vendor"]["name"]}
            for party in tenderers
            if party["name"] == edge["node"]["vendor"]["name"]
        ]

    assert (await rfp_mutation(api, "closeRfp", market.rfp_id, market.buyer))["userErrors"] == []
    winner = market.proposals["Acme Support"]
    assert (await api.data(AWARD, {"input": {"proposalId": winner}}, market.buyer))["awardProposal"][
        "userErrors"
    ] == []
    (release,) = (await _get(api, market.path("ocds.json"), market.buyer)).json()["releases"]
    assert release["tag"] == ["award"] and release["tender"]["status"] == "complete"
    (award,) = release["awards"]
    assert award["status"] == "active" and award["relatedBids"] == [winner]
    assert award["value"] == {"amount": 168000, "currency": "USD"}
    (supplier,) = award["suppliers"]
    assert supplier["name"] == "Acme Support"
    roles = {party["name"]: party["roles"] for party in release["parties"]}
    assert roles["Acme Support"] == ["tenderer", "supplier"] and roles["Cheapo"] == ["tenderer"]
    assert {bid["status"] for bid in release["bids"]["details"]} == {"valid"}


# ----------------------------------------------------------------------------- many proposals


async def test_an_export_larger_than_a_batch_streams_in_rank_order(api: Api) -> None:
    seeded = await seed_synthetic(api.market, 620, seed=5)  # bulk inserts: GraphQL would take minutes
    rfp_id, buyer = to_global_id("Rfp", seeded.rfp_ids[0]), seeded.buyer_api_key
    rows = _csv_rows(await _get(api, f"/exports/rfps/{rfp_id}/ranking.csv", buyer))
    edges = await _graphql_ranking(api, buyer, rfp_id)
    assert len(rows) == 620 and _actual(rows) == _expected(edges)
    assert "ABNORMALLY_LOW_PRICE" in {code for row in rows for code in row["findings"].split(";")}
    weights = {"slaQuality": 1, "lockIn": 2, "cost": 3}
    rows = _csv_rows(await _get(api, f"/exports/rfps/{rfp_id}/ranking.csv", buyer, **weights))
    assert _actual(rows) == _expected(await _graphql_ranking(api, buyer, rfp_id, weights))


# ------------------------------------------------------------------------------------------- CLI


async def _cli(database_server: EmbeddedDatabase, settings: Settings, *args: str) -> tuple[int, str]:
    """`rfpmarket export ...` in a child process against the test's database: (exit code, stderr)."""
    env = {**os.environ, "MONGODB_URI": database_server.uri, "RFPMARKET_DB": settings.db}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "api.cli", "export", *args, env=env, stderr=asyncio.subprocess.PIPE
    )
    _, stderr = await process.communicate()
    assert process.returncode is not None
    return process.returncode, stderr.decode()


async def test_the_cli_writes_what_http_serves(
    api: Api, database_server: EmbeddedDatabase, settings: Settings, tmp_path: Path
) -> None:
    market = await _market(api)
    shortlisted = await proposal_mutation(api, "shortlistProposal", market.proposals["Cheapo"], market.buyer)
    assert shortlisted["userErrors"] == []
    hex_id = (from_global_id(market.rfp_id, "Rfp") or ("", ""))[1]
    for fmt, shortlist, rfp_id in [
        ("csv", False, market.rfp_id),
        ("json", False, hex_id),
        ("csv", True, market.rfp_id),
        ("json", True, market.rfp_id),
    ]:
        out = tmp_path / f"export.{fmt}"
        flags = ["--shortlist"] if shortlist else []
        code, stderr = await _cli(
            database_server, settings, "--rfp", rfp_id, "--format", fmt, *flags, "--out", str(out)
        )
        assert code == 0, stderr
        name = f"{'shortlist' if shortlist else 'ranking'}.{fmt}"
        assert out.read_bytes() == (await _get(api, market.path(name), market.buyer)).content
    code, stderr = await _cli(
        database_server, settings, "--rfp", hex_id, "--format", "xlsx", "--out", str(tmp_path / "x.xlsx")
    )
    assert code == 0, stderr
    assert openpyxl.load_workbook(tmp_path / "x.xlsx").sheetnames == [
        "Ranking",
        "Weights",
        "Findings",
        "Requirements",
    ]
    code, stderr = await _cli(
        database_server, settings, "--rfp", hex_id, "--format", "ocds", "--out", str(tmp_path / "o.json")
    )
    assert code == 0, stderr
    package = json.loads((tmp_path / "o.json").read_text())
    assert len(package["releases"][0]["bids"]["details"]) == 4
    assert not list(tmp_path.glob("*.part"))


async def test_the_cli_refuses_what_http_refuses(
    api: Api, database_server: EmbeddedDatabase, settings: Settings, tmp_path: Path
) -> None:
    market = await _market(api, sealed=True)
    out = tmp_path / "sealed.csv"
    code, stderr = await _cli(
        database_server, settings, "--rfp", market.rfp_id, "--format", "csv", "--out", str(out)
    )
    assert code == 1 and "sealed" in stderr and not out.exists()
    unknown = to_global_id("Rfp", str(ObjectId()))
    for rfp_id in (unknown, "nonsense"):
        code, stderr = await _cli(
            database_server, settings, "--rfp", rfp_id, "--format", "csv", "--out", str(out)
        )
        assert code == 1 and "no RFP" in stderr
    code, stderr = await _cli(
        database_server,
        settings,
        "--rfp",
        market.rfp_id,
        "--format",
        "ocds",
        "--shortlist",
        "--out",
        str(out),
    )
    assert code == 2 and not out.exists()
