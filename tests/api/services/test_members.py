"""Members and roles through HTTP: invite (the key shown once), change role, deactivate (the key
stops at once), the team list, Viewer.member, the audit naming the member who acted, and the role
table over HTTP (role x operation); with the abuse cases."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api, Clock
from tests.helpers import (
    CREATE_RFP,
    codes,
    create_rfp,
    open_rfp,
    proposal_input,
    register,
    rfp_input,
    rfp_mutation,
    submit,
)

MEMBER = "id name email role active"
INVITE = (
    "mutation($input: InviteMemberInput!) { inviteMember(input: $input) { "
    f"member {{ {MEMBER} }} apiKey userErrors {{ field message code }} }} }}"
)
CHANGE_ROLE = (
    "mutation($input: ChangeMemberRoleInput!) { changeMemberRole(input: $input) { "
    f"member {{ {MEMBER} }} userErrors {{ field message code }} }} }}"
)
DEACTIVATE = (
    "mutation($input: MemberIdInput!) { deactivateMember(input: $input) { "
    f"member {{ {MEMBER} }} userErrors {{ field message code }} }} }}"
)
VIEWER = f"{{ viewer {{ organization {{ id name members {{ {MEMBER} }} }} member {{ {MEMBER} }} }} }}"
CREATE_KEY = "mutation { createApiKey(input: {}) { apiKey userErrors { code } } }"
AUDIT = (
    "query($id: ID!) { node(id: $id) { ... on Rfp { auditEvents(first: 20) { edges { node { "
    "action actor { name } actorMember { name role } } } } } } }"
)
RANKED = "query($id: ID!) { rfp(id: $id) { rankedProposals(first: 10) { edges { node { id } } } } }"


async def invite(api: Api, owner_key: str, role: str, name: str = "Ana Lead") -> dict[str, Any]:
    email = f"{name.lower().replace(' ', '.')}.{role.lower()}@buyer.example"
    variables = {"input": {"name": name, "email": email, "role": role}}
    payload: dict[str, Any] = (await api.data(INVITE, variables, owner_key))["inviteMember"]
    return payload


async def member_key(api: Api, owner_key: str, role: str, name: str = "Ana Lead") -> tuple[str, str]:
    """(member global id, the member's key)."""
    payload = await invite(api, owner_key, role, name)
    assert payload["userErrors"] == [], payload
    return payload["member"]["id"], payload["apiKey"]


async def test_an_invited_member_signs_in_with_its_own_key_and_role(api: Api) -> None:
    _, owner = await register(api, "BUYER", "Team Buyer")
    payload = await invite(api, owner, "PROCUREMENT_LEAD")
    assert payload["userErrors"] == []
    assert payload["member"]["role"] == "PROCUREMENT_LEAD" and payload["member"]["active"]
    assert payload["apiKey"].startswith("rfpm_")
    me = (await api.data(VIEWER, key=payload["apiKey"]))["viewer"]
    assert me["organization"]["name"] == "Team Buyer"
    assert me["member"] == payload["member"]
    # The organization's own key acts as the OWNER: no member, the whole team listed.
    owner_view = (await api.data(VIEWER, key=owner))["viewer"]
    assert owner_view["member"] is None
    assert owner_view["organization"]["members"] == [payload["member"]]
    # Only a hash is kept: the key itself is nowhere in the organization's document.
    doc = await api.store.organizations.find_one({"name": "Team Buyer"})
    assert doc is not None and payload["apiKey"] not in str(doc)


async def test_the_audit_trail_names_the_member_who_acted(api: Api) -> None:
    _, owner = await register(api, "BUYER", "Audited Buyer")
    _, lead = await member_key(api, owner, "PROCUREMENT_LEAD", "Lena Lead")
    rfp = await create_rfp(api, lead)
    assert (await rfp_mutation(api, "publishRfp", rfp["id"], owner))["userErrors"] == []
    events = (await api.data(AUDIT, {"id": rfp["id"]}, owner))["node"]["auditEvents"]["edges"]
    actors = [(e["node"]["action"], e["node"]["actorMember"]) for e in events]
    assert actors == [("created", {"name": "Lena Lead", "role": "PROCUREMENT_LEAD"}), ("published", None)]
    assert all(e["node"]["actor"]["name"] == "Audited Buyer" for e in events)
    # Team changes are audited too, on the organization, with the member's id.
    invited = await api.store.audit_events.count_documents({"action": "memberInvited"})
    assert invited == 1


async def test_a_deactivated_member_is_unauthenticated_on_the_next_request(api: Api) -> None:
    _, owner = await register(api, "BUYER", "Deactivating Buyer")
    member_id, lead = await member_key(api, owner, "PROCUREMENT_LEAD")
    assert (await api.data(VIEWER, key=lead))["viewer"]["member"]["id"] == member_id
    payload = (await api.data(DEACTIVATE, {"input": {"memberId": member_id}}, owner))["deactivateMember"]
    assert payload["userErrors"] == [] and payload["member"]["active"] is False
    body = await api(VIEWER, key=lead)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await api.store.audit_events.count_documents({"action": "memberDeactivated"})) == 1


async def test_changing_a_role_changes_what_the_member_may_do(api: Api, clock: Clock) -> None:
    _, owner = await register(api, "BUYER", "Promoting Buyer")
    member_id, key = await member_key(api, owner, "OBSERVER")
    refused = (await api.data(CREATE_RFP, {"input": rfp_input(clock())}, key))["createRfp"]
    assert codes(refused) == ["FORBIDDEN"]
    variables = {"input": {"memberId": member_id, "role": "PROCUREMENT_LEAD"}}
    changed = (await api.data(CHANGE_ROLE, variables, owner))["changeMemberRole"]
    assert changed["userErrors"] == [] and changed["member"]["role"] == "PROCUREMENT_LEAD"
    allowed = (await api.data(CREATE_RFP, {"input": rfp_input(clock())}, key))["createRfp"]
    assert allowed["userErrors"] == []


async def test_an_evaluator_cannot_escalate(api: Api) -> None:
    _, owner = await register(api, "BUYER", "Careful Buyer")
    member_id, evaluator = await member_key(api, owner, "EVALUATOR", "Eve Valuator")
    variables = {"input": {"memberId": member_id, "role": "OWNER"}}
    assert codes((await api.data(CHANGE_ROLE, variables, evaluator))["changeMemberRole"]) == ["FORBIDDEN"]
    assert codes(await invite(api, evaluator, "OWNER", "Sock Puppet")) == ["FORBIDDEN"]
    # An organization-level key would act as the OWNER: a member's createApiKey makes a key of that
    # member, with its role (test_member_api_keys below).
    minted = (await api.data(CREATE_KEY, key=evaluator))["createApiKey"]["apiKey"]
    assert (await api.data(VIEWER, key=minted))["viewer"]["member"]["role"] == "EVALUATOR"
    assert (await api.data(VIEWER, key=evaluator))["viewer"]["member"]["role"] == "EVALUATOR"
    # Nor list the organization's keys (their hints and labels are the OWNER's business): its own only.
    keys = "{ viewer { apiKeys { hint } } }"
    own = (await api.data(keys, key=evaluator))["viewer"]["apiKeys"]
    assert sorted(k["hint"] for k in own) == sorted([evaluator[:9], minted[:9]])
    assert len((await api.data(keys, key=owner))["viewer"]["apiKeys"]) == 1


async def test_a_member_of_another_organization_cannot_touch_my_team(api: Api) -> None:
    buyer_id, owner = await register(api, "BUYER", "My Buyer")
    _, rival = await register(api, "BUYER", "Rival Buyer")
    member_id, _ = await member_key(api, owner, "EVALUATOR")
    variables = {"input": {"memberId": member_id}}
    assert codes((await api.data(DEACTIVATE, variables, rival))["deactivateMember"]) == ["NOT_FOUND"]
    role = {"input": {"memberId": member_id, "role": "OBSERVER"}}
    assert codes((await api.data(CHANGE_ROLE, role, rival))["changeMemberRole"]) == ["NOT_FOUND"]
    # Neither the team list nor the member by its id shows to anyone else.
    team = "query($id: ID!) { node(id: $id) { ... on Organization { members { id } } } }"
    assert (await api.data(team, {"id": buyer_id}, rival))["node"]["members"] == []
    member = "query($id: ID!) { node(id: $id) { id } }"
    assert (await api.data(member, {"id": member_id}, rival))["node"] is None
    assert (await api.data(member, {"id": member_id}, owner))["node"] == {"id": member_id}


async def test_careless_and_anonymous_invitations_are_refused(api: Api) -> None:
    _, vendor = await register(api, "VENDOR", "Vendor With Team")
    wrong_kind = await invite(api, vendor, "EVALUATOR")
    assert wrong_kind["userErrors"] == [
        {
            "field": ["input", "role"],
            "message": "a vendor organization has no EVALUATOR role",
            "code": "INVALID",
        }
    ]
    assert (await invite(api, vendor, "BID_MANAGER"))["userErrors"] == []
    duplicate = await invite(api, vendor, "BID_MANAGER")
    assert codes(duplicate) == ["CONFLICT"] and duplicate["apiKey"] is None
    bad = {"input": {"name": "X", "email": "not-an-email", "role": "BID_MANAGER"}}
    assert (await api.data(INVITE, bad, vendor))["inviteMember"]["userErrors"][0]["field"] == [
        "input",
        "email",
    ]
    assert codes(
        (await api.data(INVITE, bad | {"input": bad["input"] | {"email": "a@b.example"}}))["inviteMember"]
    ) == ["FORBIDDEN"]


# Role x operation over HTTP: True where README's "Roles" table allows it.
BUYER_OPERATIONS: dict[str, dict[str, bool]] = {
    "createRfp": {"OWNER": True, "PROCUREMENT_LEAD": True, "EVALUATOR": False, "OBSERVER": False},
    "publishRfp": {"OWNER": True, "PROCUREMENT_LEAD": True, "EVALUATOR": False, "OBSERVER": False},
    "inviteMember": {"OWNER": True, "PROCUREMENT_LEAD": False, "EVALUATOR": False, "OBSERVER": False},
    "rankedProposals": {"OWNER": True, "PROCUREMENT_LEAD": True, "EVALUATOR": False, "OBSERVER": True},
    "export": {"OWNER": True, "PROCUREMENT_LEAD": True, "EVALUATOR": False, "OBSERVER": True},
    "awardProposal": {"OWNER": True, "PROCUREMENT_LEAD": True, "EVALUATOR": False, "OBSERVER": False},
}


async def _attempt(api: Api, clock: Clock, operation: str, owner: str, key: str) -> bool:
    """Whether `key` could do `operation` on the owner's organization's RFP."""
    if operation == "createRfp":
        return codes((await api.data(CREATE_RFP, {"input": rfp_input(clock())}, key))["createRfp"]) == []
    if operation == "publishRfp":
        rfp = await create_rfp(api, owner)
        return codes(await rfp_mutation(api, "publishRfp", rfp["id"], key)) == []
    if operation == "inviteMember":
        return codes(await invite(api, key, "OBSERVER", "Oscar Observer")) == []
    rfp_id = await open_rfp(api, owner)
    _, vendor = await register(api, "VENDOR", "Bidding Vendor")
    proposal = await submit(api, vendor, rfp_id, proposal_input())
    clock.advance(days=15)  # past the deadline
    if operation == "rankedProposals":
        found = (await api.data(RANKED, {"id": rfp_id}, key))["rfp"]["rankedProposals"]["edges"]
        return len(found) == 1
    if operation == "export":
        response = await api.client.get(
            f"/exports/rfps/{rfp_id}/ranking.csv", headers={"Authorization": f"Bearer {key}"}
        )
        return response.status_code == 200
    award = "mutation($input: AwardProposalInput!) { awardProposal(input: $input) { userErrors { code } } }"
    variables = {"input": {"proposalId": proposal["proposal"]["id"]}}
    return codes((await api.data(award, variables, key))["awardProposal"]) == []


@pytest.mark.parametrize("operation", list(BUYER_OPERATIONS))
@pytest.mark.parametrize("role", ["OWNER", "PROCUREMENT_LEAD", "EVALUATOR", "OBSERVER"])
async def test_buyer_role_table(api: Api, clock: Clock, role: str, operation: str) -> None:
    _, owner = await register(api, "BUYER", "Table Buyer")
    _, key = await member_key(api, owner, role)
    assert await _attempt(api, clock, operation, owner, key) is BUYER_OPERATIONS[operation][role]


@pytest.mark.parametrize(("role", "allowed"), [("OWNER", True), ("BID_MANAGER", True)])
async def test_vendor_roles_bid(api: Api, role: str, allowed: bool) -> None:
    _, buyer = await register(api, "BUYER", "Buyer For Vendors")
    rfp_id = await open_rfp(api, buyer)
    _, owner = await register(api, "VENDOR", "Vendor Team")
    _, key = await member_key(api, owner, role)
    assert ((await submit(api, key, rfp_id))["userErrors"] == []) is allowed
    # A bid manager may not manage the team.
    assert ((await invite(api, key, "BID_MANAGER", "Bob Bidder"))["userErrors"] == []) is (role == "OWNER")


OWN_KEYS = "{ viewer { member { id } apiKeys { id hint label revokedAt } } }"
TEAM_KEYS = "{ viewer { organization { members { name apiKeys { id } } } } }"
CREATE_LABELLED = (
    "mutation($label: String) { createApiKey(input: {label: $label}) { apiKey key { id label } "
    "userErrors { code } } }"
)
REVOKE = (
    "mutation($id: ID!) { revokeApiKey(input: {keyId: $id}) { key { id revokedAt } "
    "userErrors { field code } } }"
)


async def _signed_in_as(api: Api, key: str) -> Any:
    """The member behind a key, or the error code of the call (UNAUTHENTICATED for a dead key)."""
    body = await api(VIEWER, key=key)
    if body.get("errors"):
        return body["errors"][0]["extensions"]["code"]
    return body["data"]["viewer"]["member"]


async def _new_key(api: Api, key: str, label: str) -> tuple[str, str]:
    """(the new key's id, the key)."""
    created = (await api.data(CREATE_LABELLED, {"label": label}, key))["createApiKey"]
    assert created["userErrors"] == [], created
    return created["key"]["id"], created["apiKey"]


async def test_a_member_holds_and_revokes_its_own_keys(api: Api) -> None:
    _, owner = await register(api, "BUYER", "Keyholding Buyer")
    member_id, first = await member_key(api, owner, "EVALUATOR", "Kim Keys")
    key_id, second = await _new_key(api, first, "laptop")
    # The new key is the same member with the same role: never an organization-level key.
    assert await _signed_in_as(api, second) == await _signed_in_as(api, first)
    assert (await _signed_in_as(api, second))["id"] == member_id
    listed = (await api.data(OWN_KEYS, key=second))["viewer"]["apiKeys"]
    assert [(k["label"], k["hint"]) for k in listed] == [("invitation", first[:9]), ("laptop", second[:9])]
    # The organization's own keys are untouched: still the registration key only.
    assert len((await api.data(OWN_KEYS, key=owner))["viewer"]["apiKeys"]) == 1
    revoked = (await api.data(REVOKE, {"id": key_id}, first))["revokeApiKey"]
    assert revoked["userErrors"] == [] and revoked["key"]["revokedAt"] is not None
    assert await _signed_in_as(api, second) == "UNAUTHENTICATED"
    assert (await _signed_in_as(api, first))["id"] == member_id
    # Its last live key it may not revoke: it would lock itself out.
    invitation_id = listed[0]["id"]
    last = (await api.data(REVOKE, {"id": invitation_id}, first))["revokeApiKey"]
    assert codes(last) == ["INVALID_STATE"]
    assert (await _signed_in_as(api, first))["id"] == member_id


async def test_the_owner_revokes_a_members_key_and_deactivation_stops_all(api: Api) -> None:
    _, owner = await register(api, "BUYER", "Revoking Buyer")
    member_id, first = await member_key(api, owner, "PROCUREMENT_LEAD", "Lee Lead")
    key_id, second = await _new_key(api, first, "ci")
    # The OWNER finds the member's key ids on the team list (Member.apiKeys).
    team = (await api.data(TEAM_KEYS, key=owner))["viewer"]["organization"]["members"]
    assert [k["id"] for k in team[0]["apiKeys"]][1] == key_id
    revoked = (await api.data(REVOKE, {"id": key_id}, owner))["revokeApiKey"]
    assert revoked["userErrors"] == [], revoked
    assert await _signed_in_as(api, second) == "UNAUTHENTICATED"
    _, third = await _new_key(api, first, "new laptop")
    deactivated = (await api.data(DEACTIVATE, {"input": {"memberId": member_id}}, owner))["deactivateMember"]
    assert deactivated["userErrors"] == []
    for key in (first, third):  # every key of the member stops at once
        assert await _signed_in_as(api, key) == "UNAUTHENTICATED"


async def test_a_member_cannot_touch_other_keys(api: Api) -> None:
    _, owner = await register(api, "BUYER", "Guarded Buyer")
    _, rival_owner = await register(api, "BUYER", "Guarding Rival")
    _, evaluator = await member_key(api, owner, "EVALUATOR", "Eve Sly")
    colleague_id, colleague = await member_key(api, owner, "OBSERVER", "Otto Obs")
    _, rival_member = await member_key(api, rival_owner, "OWNER", "Rita Rival")
    colleague_key = (await api.data(OWN_KEYS, key=colleague))["viewer"]["apiKeys"][0]["id"]
    # Nor may it see a colleague's key ids: its own only.
    team = (await api.data(TEAM_KEYS, key=evaluator))["viewer"]["organization"]["members"]
    assert [len(m["apiKeys"]) for m in team] == [1, 0]
    organization_key = (await api.data(OWN_KEYS, key=owner))["viewer"]["apiKeys"][0]["id"]
    for target in (colleague_key, organization_key):
        for attacker in (evaluator, rival_member, rival_owner):
            refused = (await api.data(REVOKE, {"id": target}, attacker))["revokeApiKey"]
            assert refused["key"] is None and codes(refused) in (["NOT_FOUND"], ["FORBIDDEN"]), refused
    assert (await _signed_in_as(api, colleague))["id"] == colleague_id
    assert (await _signed_in_as(api, owner)) is None  # the organization key still works (no member)
    # Anonymous callers neither create nor revoke.
    assert (await api(CREATE_LABELLED, {"label": "x"}))["data"]["createApiKey"]["apiKey"] is None
    anonymous = (await api(REVOKE, {"id": colleague_key}))["data"]["revokeApiKey"]
    assert anonymous["key"] is None
