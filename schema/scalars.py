"""Scalars whose wire format is stricter than strawberry's defaults, and documented.

Money travels as a Decimal string. Python's `Decimal()` also accepts `1_000`, `1E+3` and digits of
other scripts (Arabic-Indic ones, say), and strawberry's scalar would store them as sent; a client
must send one canonical form, so that what is stored, audited and exported is what a person reads.

Both scalars are definitions for `StrawberryConfig.scalar_map` (strawberry deprecates wrapping a
class), with `@specifiedBy` so codegen and clients can tell what the strings mean.
"""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal

import strawberry
from graphql import GraphQLError
from strawberry.schema.types.base_scalars import DateTimeDefinition
from strawberry.types.scalar import ScalarDefinition

# ASCII digits, an optional sign and an optional fraction: no exponent, no underscores, no other scripts.
CANONICAL_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")

# The canonical form is a subset of XML Schema's decimal lexical space (no '+', no bare '.5' or '5.').
DECIMAL_SPEC = "https://www.w3.org/TR/xmlschema11-2/#decimal"
DATE_TIME_SPEC = "https://datatracker.ietf.org/doc/html/rfc3339#section-5.6"


def parse_decimal(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise GraphQLError(f'Decimal must be a string of ASCII digits such as "1234.50", not {value!r}')
    text = repr(value) if isinstance(value, float) else str(value)
    if not CANONICAL_DECIMAL.fullmatch(text):
        raise GraphQLError(
            f"Decimal {text!r} is not canonical: ASCII digits with an optional '.' fraction, e.g. \"1234.50\""
            " (no exponent, underscores or other digits)"
        )
    return Decimal(text)


DECIMAL: ScalarDefinition = strawberry.scalar(
    name="Decimal",
    description=(
        "A fixed-point decimal number, sent and received as a string of ASCII digits with an optional"
        ' fraction, e.g. "1234.50" (no exponent, no digit separators). Canonical form: an optional'
        " leading '-', digits, and optionally '.' followed by digits. Refused as a GraphQL error before"
        ' anything runs: exponents ("1E+3"), separators ("1_000", "1,000"), a leading \'+\', a bare'
        ' fraction (".5", "5."), digits of other scripts, NaN and Infinity. A JSON integer or a float'
        " whose shortest form is canonical is accepted too; outputs are always strings. Money amounts"
        " show at least the currency's minor-unit decimals."
    ),
    specified_by_url=DECIMAL_SPEC,
    serialize=str,
    parse_value=parse_decimal,
)

# Strawberry's own definition (parsing, serialization), unchanged: only the documentation is added.
DATE_TIME: ScalarDefinition = dataclasses.replace(
    DateTimeDefinition,
    description=(
        'An instant as an RFC 3339 / ISO 8601 string with a UTC offset, e.g. "2027-03-01T17:00:00+00:00".'
        " Outputs are always in UTC with the offset +00:00 (and microseconds when there are any)."
        ' Inputs must carry an offset ("Z" or "+hh:mm"); any offset is accepted and stored as the same'
        " instant in UTC."
    ),
    specified_by_url=DATE_TIME_SPEC,
)
