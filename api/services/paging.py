"""Keyset pages in both directions (Relay's first/after and last/before) over any sort field, with
`_id` breaking ties. A cursor names its order, so a cursor from another order (or list) is refused
with BAD_USER_INPUT instead of silently skipping or repeating items."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
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


def _beyond(key: SortKey, value: Any, last_id: ObjectId, forward_in_sort: bool) -> Document:
    """Documents after (value, last_id) in the sort order (or before it, when not forward)."""
    # Forward in an ascending order, or backward in a descending one, means larger values.
    increasing = key.descending != forward_in_sort
    op = "$gt" if increasing else "$lt"
    if key.field == "_id":
        return {"_id": {op: last_id}}
    return {"$or": [{key.field: {op: value}}, {key.field: value, "_id": {op: last_id}}]}


async def keyset_page(
    collection: AsyncCollection[Document],
    query: Document,
    window: PageWindow,
    kind: str,
    key: SortKey,
    record: Callable[[Document], T],
    hint: str | None = None,
    counted: bool = True,
) -> Page[T]:
    """One page in `key` order. `hint` names the index to read: the embedded database plans a filter
    with `$and`/`$or` (a cursor bound, a status choice) as a collection scan without it."""
    page_query = dict(query)
    # SecantusDB walks a hinted index whole: a flat filter (no `$and`/`$or`) is sent without the hint
    # and planned on the index whose fields it fills; only the cursor bound's `$or` still needs it.
    flat = not any(field.startswith("$") for field in query)
    count_hint = None if flat else hint
    if window.cursor is None:
        hint = count_hint
    else:
        name, value, last = cursors.decode(window.cursor, kind, 3, window.argument)
        if name != key.name:
            raise InputError(
                window.argument, "the cursor belongs to another order: start from the first page"
            )
        last_id = parse_object_id(str(last))
        if last_id is None:
            raise InputError(window.argument, "the cursor is not valid for this list")
        page_query = {
            "$and": [query, _beyond(key, key.decode(value, window.argument), last_id, not window.backward)]
        }
    # Backward pages read the order reversed from the cursor, then turn the items around.
    direction = -1 if key.descending != window.backward else 1
    sort = [(key.field, direction)] if key.field == "_id" else [(key.field, direction), ("_id", direction)]
    found = collection.find(page_query).sort(sort).limit(window.size + 1)
    docs = await (found.hint(hint) if hint else found).to_list(window.size + 1)
    more = len(docs) > window.size
    docs = docs[: window.size]
    if window.backward:
        docs.reverse()
    total = 0
    if counted:  # a list the client asked no totalCount of is not read twice
        total = await (
            collection.count_documents(query, hint=count_hint)
            if count_hint
            else collection.count_documents(query)
        )
    return Page(
        items=tuple(
            (cursors.encode(kind, key.name, key.encode(doc), str(doc["_id"])), record(doc)) for doc in docs
        ),
        has_next_page=window.cursor is not None if window.backward else more,
        has_previous_page=more if window.backward else window.cursor is not None,
        total_count=total,
    )
