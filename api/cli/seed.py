"""Loading the demo data of seeds/ through the same use cases as the API. Idempotent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, timedelta

from bson import ObjectId

from api.services.inputs import name_key
from api.services.market import MarketService
from api.store.organizations import key_entry, new_api_key, new_organization, organization_record
from market.records import OrganizationRecord
from market.vocabulary import ErrorCode, OrganizationKind
from seeds.demo import demo_addenda, demo_clarifications, demo_organizations, demo_rfps


@dataclass(frozen=True)
class DemoKey:
    organization: str
    kind: str
    api_key: str


async def _demo_organization(
    market: MarketService, key: str, name: str, kind: str, email: str
) -> tuple[OrganizationRecord, str]:
    """The demo organization with a freshly minted key; earlier demo keys are revoked."""
    organizations = market.store.organizations
    now = market.now()
    api_key = new_api_key()
    fresh = key_entry(api_key, now, "demo", demo=True)
    doc = await organizations.find_one({"demoKey": key})
    if doc is None:
        doc = new_organization(
            name, OrganizationKind(kind), email, now, fresh, name_key=name_key(name), demo_key=key
        )
        doc["_id"] = (await organizations.insert_one(doc)).inserted_id
        return organization_record(doc), api_key
    await organizations.update_one(
        {"_id": doc["_id"]},
        {"$set": {"apiKeys.$[old].revokedAt": now}},
        array_filters=[{"old.demo": True, "old.revokedAt": None}],
    )
    await organizations.update_one({"_id": doc["_id"]}, {"$push": {"apiKeys": fresh}})
    return organization_record(doc), api_key


async def load_demo(market: MarketService) -> list[DemoKey]:
    organizations: dict[str, OrganizationRecord] = {}
    keys: list[DemoKey] = []
    for demo in demo_organizations():
        record, api_key = await _demo_organization(market, demo.key, demo.name, demo.kind, demo.contact_email)
        organizations[demo.key] = record
        keys.append(DemoKey(organization=record.name, kind=record.kind.value, api_key=api_key))
    for demo_rfp in demo_rfps(market.now().astimezone(UTC)):
        if await market.store.rfps.find_one({"demoKey": demo_rfp.key}, projection={"_id": 1}):
            continue
        buyer = organizations[demo_rfp.buyer]
        created = await market.rfps.create_rfp(buyer, demo_rfp.rfp)
        if created.value is None:
            raise ValueError(f"demo RFP {demo_rfp.key} is invalid: {created.errors}")
        rfp_id = created.value.id
        await market.store.rfps.update_one({"_id": ObjectId(rfp_id)}, {"$set": {"demoKey": demo_rfp.key}})
        published = await market.rfps.publish_rfp(buyer, rfp_id)
        if published.errors:
            raise ValueError(f"demo RFP {demo_rfp.key} did not publish: {published.errors}")
        for demo_proposal in demo_rfp.proposals:
            vendor = organizations[demo_proposal.vendor]
            assert vendor.kind is OrganizationKind.VENDOR
            submitted = await market.proposals.submit_proposal(vendor, rfp_id, demo_proposal.proposal)
            if submitted.errors and submitted.errors[0].code is not ErrorCode.ALREADY_SUBMITTED:
                raise ValueError(f"demo proposal of {demo_proposal.vendor} is invalid: {submitted.errors}")
        await _talk(market, organizations, demo_rfp.key, buyer, rfp_id)
    return keys


async def _talk(
    market: MarketService,
    organizations: dict[str, OrganizationRecord],
    key: str,
    buyer: OrganizationRecord,
    rfp_id: str,
) -> None:
    """The demo RFP's answered clarifications, then its addenda and the vendors' confirmations."""
    for talk in (item for item in demo_clarifications() if item.rfp == key):
        if talk.vendor is None:
            made = await market.clarifications.publish_clarification(
                buyer, rfp_id, talk.question, talk.answer
            )
        else:
            asked = await market.clarifications.ask_clarification(
                organizations[talk.vendor], rfp_id, talk.question
            )
            if asked.value is None:
                raise ValueError(f"demo clarification is invalid: {asked.errors}")
            made = await market.clarifications.answer_clarification(buyer, asked.value.id, talk.answer)
        if made.errors:
            raise ValueError(f"demo clarification is invalid: {made.errors}")
    for addendum in (item for item in demo_addenda() if item.rfp == key):
        rfp = await market.ground.get_rfp(buyer, rfp_id)
        assert rfp is not None
        amendment = {**addendum.amendment, "submissionDeadline": rfp.submission_deadline + timedelta(days=7)}
        amended = await market.addenda.amend_rfp(buyer, rfp_id, amendment)
        if amended.errors:
            raise ValueError(f"demo addendum is invalid: {amended.errors}")
        for vendor_key in addendum.confirmed_by:
            vendor = organizations[vendor_key]
            proposal = await market.store.proposals.find_one(
                {"rfpId": ObjectId(rfp_id), "vendorId": ObjectId(vendor.id)}, {"_id": 1}
            )
            if proposal is not None:
                await market.addenda.confirm_proposal(vendor, str(proposal["_id"]))
