"""Scalars whose wire format is stricter than strawberry's defaults.

Money travels as a Decimal string. Python's `Decimal()` also accepts `1_000`, `1E+3` and digits of
other scripts (Arabic-Indic ones, say), and strawberry's scalar would store them as sent; a client
must send one canonical form, so that what is stored, audited and exported is what a person reads.
"""

from __future__ import annotations

import re
from decimal import Decimal

import strawberry
from graphql import GraphQLError

# ASCII digits, an optional sign and an optional fraction: no exponent, no underscores, no other scripts.
CANONICAL_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")


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


CanonicalDecimal = strawberry.scalar(
    Decimal,
    name="Decimal",
    description=(
        "A fixed-point decimal number, sent and received as a string of ASCII digits with an optional"
        ' fraction, e.g. "1234.50" (no exponent, no digit separators).'
    ),
    serialize=str,
    parse_value=parse_decimal,
)
