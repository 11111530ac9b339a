"""Nested connections fail alone: a bad cursor or page size on `Rfp.proposals`, `auditEvents` and
the like reports an error at that field's path and answers an empty connection, so the parent object
(the RFP the client asked for) still reads. The connections are non-null in the contract, so raising
would null the parent instead."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from graphql import GraphQLError

from market.vocabulary import InputError
from schema.context import ContextInfo, context_of

T = TypeVar("T")


async def within_field(info: ContextInfo, empty: T, read: Callable[[], Awaitable[T]]) -> T:
    """`read()`, or `empty` with the client's mistake reported at this field's path."""
    try:
        return await read()
    except InputError as error:
        extensions: dict[str, object] = {"code": error.code, "field": [error.argument]}
        message = error.message
    except GraphQLError as error:
        extensions = dict(error.extensions or {})
        if extensions.get("code") != "BAD_USER_INPUT":
            raise
        message = error.message
    context_of(info).field_errors.append(
        GraphQLError(message, path=info.path.as_list(), extensions=extensions)
    )
    return empty
