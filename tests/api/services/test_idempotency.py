"""Idempotency keys (issue 10, finding 13): a retried mutation returns the first answer, never a
duplicate or a CONFLICT; keys are scoped to their caller, bound to their input, expire, are written
in the effect's transaction, and concurrent duplicates make one effect."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from bson import ObjectId

from market.vocabulary import OrganizationKind
from schema.common import from_global_id
from tests.conftest import Api, Clock
from tests.helpers import (
    CREATE_RFP,
    REGISTER,
    REVISE,
    SUBMIT,
    codes,
    open_rfp,
    proposal_input,
    register,
    rfp_input,
    submit,
)


def oid(global_id: str) -> ObjectId:
    parsed = from_global_id(global_id)
    assert parsed is not None
    return ObjectId(parsed[1])


async def registered(api: Api, key: str | None, name: str = "Acme") -> dict[str, Any]:
    registration = {"name": name, "kind": "VENDOR", "contactEmail": "ops@acme.example", "idempotencyKey": key}
    payload: dict[str, Any] = (await api.data(REGISTER, {"input": registration}))["registerOrganization"]
    return payload


async def created(api: Api, buyer: str, key: str | None, **changes: Any) -> dict[str, Any]:
    data = {**rfp_input(api.market.now(), **changes), "idempotencyKey": key}
    payload: dict[str, Any] = (await api.data(CREATE_RFP, {"input": data}, buyer))["createRfp"]
    return payload


async def submitted(
    api: Api, vendor: str, rfp_id: str, key: str | None, fee: str = "14000.00"
) -> dict[str, Any]:
    data = {"rfpId": rfp_id, "proposal": proposal_input(fee), "idempotencyKey": key}
    payload: dict[str, Any] = (await api.data(SUBMIT, {"input": data}, vendor))["submitProposal"]
    return payload


async def revised(
    api: Api, vendor: str, proposal_id: str, key: str | None, fee: str = "13000.00"
) -> dict[str, Any]:
    data = {
        "proposalId": proposal_id,
        "expectedVersion": 1,
        "proposal": proposal_input(fee),
        "idempotencyKey": key,
    }
    payload: dict[str, Any] = (await api.data(REVISE, {"input": data}, vendor))["reviseProposal"]
    return payload


async def test_a_retried_registration_returns_the_first_organization_and_key(api: Api) -> None:
    key = str(uuid.uuid4())
    first, again = await registered(api, key), await registered(api, key)
    assert first["userErrors"] == [] and again == first  # same organization, same API key
    assert await api.store.organizations.count_documents({}) == 1
    assert (await api.data("{ viewer { organization { id } } }", key=again["apiKey"]))["viewer"] is not None
    # The API key is stored sealed, never in clear, and the idempotency key not at all.
    (record,) = await api.store.idempotency.find({}).to_list(None)
    assert first["apiKey"] not in repr(record) and first["apiKey"].encode() not in record["answer"]["apiKey"]
    assert key not in repr(record)
    # A new key is a new registration.
    other = await registered(api, str(uuid.uuid4()), name="Acme Two")
    assert other["organization"]["id"] != first["organization"]["id"]


async def test_another_client_cannot_replay_a_registration_key(api: Api) -> None:
    key = str(uuid.uuid4())
    market = api.market
    mine = await market.organizations.register_organization(
        "Acme", OrganizationKind.VENDOR, "a@acme.example", "10.0.0.1", key
    )
    theirs = await market.organizations.register_organization(
        "Acme Rival", OrganizationKind.VENDOR, "a@acme.example", "10.0.0.2", key
    )
    assert mine.value is not None and theirs.value is not None
    assert theirs.value[0].id != mine.value[0].id and theirs.value[1] != mine.value[1]
    again = await market.organizations.register_organization(
        "Acme", OrganizationKind.VENDOR, "a@acme.example", "10.0.0.1", key
    )
    assert again.value == mine.value


async def test_the_same_key_with_another_input_is_refused(api: Api) -> None:
    key = str(uuid.uuid4())
    assert (await registered(api, key))["userErrors"] == []
    reused = await registered(api, key, name="Someone else")
    assert codes(reused) == ["IDEMPOTENCY_KEY_REUSED"] and reused["apiKey"] is None
    assert reused["userErrors"][0]["field"] == ["input", "idempotencyKey"]
    _, buyer = await register(api, "BUYER")
    assert (await created(api, buyer, key))["userErrors"] == []  # another caller: another scope
    refused = await created(api, buyer, key, title="Another RFP")
    assert codes(refused) == ["IDEMPOTENCY_KEY_REUSED"]
    assert await api.store.rfps.count_documents({}) == 1


async def test_careless_keys_are_invalid(api: Api) -> None:
    for key in ("", "x" * 256, "clé", "tab\there"):
        assert codes(await registered(api, key)) == ["INVALID"]
    assert await api.store.organizations.count_documents({}) == 0


async def test_retried_rfp_submission_and_revision_return_the_first_answer(api: Api) -> None:
    _, buyer = await register(api, "BUYER")
    _, vendor = await register(api, "VENDOR")
    rfp_key = str(uuid.uuid4())
    rfp = await created(api, buyer, rfp_key)
    assert (await created(api, buyer, rfp_key)) == rfp
    assert await api.store.rfps.count_documents({}) == 1
    rfp_id = await open_rfp(api, buyer)

    submit_key = str(uuid.uuid4())
    first = await submitted(api, vendor, rfp_id, submit_key)
    again = await submitted(api, vendor, rfp_id, submit_key)
    assert first["userErrors"] == [] and again == first  # not ALREADY_SUBMITTED
    proposal_id = first["proposal"]["id"]

    revise_key = str(uuid.uuid4())
    one = await revised(api, vendor, proposal_id, revise_key)
    two = await revised(api, vendor, proposal_id, revise_key)
    assert one["userErrors"] == [] and two == one and two["proposal"]["version"] == 2  # not CONFLICT
    assert (
        await api.store.audit_events.count_documents({"subjectId": oid(proposal_id), "action": "revised"})
        == 1
    )
    # Without a key a stale retry is still a CONFLICT.
    assert codes(await revised(api, vendor, proposal_id, None)) == ["CONFLICT"]


async def test_a_competitor_cannot_read_another_vendors_answer_with_its_key(api: Api) -> None:
    _, buyer = await register(api, "BUYER")
    _, vendor = await register(api, "VENDOR")
    _, rival = await register(api, "VENDOR", "Rival")
    rfp_id = await open_rfp(api, buyer)
    key = str(uuid.uuid4())
    mine = await submitted(api, vendor, rfp_id, key)
    theirs = await submitted(api, rival, rfp_id, key)  # the same key and input, another caller
    assert theirs["userErrors"] == [] and theirs["proposal"]["id"] != mine["proposal"]["id"]
    assert theirs["proposal"]["vendor"]["name"] == "Rival"


async def test_concurrent_duplicates_make_one_effect(api: Api) -> None:
    key = str(uuid.uuid4())
    registrations = await asyncio.gather(*(registered(api, key) for _ in range(6)))
    assert all(r == registrations[0] and r["userErrors"] == [] for r in registrations)
    assert await api.store.organizations.count_documents({}) == 1

    _, buyer = await register(api, "BUYER")
    _, vendor = await register(api, "VENDOR", "Vendor")
    rfp_key = str(uuid.uuid4())
    rfps = await asyncio.gather(*(created(api, buyer, rfp_key) for _ in range(8)))
    assert all(r == rfps[0] and r["userErrors"] == [] for r in rfps)
    assert await api.store.rfps.count_documents({}) == 1

    rfp_id = await open_rfp(api, buyer)
    submit_key = str(uuid.uuid4())
    submissions = await asyncio.gather(*(submitted(api, vendor, rfp_id, submit_key) for _ in range(8)))
    assert all(s == submissions[0] and s["userErrors"] == [] for s in submissions)
    assert await api.store.proposals.count_documents({}) == 1

    revise_key = str(uuid.uuid4())
    proposal_id = submissions[0]["proposal"]["id"]
    revisions = await asyncio.gather(*(revised(api, vendor, proposal_id, revise_key) for _ in range(8)))
    assert all(r["userErrors"] == [] and r["proposal"]["version"] == 2 for r in revisions)
    doc = await api.store.proposals.find_one({"_id": oid(proposal_id)})
    assert doc is not None and doc["version"] == 2


async def test_no_answer_is_kept_without_its_effect(api: Api) -> None:
    _, buyer = await register(api, "BUYER")
    _, vendor = await register(api, "VENDOR")
    rfp_id = await open_rfp(api, buyer)
    await submit(api, vendor, rfp_id)
    duplicate = await submitted(api, vendor, rfp_id, str(uuid.uuid4()))
    assert codes(duplicate) == ["ALREADY_SUBMITTED"]
    assert await api.store.idempotency.count_documents({}) == 0  # rolled back with the insert


async def test_keys_expire_after_a_day(api: Api, clock: Clock) -> None:
    indexes = await api.store.idempotency.index_information()
    assert indexes["expiry"]["expireAfterSeconds"] == 0
    _, buyer = await register(api, "BUYER")
    key = str(uuid.uuid4())
    first = await created(api, buyer, key)
    record = await api.store.idempotency.find_one({})
    assert record is not None and (record["expiresAt"] - record["createdAt"]).total_seconds() == 24 * 3600
    clock.advance(hours=24, seconds=1)
    later = await created(api, buyer, key)
    assert later["userErrors"] == [] and later["rfp"]["id"] != first["rfp"]["id"]


async def test_the_idempotency_key_header_works_like_the_input_field(api: Api) -> None:
    key = str(uuid.uuid4())
    registration = {"name": "Header Co", "kind": "VENDOR", "contactEmail": "ops@header.example"}

    async def send() -> dict[str, Any]:
        response = await api.client.post(
            "/graphql",
            json={"query": REGISTER, "variables": {"input": registration}},
            headers={"Idempotency-Key": key},
        )
        payload: dict[str, Any] = response.json()["data"]["registerOrganization"]
        return payload

    first, again = await send(), await send()
    assert first["userErrors"] == [] and again == first
    assert await api.store.organizations.count_documents({}) == 1
    # The input field wins over the header: another key there is another registration attempt.
    other = {**registration, "idempotencyKey": str(uuid.uuid4())}
    response = await api.client.post(
        "/graphql", json={"query": REGISTER, "variables": {"input": other}}, headers={"Idempotency-Key": key}
    )
    assert codes(response.json()["data"]["registerOrganization"]) == ["CONFLICT"]  # same name, new key
