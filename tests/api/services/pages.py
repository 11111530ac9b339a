"""What the cursor-page tests share: a walk through every page of a connection, and forged cursors."""

from __future__ import annotations

import base64
import json
from collections.abc import Awaitable, Callable
from typing import Any

from bson import ObjectId

Connection = dict[str, Any]


async def walk_pages(
    read: Callable[[dict[str, Any]], Awaitable[Connection]], size: int, backward: bool = False
) -> tuple[list[dict[str, Any]], list[Connection]]:
    """Every page of a connection, following its cursors forward (first/after) or backward
    (last/before): its edges in list order and the pages read. `read` answers one page for the
    paging arguments. Each page's flags are checked where the query asks for them, and every page
    but the last is full."""
    edges: list[dict[str, Any]] = []
    pages: list[Connection] = []
    cursor: str | None = None
    while True:
        page = await read({"last": size, "before": cursor} if backward else {"first": size, "after": cursor})
        pages.append(page)
        edges = page["edges"] + edges if backward else edges + page["edges"]
        info = page["pageInfo"]
        behind = "hasNextPage" if backward else "hasPreviousPage"
        if behind in info:
            assert info[behind] is (cursor is not None), info
        if not info["hasPreviousPage" if backward else "hasNextPage"]:
            return edges, pages
        assert len(page["edges"]) == size
        cursor = info["startCursor" if backward else "endCursor"]


def node_ids(edges: list[dict[str, Any]]) -> list[str]:
    return [edge["node"]["id"] for edge in edges]


def forged_cursor(kind: str, order: str, value: object) -> str:
    """A cursor as the service encodes them, holding whatever a hostile client puts in it."""
    raw = json.dumps([kind, order, value, str(ObjectId())], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode()
