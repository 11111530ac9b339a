"""The marketplace vocabulary: kinds, statuses, categories, error codes and the `Outcome` every use
case returns. Pure: schema/ exposes these as GraphQL enums, api/ stores their values."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Generic, TypeVar


class OrganizationKind(str, Enum):
    BUYER = "BUYER"
    VENDOR = "VENDOR"


class RfpStatus(str, Enum):
    DRAFT = "DRAFT"
    OPEN = "OPEN"
    CLOSED = "CLOSED"
    AWARDED = "AWARDED"
    CANCELLED = "CANCELLED"


class ProposalStatus(str, Enum):
    SUBMITTED = "SUBMITTED"
    WITHDRAWN = "WITHDRAWN"
    SHORTLISTED = "SHORTLISTED"
    AWARDED = "AWARDED"
    REJECTED = "REJECTED"


class ClarificationStatus(str, Enum):
    ASKED = "ASKED"
    ANSWERED = "ANSWERED"
    DECLINED = "DECLINED"


class ServiceCategory(str, Enum):
    CUSTOMER_SUPPORT = "CUSTOMER_SUPPORT"
    IT_MANAGED_SERVICES = "IT_MANAGED_SERVICES"
    SECURITY_OPERATIONS = "SECURITY_OPERATIONS"
    BOOKKEEPING = "BOOKKEEPING"
    QA_TESTING = "QA_TESTING"
    CONTENT_MODERATION = "CONTENT_MODERATION"
    SEO_MARKETING = "SEO_MARKETING"
    OTHER = "OTHER"


class ErrorCode(str, Enum):
    INVALID = "INVALID"
    NOT_FOUND = "NOT_FOUND"
    FORBIDDEN = "FORBIDDEN"
    CONFLICT = "CONFLICT"
    INVALID_STATE = "INVALID_STATE"
    DEADLINE_PASSED = "DEADLINE_PASSED"
    ALREADY_SUBMITTED = "ALREADY_SUBMITTED"
    CURRENCY_MISMATCH = "CURRENCY_MISMATCH"
    RATE_LIMITED = "RATE_LIMITED"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"


@dataclass(frozen=True)
class UserErrorRecord:
    message: str
    code: ErrorCode
    field: tuple[str, ...] | None = None


T = TypeVar("T")


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What a use case returns: a value, or the user errors that explain why not."""

    value: T | None = None
    errors: tuple[UserErrorRecord, ...] = ()

    @classmethod
    def fail(cls, code: ErrorCode, message: str, field: tuple[str, ...] | None = None) -> Outcome[T]:
        return cls(errors=(UserErrorRecord(message=message, code=code, field=field),))


class InputError(Exception):
    """A query argument the client got wrong (bad cursor, page size): reported, never masked."""

    def __init__(self, argument: str, message: str) -> None:
        super().__init__(message)
        self.argument = argument
        self.message = message
