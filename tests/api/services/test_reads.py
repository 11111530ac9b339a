"""Reads: node, rfp, rfps, Rfp.proposals, pagination, and who sees what."""

from __future__ import annotations

from tests.conftest import Api
from tests.helpers import create_rfp, open_rfp, register, submit

NODE = """
query($id: ID!) {
  node(id: $id) {
    id __typename
    ... on Rfp { title monthlyBudget { amount } proposalCount }
    ... on Proposal { summary score { total } }
    ... on Organization { name }
  }
}"""

PROPOSALS = """
query($id: ID!, $first: Int, $after: String) {
  rfp(id: $id) {
    proposals(first: $first, after: $after) {
      totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { id vendor { name } score { total } } }
    }
  }
}"""

RFPS = """
query($first: Int, $after: String, $status: RfpStatus) {
  rfps(first: $first, after: $after, status: $status) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id status } }
  }
}"""


async def test_node_resolves_every_entity_for_its_owner(api: Api) -> None:
    vendor_id, vendor = await register(api, "VENDOR", "Acme")
    _, buyer = await register(api, "BUYER")
    rfp_id = await open_rfp(api, buyer)
    proposal_id = (await submit(api, vendor, rfp_id))["proposal"]["id"]
    rfp = (await api.data(NODE, {"id": rfp_id}, buyer))["node"]
    assert rfp["__typename"] == "Rfp" and rfp["monthlyBudget"] == {"amount": "15000.00"}
    proposal = (await api.data(NODE, {"id": proposal_id}, buyer))["node"]
    assert proposal["__typename"] == "Proposal" and proposal["score"]["total"] > 0
    organization = (await api.data(NODE, {"id": vendor_id}, buyer))["node"]
    assert organization == {"id": vendor_id, "__typename": "Organization", "name": "Acme"}


async def test_node_with_a_bad_id_is_null(api: Api) -> None:
    _, buyer = await register(api, "BUYER")
    for bad in ("", "!!!", "UmZwOg==", "UmZwOm5vcGU=", "Rm9vOjEyMw=="):
        assert (await api.data(NODE, {"id": bad}, buyer))["node"] is None


async def test_what_each_role_sees(api: Api) -> None:
    vendor_id, vendor = await register(api, "VENDOR", "Acme")
    _, rival = await register(api, "VENDOR", "Rival")
    _, buyer = await register(api, "BUYER")
    _, other_buyer = await register(api, "BUYER", "Other Buyer")
    rfp_id = await open_rfp(api, buyer)
    draft_id = (await create_rfp(api, buyer))["id"]
    proposal_id = (await submit(api, vendor, rfp_id))["proposal"]["id"]
    await submit(api, rival, rfp_id)

    # Vendors see published RFPs without the budget, and only their own proposal with its score.
    rfp = (await api.data(NODE, {"id": rfp_id}, vendor))["node"]
    assert rfp["monthlyBudget"] is None and rfp["proposalCount"] == 1
    assert (await api.data(NODE, {"id": draft_id}, vendor))["node"] is None
    own = (await api.data(PROPOSALS, {"id": rfp_id}, vendor))["rfp"]["proposals"]
    assert own["totalCount"] == 1 and own["edges"][0]["node"]["id"] == proposal_id
    assert own["edges"][0]["node"]["score"] is not None
    assert (await api.data(NODE, {"id": proposal_id}, rival))["node"] is None
    assert (await api.data(NODE, {"id": vendor_id}, rival))["node"] is None

    # Another buyer sees the published RFP's public fields, none of its proposals, not the draft.
    seen = (await api.data(NODE, {"id": rfp_id}, other_buyer))["node"]
    assert seen["monthlyBudget"] is None and seen["proposalCount"] == 0
    assert (await api.data(PROPOSALS, {"id": rfp_id}, other_buyer))["rfp"]["proposals"]["totalCount"] == 0
    assert (await api.data(NODE, {"id": proposal_id}, other_buyer))["node"] is None
    assert (await api.data(NODE, {"id": draft_id}, other_buyer))["node"] is None

    # The owner sees all.
    everything = (await api.data(PROPOSALS, {"id": rfp_id}, buyer))["rfp"]["proposals"]
    assert everything["totalCount"] == 2
    assert {edge["node"]["vendor"]["name"] for edge in everything["edges"]} == {"Acme", "Rival"}

    # Anonymous callers see nothing.
    for node_id in (rfp_id, proposal_id, vendor_id):
        assert (await api.data(NODE, {"id": node_id}))["node"] is None
    assert (await api.data(RFPS))["rfps"]["totalCount"] == 0


async def test_rfps_lists_open_rfps_to_vendors_and_own_rfps_to_buyers(api: Api) -> None:
    _, vendor = await register(api, "VENDOR")
    _, buyer = await register(api, "BUYER")
    _, other_buyer = await register(api, "BUYER", "Other")
    open_ids = {await open_rfp(api, buyer) for _ in range(3)}
    await create_rfp(api, buyer)
    await open_rfp(api, other_buyer)
    vendor_view = (await api.data(RFPS, key=vendor))["rfps"]
    assert vendor_view["totalCount"] == 4
    buyer_view = (await api.data(RFPS, key=buyer))["rfps"]
    assert buyer_view["totalCount"] == 4
    open_view = (await api.data(RFPS, {"status": "OPEN"}, buyer))["rfps"]
    assert {edge["node"]["id"] for edge in open_view["edges"]} == open_ids
    assert (await api.data(RFPS, {"status": "DRAFT"}, vendor))["rfps"]["totalCount"] == 0


async def test_cursor_pagination_walks_every_item_once(api: Api) -> None:
    _, buyer = await register(api, "BUYER")
    created = [await open_rfp(api, buyer) for _ in range(5)]
    seen: list[str] = []
    after = None
    while True:
        page = (await api.data(RFPS, {"first": 2, "after": after}, buyer))["rfps"]
        assert page["totalCount"] == 5
        seen += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == list(reversed(created))  # newest first


async def test_proposal_pages(api: Api) -> None:
    _, buyer = await register(api, "BUYER")
    rfp_id = await open_rfp(api, buyer)
    for index in range(3):
        _, vendor = await register(api, "VENDOR", f"Vendor {index}")
        await submit(api, vendor, rfp_id)
    first = (await api.data(PROPOSALS, {"id": rfp_id, "first": 2}, buyer))["rfp"]["proposals"]
    assert first["pageInfo"]["hasNextPage"] is True and first["pageInfo"]["hasPreviousPage"] is False
    rest = await api.data(
        PROPOSALS, {"id": rfp_id, "first": 2, "after": first["pageInfo"]["endCursor"]}, buyer
    )
    names = [edge["node"]["vendor"]["name"] for edge in first["edges"] + rest["rfp"]["proposals"]["edges"]]
    assert names == ["Vendor 0", "Vendor 1", "Vendor 2"]


async def test_page_size_and_cursor_errors_are_client_errors(api: Api) -> None:
    _, buyer = await register(api, "BUYER")
    for first in (0, -1, 101):
        body = await api(RFPS, {"first": first}, buyer)
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert "between 1 and 100" in body["errors"][0]["message"]
    for cursor in ("garbage", "W10=", "WyJyZnAiLCJ4Il0="):
        body = await api(RFPS, {"after": cursor}, buyer)
        assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": ["after"]}, body
