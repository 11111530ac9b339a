"""The indexed ranking key (api/store/rankings.rank_key) is an encoding of scoring.ranking_sort_key:
as strings, keys order proposals exactly as the sort key does. No database needed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bson import ObjectId
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import scoring
from api.store.rankings import rank_key
from scoring import RankInput, ranking_sort_key
from tests.scoring.strategies import good_support_desk, proposals, rfps, support_desk_rfp, weights


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_the_rank_key_string_sorts_exactly_as_ranking_sort_key(data: st.DataObject) -> None:
    rfp = data.draw(rfps())
    override = data.draw(st.none() | weights)
    rfp_id = ObjectId()
    start = datetime(2026, 11, 1, tzinfo=UTC)
    entries = []
    for bid in data.draw(st.lists(proposals, min_size=2, max_size=8)):
        result = scoring.score(bid, rfp, override)
        if data.draw(st.booleans()):  # ties on the total with other criteria: the tie-breaks decide
            result = result.model_copy(update={"total": 50.0})
        millis = data.draw(st.integers(0, 3)) * 1000
        entries.append(RankInput(str(ObjectId()), result, start + timedelta(milliseconds=millis)))
    by_tuple = sorted(entries, key=lambda e: ranking_sort_key(e.score, e.submitted_at, e.key))
    by_string = sorted(entries, key=lambda e: rank_key(rfp_id, ObjectId(e.key), e.submitted_at, e.score))
    assert [e.key for e in by_string] == [e.key for e in by_tuple]


def test_the_rank_key_puts_eligible_first() -> None:
    rfp_id, when = ObjectId(), datetime(2026, 11, 1, tzinfo=UTC)
    good = scoring.score(good_support_desk(), support_desk_rfp())
    over = good.model_copy(update={"eligible": False, "total": 99.0})
    assert rank_key(rfp_id, ObjectId(), when, good) < rank_key(rfp_id, ObjectId(), when, over)
