"""Types every domain shares: Node, global IDs, Money, PageInfo, UserError, page-size checks."""

from __future__ import annotations

import base64
import binascii
from decimal import Decimal

import strawberry
from graphql import GraphQLError

from market.records import Page
from market.vocabulary import ErrorCode, UserErrorRecord
from scoring.model import Money as MoneyModel
from scoring.model import canonical_amount

MAX_PAGE_SIZE = 100
IDEMPOTENCY_KEY = (
    "Optional client idempotency key (a UUID is best): a retry with the same key and input returns "
    "the first answer instead of a second effect, for 24 hours."
)
DEFAULT_PAGE_SIZE = 20

ErrorCodeEnum = strawberry.enum(ErrorCode, name="ErrorCode")


@strawberry.interface
class Node:
    id: strawberry.ID


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


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None

    @classmethod
    def of(cls, page: Page[object]) -> PageInfo:
        return cls(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=page.items[0][0] if page.items else None,
            end_cursor=page.items[-1][0] if page.items else None,
        )


@strawberry.type
class Money:
    amount: Decimal
    currency_code: str

    @classmethod
    def of(cls, money: MoneyModel) -> Money:
        return cls(
            amount=canonical_amount(money.amount, money.currency_code), currency_code=money.currency_code
        )


@strawberry.input
class MoneyInput:
    amount: Decimal
    currency_code: str


@strawberry.type
class UserError:
    field: list[str] | None
    message: str
    code: ErrorCodeEnum  # type: ignore[valid-type]

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
