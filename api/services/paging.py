"""Keyset pages in both directions (Relay's first/after and last/before) over any sort field, with
`_id` breaking ties. A cursor names its order, so a cursor from another order (or list) is refused
with BAD_USER_INPUT instead of silently skipping or repeating items."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from bson import ObjectId
from pymongo.asynchronous.collection import AsyncCollection

from api.services import cursors
from api.store.database import parse_object_id
from api.store.document import Document
from market.listing import PageWindow
from market.records import Page
from market.vocabulary import InputError

T = TypeVar("T")


@dataclass(frozen=True)
class SortKey:
    """A stored field and its direction; `datetime` fields travel in cursors as ISO 8601 text."""

    field: str = "_id"
    descending: bool = False
    is_datetime: bool = False

    @property
    def name(self) -> str:
        return f"{self.field}:{'DESC' if self.descending else 'ASC'}"

    def encode(self, doc: Document) -> Any:
        value = doc[self.field]
        return (
            value.isoformat() if isinstance(value, datetime) else str(value) if self.field == "_id" else value
        )

    def decode(self, value: Any, argument: str) -> Any:
        try:
            if self.field == "_id":
                parsed = parse_object_id(str(value))
                if parsed is None:
                    raise ValueError(value)
                return parsed
            if self.is_datetime:
                return datetime.fromisoformat(str(value))
        except ValueError:
            raise InputError(argument, "the cursor is not valid for this list") from None
        if not isinstance(value, str | int | float):
            raise InputError(argument, "the cursor is not valid for this list")
        return value


async def keyset_page(
    collection: AsyncCollection[Document],
    query: Document,
    window: PageWindow,
    kind: str,
    key: SortKey,
    record: Callable[[Document], T],
    counted: bool = True,
) -> Page[T]:
    """One page of a flat filter (no `$and`/`$or`) in `key` order. It is sent without a hint and
    planned on the index whose fields it fills: SecantusDB walks a hinted index whole. A first page
    reads a page and counts; a cursor page is paged by its keys (page_of_keys)."""
    if window.cursor is not None:
        return await page_of_keys(collection, query, window, kind, key, record)
    direction = -1 if key.descending else 1
    sort = [(key.field, direction)] if key.field == "_id" else [(key.field, direction), ("_id", direction)]
    # A first page backward (last: n) reads the order reversed, then turns the items around.
    if window.backward:
        sort = [(field, -way) for field, way in sort]
    docs = await collection.find(query).sort(sort).limit(window.size + 1).to_list(window.size + 1)
    more = len(docs) > window.size
    docs = docs[: window.size]
    if window.backward:
        docs.reverse()
    total = await collection.count_documents(query) if counted else 0  # none the client did not ask
    return _page(docs, more, total, window, kind, key, record)


async def page_of_keys(
    collection: AsyncCollection[Document],
    query: Document,
    window: PageWindow,
    kind: str,
    key: SortKey,
    record: Callable[[Document], T],
    keep: Callable[[Document], bool] | None = None,
    kept_fields: tuple[str, ...] = (),
) -> Page[T]:
    """One page of a flat filter's matches in `key` order, paged here: the sort keys of every match
    are read (on the index the filter fits, a few dozen bytes each), then the page's documents by
    `_id`. For what no flat filter with a bound can read on an index: SecantusDB plans a filter as a
    scan unless one index holds every field it names, and the keyset condition after a cursor names
    the sort field (an `$or` of it, which hinted walks the whole index: every RFP or proposal of the
    marketplace). `keep` (given `kept_fields` too) narrows the matches further, here; the count is
    of those kept, so no count command is sent."""
    projection = dict.fromkeys((key.field, *kept_fields), 1)
    keys = await collection.find(query, projection).to_list(None)
    if keep is not None:
        keys = [doc for doc in keys if keep(doc)]
    increasing = key.descending == window.backward  # the direction the walk goes in the key
    ordered = sorted(keys, key=lambda doc: (doc[key.field], doc["_id"]), reverse=not increasing)
    if window.cursor is not None:
        value, last_id = _decode_cursor(window, kind, key)
        try:
            ordered = [doc for doc in ordered if _beyond(doc, key, (value, last_id), increasing)]
        except TypeError:  # a forged cursor's value of another type than the field's
            raise InputError(window.argument, "the cursor is not valid for this list") from None
    more = len(ordered) > window.size
    ids = [doc["_id"] for doc in ordered[: window.size]]
    found = (
        {doc["_id"]: doc for doc in await collection.find({"_id": {"$in": ids}}).to_list(None)} if ids else {}
    )
    docs = [found[oid] for oid in ids if oid in found]  # one deleted meanwhile is left out
    if window.backward:
        docs.reverse()
    return _page(docs, more, len(keys), window, kind, key, record)


def _beyond(doc: Document, key: SortKey, after: tuple[Any, ObjectId], increasing: bool) -> bool:
    """Whether `doc` comes after the cursor (`after`: its sort value and `_id`) in the walk."""
    at = (doc[key.field], doc["_id"])
    return bool(at > after) if increasing else bool(at < after)


# The first window of a datetime sort key, widened x4 per window (1, 4, 16, 64, 256 days): a page of
# a marketplace spread over weeks fits the first one or two. After MAX_WINDOWS the last read is open
# on its far side, so a sparse list is still read whole, in at most MAX_WINDOWS + 1 finds.
FIRST_WINDOW = timedelta(days=1)
WIDENING = 4
MAX_WINDOWS = 5

Bound = tuple[str, Any]  # a range operator and its value, e.g. ("$gt", now)


def _page(
    docs: list[Document],
    more: bool,
    total: int,
    window: PageWindow,
    kind: str,
    key: SortKey,
    record: Callable[[Document], T],
) -> Page[T]:
    """The page of `docs` (in page order; `more`: a document beyond them was read), each with its cursor."""
    return Page(
        items=tuple(
            (cursors.encode(kind, key.name, key.encode(doc), str(doc["_id"])), record(doc)) for doc in docs
        ),
        has_next_page=window.cursor is not None if window.backward else more,
        has_previous_page=more if window.backward else window.cursor is not None,
        total_count=total,
    )


def _range_of(condition: Any) -> tuple[Bound | None, Bound | None]:
    """The lower and upper bounds of a flat filter's range on one field (None where open)."""
    if not isinstance(condition, dict):
        return None, None
    lower = next(((op, condition[op]) for op in ("$gt", "$gte") if op in condition), None)
    upper = next(((op, condition[op]) for op in ("$lt", "$lte") if op in condition), None)
    return lower, upper


def _tighter(a: Bound | None, b: Bound | None, increasing: bool) -> Bound | None:
    """Of two bounds on the same side, the one that lets fewer values through."""
    if a is None or b is None:
        return a or b
    if a[1] == b[1]:
        strict = a if a[0] in ("$gt", "$lt") else b
        return strict
    return (a if a[1] > b[1] else b) if increasing else (a if a[1] < b[1] else b)


def _reaches(end: Bound | None, far: Bound, increasing: bool) -> bool:
    """Whether the filter's own far bound lies within this window (it then closes the window)."""
    return end is not None and (end[1] == far[1] or _tighter(end, far, not increasing) == end)


async def windowed_page(
    collection: AsyncCollection[Document],
    flat: Document,
    window: PageWindow,
    kind: str,
    key: SortKey,
    record: Callable[[Document], T],
    counted: bool = True,
) -> Page[T] | None:
    """One page of a flat filter in `key` order (a datetime field that is the filter's one range),
    read in windows of the sort key: each find is the flat filter with that field bounded on both
    sides, so SecantusDB (no limit push-down) reads about a page of documents, not every match.

    A cursor page starts its first window AT the cursor's value (inclusive) and drops, in Python,
    the ties at or before the cursor's `_id`: the exact keyset condition is an `$or`, which the
    server plans as a collection scan. None when the walk has no start (no filter bound on its
    starting side and no cursor): the caller reads the page unwindowed."""
    increasing = key.descending == window.backward  # the direction the walk goes in the key
    lower, upper = _range_of(flat.get(key.field))
    start, end = (lower, upper) if increasing else (upper, lower)
    after: tuple[Any, ObjectId] | None = None
    if window.cursor is not None:
        value, last_id = _decode_cursor(window, kind, key)
        after = (value, last_id)
        # `$lte` on a compound index misses the equal value on SecantusDB (its key bytes run on into
        # the `_id`): a walk down starts below the next millisecond, BSON's precision for times.
        try:
            at = ("$gte", value) if increasing else ("$lt", value + timedelta(milliseconds=1))
        except OverflowError:  # a forged cursor at the end of time: no RFP is there
            raise InputError(window.argument, "the cursor is not valid for this list") from None
        start = _tighter(start, at, increasing)
    if start is None or not isinstance(start[1], datetime):
        return None
    direction = 1 if increasing else -1
    sort = [(key.field, direction), ("_id", direction)]
    docs: list[Document] = []
    width, edge = FIRST_WINDOW, start
    for attempt in range(MAX_WINDOWS + 1):
        far: Bound | None = None
        if attempt < MAX_WINDOWS:
            far = _far(edge[1], width, increasing)
        # The last window: open on its far side, or closed by the filter's own bound within reach.
        last = far is None or _reaches(end, far, increasing)
        bounds = {edge[0]: edge[1]}
        if not last and far is not None:
            bounds[far[0]] = far[1]
        elif end is not None:
            bounds[end[0]] = end[1]
        found = await collection.find(flat | {key.field: bounds}).sort(sort).to_list(None)
        docs.extend(doc for doc in found if after is None or not _at_or_before(doc, key, after, direction))
        if len(docs) > window.size or last:
            break
        assert far is not None
        edge, width = ("$gte" if increasing else "$lt", far[1]), width * WIDENING
    more = len(docs) > window.size
    docs = docs[: window.size]
    if window.backward:
        docs.reverse()
    total = await collection.count_documents(flat) if counted else 0
    return _page(docs, more, total, window, kind, key, record)


def _far(edge: datetime, width: timedelta, increasing: bool) -> Bound | None:
    """The far bound of a window from `edge` (windows are half-open: [low, high)); None (open)
    where the window would run past the calendar's end, as a forged cursor's might."""
    try:
        return ("$lt", edge + width) if increasing else ("$gte", edge - width)
    except OverflowError:
        return None


def _decode_cursor(window: PageWindow, kind: str, key: SortKey) -> tuple[Any, ObjectId]:
    """The cursor's sort value and `_id`; BAD_USER_INPUT for another list's or order's cursor."""
    assert window.cursor is not None
    name, value, last = cursors.decode(window.cursor, kind, 3, window.argument)
    if name != key.name:
        raise InputError(window.argument, "the cursor belongs to another order: start from the first page")
    last_id = parse_object_id(str(last))
    if last_id is None:
        raise InputError(window.argument, "the cursor is not valid for this list")
    decoded = key.decode(value, window.argument)
    if isinstance(decoded, datetime) and decoded.tzinfo is None:
        decoded = decoded.replace(tzinfo=UTC)  # as the database reads a naive time: UTC
    return decoded, last_id


def _at_or_before(doc: Document, key: SortKey, after: tuple[Any, ObjectId], direction: int) -> bool:
    """A tie on the cursor's value at or before its `_id` in the walk: already on an earlier page."""
    value, last_id = after
    if doc[key.field] != value:
        return False
    return bool(doc["_id"] <= last_id) if direction == 1 else bool(doc["_id"] >= last_id)
