"""Cursor pages of flat filters (issue 14): the keyset condition after a cursor is an `$or`, which
SecantusDB plans as a scan or, hinted, as a walk of the whole index (every proposal of the
marketplace for a vendor's second page of its own), and a range on the sort field beside the filter
is planned as a scan too unless one index holds every field. So a cursor page reads the sort keys of
the filter's matches on the index the filter fits, pages them in the service, then reads the page's
documents by `_id` (api/services/paging.page_of_keys); a buyer's list of CLOSED or of several
statuses is paged the same way from the keys of its RFPs of the stored statuses. Each list pages
through every item once, in order, both ways, whatever the ties, and each request examines the same
entries after unrelated data grew."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bson import ObjectId

from schema.common import local_id, to_global_id
from tests.api.services.pages import Connection, forged_cursor, node_ids, walk_pages
from tests.api.services.plans import Reads
from tests.api.services.test_unhinted_reads import _examined, _grow_unrelated
from tests.conftest import Api, Clock
from tests.helpers import REVISE, create_rfp, open_rfp, proposal_input, proposal_mutation, register, submit

OWN = """query($first: Int, $after: String, $last: Int, $before: String, $dir: OrderDirection!) {
  viewer { proposals(first: $first, after: $after, last: $last, before: $before,
                     orderBy: {field: SUBMITTED_AT, direction: $dir}) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { node { id } } } } }"""
RFPS = """query($first: Int, $after: String, $last: Int, $before: String, $dir: OrderDirection!,
               $field: RfpOrderField!, $status: [RfpStatus!]) {
  rfps(first: $first, after: $after, last: $last, before: $before, filter: {status: $status},
       orderBy: {field: $field, direction: $dir}) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { node { id status } } } }"""


async def _pages_agree(api: Api, query: str, key: str, variables: dict[str, Any], ordered: list[str]) -> None:
    for direction, expected in (("ASC", ordered), ("DESC", ordered[::-1])):
        for size in (1, 2, 3, len(ordered) + 1):
            for backward in (False, True):

                async def read(paging: dict[str, Any], direction: str = direction) -> Connection:
                    data = await api.data(query, variables | {"dir": direction} | paging, key)
                    page: Connection = data["viewer"]["proposals"] if "viewer" in data else data["rfps"]
                    return page

                edges, pages = await walk_pages(read, size, backward)
                assert node_ids(edges) == expected, (direction, size, backward)
                assert {page["totalCount"] for page in pages} == {len(ordered)}


async def test_a_vendors_own_proposals_page_through_ties_in_order(api: Api) -> None:
    """The test clock stands still: every submission ties on submittedAt, so each cursor page's
    range takes in the cursor's own value and the order comes down to `_id`."""
    _, buyer = await register(api, "BUYER", "Tied buyer")
    _, vendor = await register(api, "VENDOR", "Tied vendor")
    _, rival = await register(api, "VENDOR", "Tied rival")
    rfps = [await open_rfp(api, buyer) for _ in range(5)]
    mine = [(await submit(api, vendor, rfp_id))["proposal"]["id"] for rfp_id in rfps]
    await submit(api, rival, rfps[0])
    ordered = sorted(mine, key=lambda gid: ObjectId(local_id(gid, "Proposal")))
    await _pages_agree(api, OWN, vendor, {}, ordered)


async def test_a_vendors_page_after_a_cursor_reads_its_own_proposals_only(
    explained_api: Api, reads: Reads
) -> None:
    api = explained_api
    _, buyer = await register(api, "BUYER", "Cursor buyer")
    _, vendor = await register(api, "VENDOR", "Cursor vendor")
    rfps = [await open_rfp(api, buyer) for _ in range(4)]
    for rfp_id in rfps:
        await submit(api, vendor, rfp_id)
    first = (await api.data(OWN, {"first": 2, "dir": "DESC"}, vendor))["viewer"]["proposals"]
    for paging in (
        {"first": 2, "after": first["pageInfo"]["endCursor"]},
        {"last": 1, "before": first["pageInfo"]["endCursor"]},
    ):
        reads.commands.clear()
        page = (await api.data(OWN, paging | {"dir": "DESC"}, vendor))["viewer"]["proposals"]
        assert page["edges"] and page["totalCount"] == 4
        kept = [c for c in reads.commands if c.get("find") == "proposals"]
        # The keys of the vendor's proposals, then the page's by `_id`; no `$or`, no hint, no count.
        assert len(kept) == 2 and "$or" not in repr(kept) and "$and" not in repr(kept), kept
        assert kept[1]["filter"]["_id"]["$in"] and "count" not in repr(reads.commands)
        before = await _examined(api, kept)
        await _grow_unrelated(api)
        assert await _examined(api, kept) == before


async def test_rfp_lists_in_title_and_creation_order_page_through_ties(api: Api, clock: Clock) -> None:
    """Titles shared by several RFPs, and the still clock's one createdAt: a vendor's market list and
    a buyer's own, in both orders, list every RFP once, in order, both ways."""
    _, buyer = await register(api, "BUYER", "Titled buyer")
    _, vendor = await register(api, "VENDOR", "Titled vendor")
    ids = [
        await open_rfp(api, buyer, title=title)
        for title in ("Beta", "Alpha", "Beta", "Gamma", "Alpha", "Beta")
    ]
    by_id = sorted(ids, key=lambda gid: ObjectId(local_id(gid, "Rfp")))
    oids = [ObjectId(local_id(gid, "Rfp")) for gid in ids]
    titles: dict[str, str] = {
        str(to_global_id("Rfp", str(doc["_id"]))): doc["title"]
        async for doc in api.store.rfps.find({"_id": {"$in": oids}})
    }
    by_title = sorted(by_id, key=lambda gid: titles[gid])  # stable: ties stay in `_id` order
    for key in (vendor, buyer):
        await _pages_agree(api, RFPS, key, {"field": "TITLE", "status": None}, by_title)
        await _pages_agree(api, RFPS, key, {"field": "CREATED_AT", "status": None}, by_id)


async def _buyers_rfps(api: Api, clock: Clock, buyer: str) -> dict[str, list[str]]:
    """The buyer's RFPs by effective status, each list in `_id` order: OPEN, CLOSED (stored CLOSED,
    or OPEN past its deadline) and DRAFT."""
    by_status: dict[str, list[str]] = {"OPEN": [], "CLOSED": [], "DRAFT": []}
    for _ in range(3):
        by_status["OPEN"].append(await open_rfp(api, buyer))
        by_status["DRAFT"].append((await create_rfp(api, buyer))["id"])
        closed = await open_rfp(api, buyer)
        await api.store.rfps.update_one(
            {"_id": ObjectId(local_id(closed, "Rfp"))}, {"$set": {"status": "CLOSED"}}
        )
        by_status["CLOSED"].append(closed)
        past = await open_rfp(api, buyer)
        deadline = clock() - timedelta(days=1)
        await api.store.rfps.update_one(
            {"_id": ObjectId(local_id(past, "Rfp"))}, {"$set": {"submissionDeadline": deadline}}
        )
        by_status["CLOSED"].append(past)
    return {
        status: sorted(gids, key=lambda gid: ObjectId(local_id(gid, "Rfp")))
        for status, gids in by_status.items()
    }


async def test_a_buyers_list_of_closed_or_several_statuses_pages_by_effective_status(
    api: Api, clock: Clock
) -> None:
    _, buyer = await register(api, "BUYER", "Status buyer")
    _, rival = await register(api, "BUYER", "Status rival")
    mine = await _buyers_rfps(api, clock, buyer)
    await _buyers_rfps(api, clock, rival)
    for wanted in (["CLOSED"], ["OPEN", "DRAFT"], ["CLOSED", "OPEN"], ["DRAFT", "CLOSED", "OPEN"]):
        ordered = sorted(
            (gid for status in wanted for gid in mine[status]), key=lambda gid: ObjectId(local_id(gid, "Rfp"))
        )
        await _pages_agree(api, RFPS, buyer, {"field": "CREATED_AT", "status": wanted}, ordered)
        page = (await api.data(RFPS, {"first": 50, "dir": "ASC", "field": "TITLE", "status": wanted}, buyer))[
            "rfps"
        ]
        assert {edge["node"]["status"] for edge in page["edges"]} == set(wanted)


async def test_a_buyers_list_of_closed_reads_its_own_rfps_only(
    explained_api: Api, reads: Reads, clock: Clock
) -> None:
    api = explained_api
    _, buyer = await register(api, "BUYER", "Closed reader")
    mine = await _buyers_rfps(api, clock, buyer)
    first = {"first": 2, "dir": "DESC", "field": "CREATED_AT", "status": ["CLOSED"]}
    page = (await api.data(RFPS, first, buyer))["rfps"]
    for variables in (first, first | {"after": page["pageInfo"]["endCursor"]}):
        reads.commands.clear()
        page = (await api.data(RFPS, variables, buyer))["rfps"]
        assert page["totalCount"] == len(mine["CLOSED"])
        kept = [c for c in reads.commands if c.get("find") == "rfps"]
        # The keys of its RFPs stored CLOSED or OPEN, then the page's by `_id`.
        assert len(kept) == 2 and "$or" not in repr(kept), kept
        assert kept[0]["filter"]["status"] == {"$in": ["CLOSED", "OPEN"]}
        before = await _examined(api, kept)
        await _grow_unrelated(api)
        assert await _examined(api, kept) == before


EVENTS = """query($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  node(id: $id) { ... on Proposal {
    auditEvents(first: $first, after: $after, last: $last, before: $before) {
      totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor } } } } }"""


async def test_audit_event_pages_page_through_ties_on_their_subjects_index(
    explained_api: Api, reads: Reads
) -> None:
    """Six events of one proposal at one time (the still clock): pages of any size, after and before
    a cursor (and both at once), list each once, in order; each read is planned on by_subject and
    examines the same entries after unrelated events arrived."""
    api = explained_api
    _, buyer = await register(api, "BUYER", "Audit buyer")
    _, vendor = await register(api, "VENDOR", "Audit vendor")
    proposal_id = (await submit(api, vendor, await open_rfp(api, buyer)))["proposal"]["id"]
    for version in range(1, 6):
        revise = {
            "proposalId": proposal_id,
            "expectedVersion": version,
            "proposal": proposal_input(f"{9000 + version}.00"),
        }
        assert (await api.data(REVISE, {"input": revise}, vendor))["reviseProposal"]["userErrors"] == []
    whole = (await api.data(EVENTS, {"id": proposal_id, "first": 100}, vendor))["node"]["auditEvents"]
    ordered = [edge["cursor"] for edge in whole["edges"]]
    assert len(ordered) == 6

    async def read(paging: dict[str, Any]) -> Connection:
        data = await api.data(EVENTS, {"id": proposal_id} | paging, vendor)
        page: Connection = data["node"]["auditEvents"]
        return page

    for size in (1, 2, 4):
        for backward in (False, True):
            edges, _ = await walk_pages(read, size, backward)
            assert [edge["cursor"] for edge in edges] == ordered, (size, backward)
    reads.commands.clear()
    between = {"id": proposal_id, "first": 10, "after": ordered[0], "before": ordered[4]}
    page = (await api.data(EVENTS, between, vendor))["node"]["auditEvents"]
    assert [edge["cursor"] for edge in page["edges"]] == ordered[1:4]  # both cursors at once: between
    reads.commands.clear()
    page = await api.data(EVENTS, {"id": proposal_id, "first": 2, "after": ordered[1]}, vendor)
    assert [edge["cursor"] for edge in page["node"]["auditEvents"]["edges"]] == ordered[2:4]
    kept = [c for c in reads.commands if c.get("find") == "audit_events"]
    assert kept and "$or" not in repr(kept), kept
    before = await _examined(api, kept)
    await _grow_unrelated(api)
    assert await _examined(api, kept) == before


CLARIFICATIONS = """query($id: ID!, $first: Int, $after: String) { rfp(id: $id) {
  clarifications(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor }
    edges { node { id } } } } }"""
ASK = """mutation($input: AskClarificationInput!) { askClarification(input: $input) {
  clarification { id } userErrors { code } } }"""
ANSWER = """mutation($input: AnswerClarificationInput!) { answerClarification(input: $input) {
  userErrors { code } } }"""


async def test_a_vendors_clarification_pages_read_the_rfps_own_on_its_index(
    explained_api: Api, reads: Reads
) -> None:
    """A vendor sees the answered questions and its own: paged through, it lists exactly those, and
    each page reads the RFP's clarifications on by_rfp (the `$or` of the two was a collection scan)."""
    api = explained_api
    _, buyer = await register(api, "BUYER", "Asked buyer")
    _, vendor = await register(api, "VENDOR", "Asking vendor")
    _, rival = await register(api, "VENDOR", "Asking rival")
    rfp_id = await open_rfp(api, buyer)
    asked: dict[str, list[str]] = {"vendor": [], "rival": []}
    for round_ in range(3):
        for name, key in (("vendor", vendor), ("rival", rival)):
            data = await api.data(
                ASK, {"input": {"rfpId": rfp_id, "question": f"Question {round_} from {name}?"}}, key
            )
            asked[name].append(data["askClarification"]["clarification"]["id"])
    answered = asked["rival"][1]
    result = await api.data(ANSWER, {"input": {"clarificationId": answered, "answer": "Yes."}}, buyer)
    assert result["answerClarification"]["userErrors"] == []
    visible = sorted([*asked["vendor"], answered], key=lambda gid: ObjectId(local_id(gid, "Clarification")))
    everything = sorted(
        [*asked["vendor"], *asked["rival"]], key=lambda gid: ObjectId(local_id(gid, "Clarification"))
    )
    for key, expected in ((vendor, visible), (buyer, everything)):

        async def read(paging: dict[str, Any], key: str = key) -> Connection:
            data = await api.data(CLARIFICATIONS, {"id": rfp_id} | paging, key)
            page: Connection = data["rfp"]["clarifications"]
            return page

        edges, pages = await walk_pages(read, 1)
        assert node_ids(edges) == expected
        assert {page["totalCount"] for page in pages} == {len(expected)}
    cursor = pages[-2]["pageInfo"]["endCursor"]  # a page after a cursor is read on the index too
    for variables in ({"id": rfp_id, "first": 2}, {"id": rfp_id, "first": 2, "after": cursor}):
        reads.commands.clear()
        await api.data(CLARIFICATIONS, variables, vendor)
        kept = [c for c in reads.commands if c.get("find") == "clarifications"]
        assert kept and "$or" not in repr(kept), kept
        before = await _examined(api, kept)
        await _grow_unrelated(api)
        assert await _examined(api, kept) == before


RFP_PROPOSALS = """query($id: ID!, $first: Int, $after: String, $status: [ProposalStatus!]) {
  rfp(id: $id) { proposals(first: $first, after: $after, filter: {status: $status}) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id status } } } } }"""


async def test_a_buyers_proposals_by_status_read_the_rfps_own_on_its_index(
    explained_api: Api, reads: Reads
) -> None:
    """Rfp.proposals(filter: {status}): a status beside rfpId is in no index (a collection scan of
    every proposal); the RFP's proposals are read on its own index and their statuses checked."""
    api = explained_api
    _, buyer = await register(api, "BUYER", "Status filter buyer")
    rfp_id = await open_rfp(api, buyer, sealed=False)
    ids = []
    for index in range(5):
        _, vendor = await register(api, "VENDOR", f"Status filter vendor {index}")
        ids.append(
            (await submit(api, vendor, rfp_id, proposal_input(f"{9000 + index}.00")))["proposal"]["id"]
        )
        if index % 2:
            await proposal_mutation(api, "withdrawProposal", ids[-1], vendor)
    submitted = [gid for index, gid in enumerate(ids) if index % 2 == 0]

    async def read(paging: dict[str, Any]) -> Connection:
        reads.commands.clear()
        variables = {"id": rfp_id, "status": ["SUBMITTED"]} | paging
        page: Connection = (await api.data(RFP_PROPOSALS, variables, buyer))["rfp"]["proposals"]
        assert page["totalCount"] == 3
        kept = [c for c in reads.commands if c.get("find") == "proposals"]
        before = await _examined(api, kept)
        await _grow_unrelated(api)
        assert await _examined(api, kept) == before
        return page

    edges, _ = await walk_pages(read, 2)
    assert node_ids(edges) == submitted


async def test_forged_cursors_get_a_client_error_or_a_page_never_a_500(api: Api) -> None:
    """Cursors are paged in the service now: a forged value of another type than the field's (a
    number for a title), a naive time, a list's or order's foreign cursor."""
    _, buyer = await register(api, "BUYER", "Forged buyer")
    for _ in range(3):
        await open_rfp(api, buyer)
    naive = api.market.now().replace(tzinfo=None).isoformat()
    cases = [
        ("TITLE", forged_cursor("rfps", "title:ASC", 5)),
        ("TITLE", forged_cursor("rfps", "title:ASC", ["a"])),
        ("CREATED_AT", forged_cursor("rfps", "createdAt:ASC", naive)),
        ("CREATED_AT", forged_cursor("rfps", "createdAt:ASC", "not a time")),
        ("CREATED_AT", forged_cursor("own-proposals", "createdAt:ASC", naive)),
        ("TITLE", forged_cursor("rfps", "createdAt:ASC", naive)),
    ]
    for field, cursor in cases:
        for paging in ({"first": 2, "after": cursor}, {"last": 2, "before": cursor}):
            for status in (None, ["CLOSED", "OPEN"]):
                variables = {"dir": "ASC", "field": field, "status": status} | paging
                body = await api(RFPS, variables, buyer)
                if "errors" in body:
                    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body
                else:
                    assert isinstance(body["data"]["rfps"]["edges"], list), body
    # A naive time reads as UTC: every RFP was created at the still clock's time with an older id
    # than the cursor's, so none lies after it, and all three before it.
    forged = forged_cursor("rfps", "createdAt:ASC", naive)
    listing = {"dir": "ASC", "field": "CREATED_AT", "status": None}
    after = await api.data(RFPS, listing | {"first": 5, "after": forged}, buyer)
    assert after["rfps"]["edges"] == []
    before = await api.data(RFPS, listing | {"last": 5, "before": forged}, buyer)
    assert len(before["rfps"]["edges"]) == 3
