"""Opaque cursors: base64 of a small JSON list. A cursor that does not decode is a client error."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from market.vocabulary import InputError


def encode(kind: str, *values: Any) -> str:
    raw = json.dumps([kind, *values], separators=(",", ":"), default=str)
    return base64.urlsafe_b64encode(raw.encode()).decode()


# Ranks in cursors are positions in one RFP's ranking: far below GraphQL's 32-bit Int.
MAX_RANK = 10_000_000


def rank_in(value: Any) -> int:
    """A rank read back from a cursor, refused unless it is one a page could have handed out."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_RANK:
        raise InputError("after", "the cursor is not valid for this list")
    return value


def decode(cursor: str, kind: str, arity: int, argument: str = "after") -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, ValueError, UnicodeError):
        values = None
    if not isinstance(values, list) or len(values) != arity + 1 or values[0] != kind:
        raise InputError(argument, "the cursor is not valid for this list")
    return values[1:]
