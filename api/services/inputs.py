"""Validation of what clients send: pydantic models for API input, and errors as input paths."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, AwareDatetime, BaseModel, Field, ValidationError, field_validator

from market.vocabulary import ErrorCode, ServiceCategory, UserErrorRecord
from scoring.model import Model, RfpContext

M = TypeVar("M", bound=BaseModel)

# Deadlines outside this range are typos, and some are beyond what datetime can convert.
EARLIEST_DEADLINE = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_DEADLINE = datetime(2100, 1, 1, tzinfo=UTC)

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


class RfpDraft(RfpContext):
    """CreateRfpInput: the scoring context plus what only the marketplace needs."""

    title: Line = Field(min_length=1, max_length=200)
    scope: str = Field(min_length=1, max_length=20_000)
    category: ServiceCategory
    submission_deadline: AwareDatetime
    sealed: bool = False
    budget_disclosed: bool = False
    enquiry_deadline: AwareDatetime | None = None

    @field_validator("submission_deadline")
    @classmethod
    def _sane_deadline(cls, value: datetime) -> datetime:
        # Far dates overflow Python's datetime when moved to UTC (year 9999 at -14:00): refuse them here,
        # naming the field, instead of failing later.
        try:
            utc = value.astimezone(UTC)
        except OverflowError:
            utc = None
        if utc is None or not EARLIEST_DEADLINE <= utc < LATEST_DEADLINE:
            raise ValueError(
                f"must be between {EARLIEST_DEADLINE:%Y-%m-%d} and {LATEST_DEADLINE:%Y-%m-%d} (UTC)"
            )
        return utc

    def context(self) -> RfpContext:
        return RfpContext.model_validate(self.model_dump(include=set(RfpContext.model_fields)))


def _printable_line(value: str) -> str:
    """NFKC-normalized, without control or format characters.

    Format characters (Unicode category Cf: bidi overrides, zero-width spaces and joiners) are invisible
    and let one name pass for another, so they are refused, not silently stripped: the sender learns
    what was wrong. NFKC folds compatibility forms (full-width letters, ligatures) into the plain ones.
    """
    normalized = unicodedata.normalize("NFKC", value)
    categories = {unicodedata.category(char) for char in normalized}
    if "Cc" in categories:
        raise ValueError("must not contain control characters")
    if "Cf" in categories:
        raise ValueError("must not contain invisible formatting characters (bidi controls, zero-width)")
    return normalized


# A name or title shown to other people: one line of printable text.
Line = Annotated[str, AfterValidator(_printable_line)]


def name_key(name: str) -> str:
    """What makes two organization names the same to a reader: NFKC, case-folded, spaces collapsed."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    return " ".join(folded.split())


def _email(value: str) -> str:
    if EMAIL.match(value) is None:
        raise ValueError("not an email address")
    return value


class Registration(Model):
    name: Line = Field(min_length=1, max_length=200)
    contact_email: Annotated[str, AfterValidator(_email)] = Field(max_length=254)


def validate(
    model: type[M], data: Any, prefix: tuple[str, ...]
) -> tuple[M | None, tuple[UserErrorRecord, ...]]:
    """Validate `data`; on failure, one INVALID user error per problem, `field` the full input path."""
    try:
        return model.model_validate(data), ()
    except ValidationError as error:
        return None, tuple(_user_error(item, prefix) for item in error.errors(include_url=False))


def _user_error(item: Any, prefix: tuple[str, ...]) -> UserErrorRecord:
    path = prefix + tuple(str(part) for part in item["loc"])
    message = str(item["msg"]).removeprefix("Value error, ")
    return UserErrorRecord(message=message, code=ErrorCode.INVALID, field=path)


def input_shaped(data: Any) -> Any:
    """A dumped model (by alias) in the shape of the GraphQL input: pricing back as its @oneOf key."""
    if isinstance(data, dict):
        if "model" in data and isinstance(data["model"], str):
            rest = {key: value for key, value in data.items() if key != "model"}
            return {data["model"]: input_shaped(rest)}
        return {key: input_shaped(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [input_shaped(value) for value in data]
    return data


def _is_money(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"amount", "currencyCode"}


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """Input paths to leaf values; a Money is one leaf, as clients think of it."""
    if isinstance(data, dict) and not _is_money(data):
        items: Iterable[tuple[str, Any]] = data.items()
    elif isinstance(data, list):
        items = ((str(index), value) for index, value in enumerate(data))
    else:
        return {prefix: data}
    out: dict[str, Any] = {}
    for key, value in items:
        out.update(flatten(value, f"{prefix}.{key}" if prefix else key))
    if not out and prefix:
        out[prefix] = data  # an empty list or object is still a value that can change
    return out


def changed_fields(before: BaseModel, after: BaseModel) -> list[str]:
    """The input paths whose values differ, e.g. ["pricing.flatMonthly.monthlyFee", "summary"]."""
    old = flatten(input_shaped(before.model_dump(mode="json", by_alias=True)))
    new = flatten(input_shaped(after.model_dump(mode="json", by_alias=True)))
    return sorted(path for path in old.keys() | new.keys() if old.get(path) != new.get(path))


def text_problem(value: str, max_length: int) -> str | None:
    """Why a free text (a question, an answer, an addendum's summary) is refused: empty once trimmed,
    too long, or with control or invisible characters (newlines and tabs allowed)."""
    text = value.strip()
    if not text:
        return "must not be empty"
    if len(text) > max_length:
        return f"must be at most {max_length} characters"
    if {unicodedata.category(char) for char in text if char not in "\n\t"} & {"Cc", "Cf"}:
        return "must not contain control or invisible characters"
    return None
