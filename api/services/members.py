"""An organization's members: invite (a key shown once, stored hashed), change a role, deactivate
(the member's key stops at once), the team list, and the member behind a key. Every change is one
update of the organization's document with its audit event, in one transaction."""

from __future__ import annotations

from typing import Any

from bson import ObjectId
from pydantic import Field
from pymongo import ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession

from api.services.ground import Aborted, MarketGround
from api.services.inputs import Email, Line, validate
from api.services.organizations import api_key_record
from api.store.database import parse_object_id
from api.store.document import Document
from api.store.members import holds_key, member_key_of, member_record, new_member_entry
from api.store.organizations import hash_api_key, key_entry, new_api_key, organization_record
from market.records import ApiKeyRecord, MemberRecord, OrganizationRecord
from market.roles import Action, role_fits
from market.vocabulary import ErrorCode, MemberRole, Outcome
from scoring.model import Model

MAX_MEMBERS = 200  # per organization: members live in its document
MAX_MEMBER_KEYS = 10  # live keys per member, as per organization


class Invitation(Model):
    name: Line = Field(min_length=1, max_length=200)
    email: Email = Field(max_length=254)
    role: MemberRole


def _member_not_found() -> Outcome[Any]:
    return Outcome.fail(ErrorCode.NOT_FOUND, "member not found", ("input", "memberId"))


def _wrong_role(viewer: OrganizationRecord, role: MemberRole) -> Outcome[Any] | None:
    if role_fits(viewer.kind, role):
        return None
    return Outcome.fail(
        ErrorCode.INVALID,
        f"a {viewer.kind.value.lower()} organization has no {role.value} role",
        ("input", "role"),
    )


def _key_not_found() -> Outcome[Any]:
    return Outcome.fail(ErrorCode.NOT_FOUND, "key not found or already revoked", ("input", "keyId"))


class MemberService:
    def __init__(self, ground: MarketGround) -> None:
        self.ground = ground
        self.store = ground.store

    async def authenticate(self, api_key: str) -> OrganizationRecord | None:
        """The viewer a member's key names: its organization, acting as that member with its role.
        None for an unknown key or a deactivated member (the caller gets UNAUTHENTICATED)."""
        hashed = hash_api_key(api_key)
        # Two single-field lookups, each on its own index, rather than an $or the planner may scan.
        doc = await self.store.organizations.find_one({"members.keyHash": hashed})
        if doc is None:
            doc = await self.store.organizations.find_one({"members.keys.hash": hashed})
        entry = next((m for m in (doc or {}).get("members", []) if holds_key(m, hashed)), None)
        if doc is None or entry is None or not entry["active"]:
            return None
        key = member_key_of(entry, hashed)
        if key is not None and key.get("revokedAt") is not None:
            return None
        organization = organization_record(doc)
        return OrganizationRecord(
            id=organization.id,
            name=organization.name,
            kind=organization.kind,
            created_at=organization.created_at,
            member_id=str(entry["id"]),
            role=MemberRole(entry["role"]),
        )

    async def invite_member(
        self, viewer: OrganizationRecord | None, data: dict[str, Any]
    ) -> Outcome[tuple[MemberRecord, str]]:
        if viewer is None:
            return Outcome.fail(ErrorCode.FORBIDDEN, "sign in to invite a member")
        if (denied := self.ground.denied(viewer, Action.MANAGE_TEAM)) is not None:
            return denied
        invitation, errors = validate(Invitation, data, ("input",))
        if invitation is None:
            return Outcome(errors=errors)
        if (wrong := _wrong_role(viewer, invitation.role)) is not None:
            return wrong
        api_key = new_api_key()
        now = self.ground.now()
        entry = new_member_entry(invitation.name, invitation.email.lower(), invitation.role, api_key, now)

        async def work(session: AsyncClientSession) -> None:
            updated = await self.store.organizations.update_one(
                {
                    "_id": ObjectId(viewer.id),
                    # One member per email, and a cap, checked by the write itself: no race passes them.
                    "members.email": {"$ne": entry["email"]},
                    "$expr": {"$lt": [{"$size": {"$ifNull": ["$members", []]}}, MAX_MEMBERS]},
                },
                {"$push": {"members": entry}},
                session=session,
            )
            if updated.modified_count == 0:
                raise Aborted(
                    Outcome.fail(
                        ErrorCode.CONFLICT,
                        f"a member with this email exists, or the team has {MAX_MEMBERS} members",
                        ("input", "email"),
                    )
                )
            await self.ground.audit(session, viewer.id, viewer, "memberInvited", [f"members.{entry['id']}"])

        try:
            await self.ground.in_transaction(work)
        except Aborted as aborted:
            return aborted.outcome
        return Outcome((member_record(viewer.id, entry), api_key))

    async def change_member_role(
        self, viewer: OrganizationRecord | None, member_id: str, role: MemberRole
    ) -> Outcome[MemberRecord]:
        if viewer is not None and (wrong := _wrong_role(viewer, role)) is not None:
            return wrong
        return await self._update(viewer, member_id, {"role": role.value}, "memberRoleChanged")

    async def deactivate_member(
        self, viewer: OrganizationRecord | None, member_id: str
    ) -> Outcome[MemberRecord]:
        return await self._update(viewer, member_id, {"active": False}, "memberDeactivated")

    async def _update(
        self, viewer: OrganizationRecord | None, member_id: str, changes: Document, action: str
    ) -> Outcome[MemberRecord]:
        oid = parse_object_id(member_id)
        if viewer is None or oid is None:
            return _member_not_found()
        if (denied := self.ground.denied(viewer, Action.MANAGE_TEAM)) is not None:
            return denied
        update = {f"members.$[member].{field}": value for field, value in changes.items()}

        async def work(session: AsyncClientSession) -> Document:
            # Only a member of the caller's own organization matches: another's id is "not found".
            updated = await self.store.organizations.find_one_and_update(
                {"_id": ObjectId(viewer.id), "members.id": oid},
                {"$set": update},
                array_filters=[{"member.id": oid}],
                projection={"members": 1},
                return_document=ReturnDocument.AFTER,
                session=session,
            )
            if updated is None:
                raise Aborted(_member_not_found())
            fields = [f"members.{oid}.{field}" for field in changes]
            await self.ground.audit(session, viewer.id, viewer, action, fields)
            entry: Document = next(m for m in updated["members"] if m["id"] == oid)
            return entry

        try:
            entry = await self.ground.in_transaction(work)
        except Aborted as aborted:
            return aborted.outcome
        return Outcome(member_record(viewer.id, entry))

    async def members(self, viewer: OrganizationRecord | None, organization_id: str) -> list[MemberRecord]:
        """The team, to the organization itself only (any of its roles); [] to everyone else."""
        oid = parse_object_id(organization_id)
        if viewer is None or oid is None or viewer.id != organization_id:
            return []
        doc = await self.store.organizations.find_one({"_id": oid}, projection={"members": 1})
        return [member_record(oid, entry) for entry in (doc or {}).get("members", [])]

    async def get_member(
        self, viewer: OrganizationRecord | None, member_id: str | None
    ) -> MemberRecord | None:
        """One member, to its own organization only; None for anyone else (nobody learns who exists)."""
        oid = parse_object_id(member_id) if member_id else None
        if viewer is None or oid is None:
            return None
        doc = await self.store.organizations.find_one({"_id": ObjectId(viewer.id)}, projection={"members": 1})
        entry = next((m for m in (doc or {}).get("members", []) if m["id"] == oid), None)
        return member_record(viewer.id, entry) if entry else None

    # ------------------------------------------------------------------ a member's own API keys

    async def member_api_keys(self, viewer: OrganizationRecord) -> list[ApiKeyRecord]:
        """The calling member's own keys, revoked ones included (the invitation key first)."""
        entry = await self._member_entry(viewer, viewer.member_id)
        return [api_key_record(key) for key in (entry or {}).get("keys", [])]

    async def keys_of_member(
        self, viewer: OrganizationRecord | None, member: MemberRecord
    ) -> list[ApiKeyRecord]:
        """A member's keys, to the member itself and its organization's OWNER; [] to anyone else."""
        if viewer is None or viewer.id != member.organization_id:
            return []
        if viewer.member_id != member.id and self.ground.denied(viewer, Action.MANAGE_TEAM) is not None:
            return []
        entry = await self._member_entry(viewer, member.id)
        return [api_key_record(key) for key in (entry or {}).get("keys", [])]

    async def create_member_api_key(
        self, viewer: OrganizationRecord, label: str | None
    ) -> Outcome[tuple[ApiKeyRecord, str]]:
        """Another key for the calling member itself: it acts as that member, with the member's role
        (never an organization-level key, which would act as the OWNER)."""
        if label is not None and len(label.strip()) > 100:
            return Outcome.fail(ErrorCode.INVALID, "at most 100 characters", ("input", "label"))
        member = ObjectId(viewer.member_id)
        api_key = new_api_key()
        entry = key_entry(api_key, self.ground.now(), label.strip() if label else None)

        async def work(session: AsyncClientSession) -> None:
            doc = await self.store.organizations.find_one(
                {"_id": ObjectId(viewer.id)}, projection={"members": 1}, session=session
            )
            found = next((m for m in (doc or {}).get("members", []) if m["id"] == member), None)
            if found is None or not found["active"]:
                raise Aborted(Outcome.fail(ErrorCode.FORBIDDEN, "this member is deactivated"))
            live = [key for key in found.get("keys", []) if key.get("revokedAt") is None]
            if len(live) >= MAX_MEMBER_KEYS:
                message = f"at most {MAX_MEMBER_KEYS} live keys per member; revoke one first"
                raise Aborted(Outcome.fail(ErrorCode.INVALID_STATE, message))
            # In the transaction: a concurrent creation conflicts with this one, so the cap holds.
            await self.store.organizations.update_one(
                {"_id": ObjectId(viewer.id)},
                {"$push": {"members.$[member].keys": entry}},
                array_filters=[{"member.id": member}],
                session=session,
            )
            await self.ground.audit(
                session, viewer.id, viewer, "memberKeyCreated", [f"members.{member}.keys"]
            )

        try:
            await self.ground.in_transaction(work)
        except Aborted as aborted:
            return aborted.outcome
        return Outcome((api_key_record(entry), api_key))

    async def revoke_member_api_key(self, viewer: OrganizationRecord, key_id: str) -> Outcome[ApiKeyRecord]:
        """Revokes a member's key: a member its own (not its last live one: it would lock itself
        out), the OWNER any member's of its organization. NOT_FOUND for anything else, so nobody
        learns another member's key ids."""
        owner = self.ground.denied(viewer, Action.MANAGE_TEAM) is None
        now = self.ground.now()
        oid = parse_object_id(key_id)

        async def work(session: AsyncClientSession) -> Document:
            if oid is None:
                raise Aborted(_key_not_found())
            doc = await self.store.organizations.find_one(
                {"_id": ObjectId(viewer.id)}, projection={"members": 1}, session=session
            )
            holder = next(
                (
                    m
                    for m in (doc or {}).get("members", [])
                    if any(k.get("id") == oid for k in m.get("keys", []))
                ),
                None,
            )
            own = holder is not None and viewer.member_id == str(holder["id"])
            key = next((k for k in (holder or {}).get("keys", []) if k.get("id") == oid), None)
            if holder is None or key is None or key.get("revokedAt") is not None or not (own or owner):
                raise Aborted(_key_not_found())
            live = [k for k in holder.get("keys", []) if k.get("revokedAt") is None]
            if own and len(live) == 1:
                raise Aborted(
                    Outcome.fail(ErrorCode.INVALID_STATE, "this is your last live key; create another first")
                )
            await self.store.organizations.update_one(
                {"_id": ObjectId(viewer.id)},
                {"$set": {"members.$[member].keys.$[key].revokedAt": now}},
                array_filters=[{"member.id": holder["id"]}, {"key.id": oid}],
                session=session,
            )
            fields = [f"members.{holder['id']}.keys.{oid}.revokedAt"]
            await self.ground.audit(session, viewer.id, viewer, "memberKeyRevoked", fields)
            return {**key, "revokedAt": now}

        try:
            return Outcome(api_key_record(await self.ground.in_transaction(work)))
        except Aborted as aborted:
            return aborted.outcome

    async def _member_entry(self, viewer: OrganizationRecord, member_id: str | None) -> Document | None:
        oid = parse_object_id(member_id) if member_id else None
        if oid is None:
            return None
        doc = await self.store.organizations.find_one({"_id": ObjectId(viewer.id)}, projection={"members": 1})
        return next((m for m in (doc or {}).get("members", []) if m["id"] == oid), None)
