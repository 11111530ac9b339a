"""The demo evaluation team (seeds/team.py): Northwind's lead, two evaluators who disagree on
PixelProof's transition plan, and an observer, each with a working key, through the API."""

from __future__ import annotations

from api.cli.seed import load_demo
from tests.conftest import Api

TEAM = "{ viewer { member { name role } organization { name members { name role } } } }"
RFPS = "{ rfps(first: 20) { edges { node { id title qualitativeCriteria { name } evaluators { name } } } } }"
PROPOSALS = """query($id: ID!) { rfp(id: $id) { proposals(first: 10) { edges { node {
  vendor { name } evaluations { criterion { name } evaluator { name } score outlier } } } } } }"""


async def test_the_demo_team_evaluates_and_disagrees(api: Api) -> None:
    keys = {key.organization: key.api_key for key in await load_demo(api.market)}
    lead = keys["Northwind Outfitters: Lena Park (PROCUREMENT_LEAD)"]
    me = (await api.data(TEAM, key=lead))["viewer"]
    assert me["member"] == {"name": "Lena Park", "role": "PROCUREMENT_LEAD"}
    assert {m["role"] for m in me["organization"]["members"]} == {"PROCUREMENT_LEAD", "EVALUATOR", "OBSERVER"}
    rfps = [edge["node"] for edge in (await api.data(RFPS, key=lead))["rfps"]["edges"]]
    (evaluated,) = [rfp for rfp in rfps if rfp["qualitativeCriteria"]]
    assert [m["name"] for m in evaluated["evaluators"]] == ["Eva Ruiz", "Omar Haddad"]
    observer = keys["Northwind Outfitters: Olga Berg (OBSERVER)"]
    edges = (await api.data(PROPOSALS, {"id": evaluated["id"]}, observer))["rfp"]["proposals"]["edges"]
    flagged = {
        (edge["node"]["vendor"]["name"], e["evaluator"]["name"])
        for edge in edges
        for e in edge["node"]["evaluations"]
        if e["outlier"]
    }
    assert len(flagged) == 2 and all(vendor.startswith("PixelProof") for vendor, _ in flagged)
    # Seeding again mints fresh member keys: the old one stops, the new one works.
    again = {key.organization: key.api_key for key in await load_demo(api.market)}
    assert (await api(TEAM, key=lead))["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await api.data(TEAM, key=again["Northwind Outfitters: Lena Park (PROCUREMENT_LEAD)"]))["viewer"][
        "member"
    ]
