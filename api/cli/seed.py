"""Loading the demo data of seeds/ through the same use cases as the API. Idempotent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, timedelta

from bson import ObjectId

from api.services.inputs import name_key
from api.services.market import MarketService
from api.store.organizations import (
    hash_api_key,
    key_entry,
    new_api_key,
    new_organization,
    organization_record,
)
from market.records import OrganizationRecord
from market.vocabulary import ErrorCode, MemberRole, OrganizationKind
from seeds.demo import demo_addenda, demo_clarifications, demo_organizations, demo_rfps
from seeds.team import DemoEvaluation, demo_evaluation, demo_members


@dataclass(frozen=True)
class DemoKey:
    organization: str
    kind: str
    api_key: str
    member: str | None = None  # a member's key (the demo team), else the organization's


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
        evaluation = demo_evaluation()
        data = demo_rfp.rfp
        if evaluation.rfp == demo_rfp.key:  # the team's RFP carries the qualitative criteria
            data = {**data, "weights": evaluation.weights, "qualitativeCriteria": evaluation.criteria}
        created = await market.rfps.create_rfp(buyer, data)
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
        if evaluation.rfp == demo_rfp.key:
            await _evaluate(market, organizations, buyer, rfp_id, evaluation)
    keys += await _demo_members(market, organizations)
    return keys


async def _demo_members(market: MarketService, organizations: dict[str, OrganizationRecord]) -> list[DemoKey]:
    """The demo team, each member with a freshly minted key (an earlier demo key stops working)."""
    keys = []
    for member in demo_members():
        organization = organizations[member.organization]
        data = {"name": member.name, "email": member.email, "role": member.role}
        invited = await market.members.invite_member(organization, data)
        api_key = invited.value[1] if invited.value else new_api_key()
        if invited.value is None:  # already a member: a fresh key, as for the demo organizations
            await market.store.organizations.update_one(
                {"_id": ObjectId(organization.id), "members.email": member.email},
                {"$set": {"members.$.keyHash": hash_api_key(api_key), "members.$.keyHint": api_key[:9]}},
            )
        label = f"{organization.name}: {member.name} ({member.role})"
        keys.append(DemoKey(label, organization.kind.value, api_key, member=member.name))
    return keys


async def _evaluate(
    market: MarketService,
    organizations: dict[str, OrganizationRecord],
    buyer: OrganizationRecord,
    rfp_id: str,
    evaluation: DemoEvaluation,
) -> None:
    """The lead assigns the evaluators; each declares no conflict with every bidder and scores."""
    for member in demo_members():
        if member.organization == "northwind":
            await market.members.invite_member(
                buyer, {"name": member.name, "email": member.email, "role": member.role}
            )
    team = {m.email: m for m in await market.members.members(buyer, buyer.id)}
    assigned = await market.evaluation.assign_evaluators(
        buyer, rfp_id, [team[e].id for e in evaluation.evaluators]
    )
    if assigned.value is None:
        raise ValueError(f"demo evaluators are invalid: {assigned.errors}")
    rfp = assigned.value
    vendors = {
        organizations[key].id for key in organizations if organizations[key].kind is OrganizationKind.VENDOR
    }
    for email in evaluation.evaluators:
        evaluator = _as_member(buyer, team[email].id, MemberRole.EVALUATOR)
        bidders = [
            doc
            async for doc in market.store.proposals.find(
                {"rfpId": ObjectId(rfp_id)}, {"vendorId": 1, "_id": 1}
            )
        ]
        for doc in bidders:
            if str(doc["vendorId"]) in vendors:
                await market.evaluation.declare_conflict(evaluator, rfp_id, str(doc["vendorId"]), False, None)
        for score in (s for s in evaluation.scores if s.evaluator == email):
            proposal = next(d for d in bidders if str(d["vendorId"]) == organizations[score.vendor].id)
            criterion = rfp.qualitative_criteria[score.criterion].id
            made = await market.evaluation.submit_evaluation(
                evaluator, str(proposal["_id"]), criterion, score.score, score.justification
            )
            if made.errors:
                raise ValueError(f"demo evaluation is invalid: {made.errors}")


def _as_member(organization: OrganizationRecord, member_id: str, role: MemberRole) -> OrganizationRecord:
    return OrganizationRecord(
        id=organization.id,
        name=organization.name,
        kind=organization.kind,
        created_at=organization.created_at,
        member_id=member_id,
        role=role,
    )


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
