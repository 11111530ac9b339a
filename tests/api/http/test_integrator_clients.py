"""A vendor integration written the way an integrator would: the `gql` library over real HTTP against
`rfpmarket serve` (uvicorn), its documents checked against the server's introspected schema before
they are sent. Submit, a stale revision refused with CONFLICT, re-read, revise, withdraw."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from gql import Client, GraphQLRequest, gql
from gql.transport.exceptions import TransportQueryError
from gql.transport.httpx import HTTPXTransport
from graphql import GraphQLError

from tests.api.http.test_graphql_http import served  # noqa: F401  (the uvicorn server fixture)
from tests.helpers import proposal_input, rfp_input

REGISTER = gql("""
mutation Register($input: RegisterOrganizationInput!) {
  registerOrganization(input: $input) { apiKey userErrors { code } }
}""")
CREATE_RFP = gql("""
mutation CreateRfp($input: CreateRfpInput!) {
  createRfp(input: $input) { rfp { id } userErrors { code } }
}""")
PUBLISH_RFP = gql("""
mutation PublishRfp($input: RfpIdInput!) {
  publishRfp(input: $input) { rfp { status } userErrors { code } }
}""")
SUBMIT = gql("""
mutation Submit($input: SubmitProposalInput!) {
  submitProposal(input: $input) { proposal { id version status } userErrors { field code message } }
}""")
REVISE = gql("""
mutation Revise($input: ReviseProposalInput!) {
  reviseProposal(input: $input) { proposal { id version } userErrors { field code message } }
}""")
WITHDRAW = gql("""
mutation Withdraw($input: ProposalIdInput!) {
  withdrawProposal(input: $input) { proposal { id status } userErrors { code message } }
}""")
MY_PROPOSALS = gql("""
query MyProposals($first: Int, $after: String) {
  viewer { proposals(first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id version status pricing { ... on FlatMonthlyPricing { monthlyFee { amount } } } } }
  } }
}""")


class MarketClient:
    """What a vendor's integration keeps: one gql client per API key, payload errors as values."""

    def __init__(self, url: str, api_key: str | None = None) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.client = Client(
            transport=HTTPXTransport(url=url, headers=headers, timeout=30), fetch_schema_from_transport=True
        )

    def run(self, document: GraphQLRequest, **variables: Any) -> dict[str, Any]:
        result: dict[str, Any] = self.client.execute(GraphQLRequest(document, variable_values=variables))
        return result

    def register(self, name: str, kind: str) -> str:
        registration = {"name": name, "kind": kind, "contactEmail": "integrations@example.com"}
        payload = self.run(REGISTER, input=registration)["registerOrganization"]
        assert payload["userErrors"] == []
        key: str = payload["apiKey"]
        return key


def test_a_vendor_integration_over_http_with_gql(served: str) -> None:  # noqa: F811
    anonymous = MarketClient(served)
    buyer = MarketClient(served, anonymous.register("Integrator Buyer", "BUYER"))
    vendor_key = anonymous.register("Integrator Vendor", "VENDOR")
    vendor = MarketClient(served, vendor_key)
    created = buyer.run(CREATE_RFP, input=rfp_input(datetime.now(UTC)))["createRfp"]
    rfp_id = created["rfp"]["id"]
    assert buyer.run(PUBLISH_RFP, input={"rfpId": rfp_id})["publishRfp"]["rfp"]["status"] == "OPEN"

    submitted = vendor.run(SUBMIT, input={"rfpId": rfp_id, "proposal": proposal_input("14000.00")})
    proposal = submitted["submitProposal"]["proposal"]
    assert submitted["submitProposal"]["userErrors"] == [] and proposal["version"] == 1

    # Two revisions from version 1: the second is stale and refused, nothing half-written.
    first = {"proposalId": proposal["id"], "expectedVersion": 1, "proposal": proposal_input("13500.00")}
    assert vendor.run(REVISE, input=first)["reviseProposal"]["proposal"]["version"] == 2
    stale = vendor.run(REVISE, input={**first, "proposal": proposal_input("12000.00")})["reviseProposal"]
    assert stale["proposal"] is None
    assert [error["code"] for error in stale["userErrors"]] == ["CONFLICT"]

    # Re-read (the vendor's own list), then revise from the version read.
    mine = vendor.run(MY_PROPOSALS, first=10)["viewer"]["proposals"]
    (edge,) = mine["edges"]
    assert edge["node"]["version"] == 2 and edge["node"]["pricing"]["monthlyFee"]["amount"] == "13500.00"
    again = {**first, "expectedVersion": edge["node"]["version"], "proposal": proposal_input("12000.00")}
    revised = vendor.run(REVISE, input=again)["reviseProposal"]
    assert revised["userErrors"] == [] and revised["proposal"]["version"] == 3

    withdrawn = vendor.run(WITHDRAW, input={"proposalId": proposal["id"]})["withdrawProposal"]
    assert withdrawn["proposal"]["status"] == "WITHDRAWN"
    assert vendor.run(MY_PROPOSALS)["viewer"]["proposals"]["edges"][0]["node"]["status"] == "WITHDRAWN"


def test_the_integration_sees_typed_errors(served: str) -> None:  # noqa: F811
    """A revoked or made-up key is UNAUTHENTICATED (the client can send the user to sign in); a
    document the schema lacks fails in gql itself, before a request is sent."""
    with pytest.raises(TransportQueryError) as refused:
        MarketClient(served, "rfpm_not_a_real_key").run(MY_PROPOSALS)
    assert refused.value.errors is not None
    assert refused.value.errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
    with pytest.raises(GraphQLError, match="Cannot query field"):
        MarketClient(served).run(gql("{ viewer { proposals { nope } } }"))
