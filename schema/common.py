"""Types every domain shares: Node, global IDs, Money, PageInfo, UserError, page-size checks."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any, TypeVar

import strawberry
from graphql import GraphQLError

from market.records import Page
from market.vocabulary import ErrorCode, UserErrorRecord
from schema.enums import described_enum
from scoring.model import Money as MoneyModel
from scoring.model import canonical_amount

MAX_PAGE_SIZE = 100
IDEMPOTENCY_KEY = (
    "Optional client idempotency key (a UUID is best): a retry with the same key and input returns "
    "the first answer instead of a second effect, for 24 hours."
)
DEFAULT_PAGE_SIZE = 20

ErrorCodeEnum = described_enum(
    ErrorCode,
    "ErrorCode",
    "Why a mutation did nothing; `UserError.field` names the input path at fault.",
    {
        "INVALID": "The input breaks a rule (a range, a length, a format, a unit the RFP cannot use).",
        "NOT_FOUND": "No such object, or the caller may not see it (one answer for both).",
        "FORBIDDEN": "Signed in as the wrong kind of organization, or anonymous where a key is needed.",
        "CONFLICT": "Clashes with the current state: a stale expectedVersion (re-read, then retry), a "
        "name already registered, or the same idempotency key still in progress.",
        "INVALID_STATE": "The object's status does not allow this (e.g. revising a WITHDRAWN proposal).",
        "DEADLINE_PASSED": "The submission or enquiry deadline has passed.",
        "ALREADY_SUBMITTED": "This vendor already has a proposal on this RFP: revise it instead.",
        "CURRENCY_MISMATCH": "An amount is not in the RFP's currency (no conversion is made).",
        "RATE_LIMITED": "Too many requests of this kind (registrations, revisions); try again later.",
        "IDEMPOTENCY_KEY_REUSED": "The idempotency key was used before with another input.",
    },
)

# Descriptions every connection, edge and payload shares.
CURSOR = "This edge's opaque cursor: pass it as `after` (or `before`) to page from here."
EDGES = "The items of this page, in the list's order."
PAGE_INFO = "Whether more items follow or precede, and the cursors to read them."
TOTAL_COUNT = "How many items the whole list holds (every page, the caller's view)."
USER_ERRORS = "Why nothing was written: empty on success."
INPUT = strawberry.argument(description='What to do; userErrors name paths in it, starting with "input".')

R = TypeVar("R", bound=Callable[..., Any])


def described_field(description: str) -> Callable[[R], R]:
    """`@strawberry.field(description=...)` as mypy strict accepts it: strawberry types the
    decorator-with-arguments form as Any, an untyped decorator."""
    decorate: Callable[[R], R] = strawberry.field(description=description)
    return decorate


def described_mutation(description: str) -> Callable[[R], R]:
    """`@strawberry.mutation(description=...)`, typed likewise."""
    decorate: Callable[[R], R] = strawberry.mutation(description=description)
    return decorate


def described_subscription(description: str) -> Callable[[R], R]:
    """`@strawberry.subscription(description=...)`, typed likewise."""
    decorate: Callable[[R], R] = strawberry.subscription(description=description)
    return decorate


# The Relay page window, shared by every connection.
First = Annotated[
    int | None,
    strawberry.argument(
        description=f"Page forward: how many items, 1-{MAX_PAGE_SIZE} (BAD_USER_INPUT outside), "
        f"default {DEFAULT_PAGE_SIZE}."
    ),
]
After = Annotated[
    str | None,
    strawberry.argument(
        description="An endCursor (or edge cursor) from an earlier page of this same list: items after "
        "it. Opaque; a malformed cursor is BAD_USER_INPUT."
    ),
]
Last = Annotated[
    int | None,
    strawberry.argument(
        description=f"Page backward: how many items before `before` (the last ones without it), "
        f"1-{MAX_PAGE_SIZE}. Not with first/after (BAD_USER_INPUT)."
    ),
]
Before = Annotated[
    str | None,
    strawberry.argument(
        description="A startCursor (or edge cursor) from an earlier page of this same list: items "
        "before it. Opaque; a malformed cursor is BAD_USER_INPUT."
    ),
]


@strawberry.interface(description="An object with a global id, readable again through `node(id:)`.")
class Node:
    id: strawberry.ID = strawberry.field(
        description="The global id: opaque, stable, unique across every type."
    )


def to_global_id(type_name: str, local_id: str) -> strawberry.ID:
    return strawberry.ID(base64.urlsafe_b64encode(f"{type_name}:{local_id}".encode()).decode())


def from_global_id(global_id: str, expected: str | None = None) -> tuple[str, str] | None:
    """(type, local id), or None when the id is malformed or of another type than expected."""
    try:
        decoded = base64.urlsafe_b64decode(global_id.encode()).decode()
    except (binascii.Error, ValueError, UnicodeError):
        return None
    type_name, _, local_id = decoded.partition(":")
    if not local_id or (expected is not None and type_name != expected):
        return None
    return type_name, local_id


def local_id(global_id: str, expected: str) -> str:
    """The local id, or a string no record has: callers then answer NOT_FOUND, as for any unknown id."""
    parsed = from_global_id(global_id, expected)
    return parsed[1] if parsed else ""


@strawberry.type(description="Where a page sits in its list (Relay cursor connections).")
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="Whether items follow this page (`first`/`after` reads them)."
    )
    has_previous_page: bool = strawberry.field(
        description="Whether items precede this page (`last`/`before` reads them)."
    )
    start_cursor: str | None = strawberry.field(
        description="The first edge's cursor; null on an empty page. Pass as `before` to page back."
    )
    end_cursor: str | None = strawberry.field(
        description="The last edge's cursor; null on an empty page. Pass as `after` to page on."
    )

    @classmethod
    def of(cls, page: Page[object]) -> PageInfo:
        return cls(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=page.items[0][0] if page.items else None,
            end_cursor=page.items[-1][0] if page.items else None,
        )


@strawberry.type(description="An amount of money in one currency; never converted between currencies.")
class Money:
    amount: Decimal = strawberry.field(
        description="Non-negative, with at least the currency's minor-unit decimals (2 for USD, 0 for JPY)."
    )
    currency_code: str = strawberry.field(description="ISO 4217 code, upper-case (USD, EUR, JPY).")

    @classmethod
    def of(cls, money: MoneyModel) -> Money:
        return cls(
            amount=canonical_amount(money.amount, money.currency_code), currency_code=money.currency_code
        )


@strawberry.input(description="An amount of money; in the RFP's currency wherever an RFP is concerned.")
class MoneyInput:
    amount: Decimal = strawberry.field(
        description="0 to 1,000,000,000, at most 4 decimal places (INVALID otherwise)."
    )
    currency_code: str = strawberry.field(
        description='ISO 4217 code of a real currency, upper-case ("usd" is refused, not corrected).'
    )


@strawberry.type(description="A business error of a mutation: the mutation wrote nothing.")
class UserError:
    field: list[str] | None = strawberry.field(
        description='The input path at fault, e.g. ["input", "volume", "expected"]; null when no one '
        "field is."
    )
    message: str = strawberry.field(description="What is wrong, in English, for people (not for parsing).")
    code: ErrorCodeEnum = strawberry.field(  # type: ignore[valid-type]
        description="The error's kind, stable for clients to act on."
    )

    @classmethod
    def of(cls, error: UserErrorRecord) -> UserError:
        return cls(field=list(error.field) if error.field else None, message=error.message, code=error.code)


def user_errors(errors: tuple[UserErrorRecord, ...]) -> list[UserError]:
    return [UserError.of(error) for error in errors]


def client_error(message: str, field: list[str] | None = None, code: str = "BAD_USER_INPUT") -> GraphQLError:
    """A top-level error the client caused: always shown, never masked."""
    extensions: dict[str, object] = {"code": code}
    if field:
        extensions["field"] = field
    return GraphQLError(message, extensions=extensions)


def page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE_SIZE
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise client_error(f"first must be between 1 and {MAX_PAGE_SIZE}", ["first"])
    return first
