"""The demo data has one RFP with answered clarifications and an addendum (issue 16), loaded through
the same use cases as the API, and idempotently."""

from __future__ import annotations

from api.cli.seed import load_demo
from api.store.proposals import CONFIRM_FIELDS
from seeds.demo import demo_addenda, demo_clarifications
from tests.conftest import Api


async def test_the_demo_qa_rfp_has_answered_clarifications_and_an_addendum(api: Api) -> None:
    keys = await load_demo(api.market)
    await load_demo(api.market)  # idempotent: nothing asked or amended twice
    assert await api.store.clarifications.count_documents({}) == len(demo_clarifications())
    northwind = next(key for key in keys if key.organization == "Northwind Outfitters")
    # load_demo revoked the first run's keys; the buyer's new key is the second run's: read directly.
    rfps = await api.store.rfps.find({"addenda.0": {"$exists": True}}).to_list(None)
    assert len(rfps) == len(demo_addenda()) == 1
    assert rfps[0]["addenda"][0]["changedFields"] == [
        "expectedHoursPerMonth",
        "submissionDeadline",
        "volume.expected",
        "volume.high",
        "volume.low",
    ]
    live = CONFIRM_FIELDS[rfps[0].get("scoreSlot", 0)]  # the score slot the addendum switched to
    flags = await api.store.proposals.distinct(live, {"rfpId": rfps[0]["_id"]})
    assert set(flags) == {True, False}  # PixelProof confirmed; the others have not yet
    answered = await api.store.clarifications.count_documents({"status": "ANSWERED", "rfpId": rfps[0]["_id"]})
    assert answered == 3
    assert northwind.kind == "BUYER"
