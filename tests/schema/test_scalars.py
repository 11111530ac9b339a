"""DateTime and Decimal say what their strings mean (@specifiedBy and a description of the format),
and what they say is what the served scalars do."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from graphql import GraphQLError, GraphQLScalarType

import schema
from schema.scalars import DATE_TIME_SPEC, DECIMAL_SPEC
from tests.conftest import Api
from tests.helpers import create_rfp, register

SCALARS = """{
  dt: __type(name: "DateTime") { specifiedByURL description }
  dec: __type(name: "Decimal") { specifiedByURL description }
}"""


def served(name: str) -> GraphQLScalarType:
    scalar = schema.schema._schema.type_map[name]
    assert isinstance(scalar, GraphQLScalarType)
    return scalar


async def test_introspection_shows_specified_by_url_and_the_wire_format(api: Api) -> None:
    body: dict[str, Any] = await api(SCALARS)
    date_time, decimal = body["data"]["dt"], body["data"]["dec"]
    assert (
        date_time["specifiedByURL"]
        == DATE_TIME_SPEC
        == "https://datatracker.ietf.org/doc/html/rfc3339#section-5.6"
    )
    assert decimal["specifiedByURL"] == DECIMAL_SPEC == "https://www.w3.org/TR/xmlschema11-2/#decimal"
    assert "RFC 3339" in date_time["description"] and "UTC" in date_time["description"]
    assert "no exponent" in decimal["description"] and "1234.50" in decimal["description"]


# Every form the Decimal description names as refused, and a few a careless client would send.
REFUSED = [
    "1E+3",
    "1e3",
    "1_000",
    "1,000",
    "+5",
    ".5",
    "5.",
    "١٢٣",
    "NaN",
    "Infinity",
    "-",
    "",
    " 1",
    True,
    1e21,
]


@pytest.mark.parametrize("value", REFUSED)
def test_decimal_refuses_what_its_description_says(value: object) -> None:
    with pytest.raises(GraphQLError, match="Decimal"):
        served("Decimal").parse_value(value)


def test_decimal_accepts_the_canonical_form_and_plain_json_numbers() -> None:
    scalar = served("Decimal")
    assert scalar.parse_value("1234.50") == Decimal("1234.50")
    assert scalar.parse_value("-0.045") == Decimal("-0.045")
    assert scalar.parse_value(1500) == Decimal(1500)
    assert scalar.parse_value(1500.5) == Decimal("1500.5")
    assert scalar.serialize(Decimal("1234.50")) == "1234.50"


def test_date_time_outputs_utc_with_its_offset_and_reads_any_offset() -> None:
    scalar = served("DateTime")
    parsed = scalar.parse_value("2027-03-01T19:00:00+02:00")
    assert parsed == datetime(2027, 3, 1, 17, tzinfo=UTC)
    assert parsed.utcoffset() == timedelta(hours=2)  # the same instant, as sent
    assert scalar.serialize(datetime(2027, 3, 1, 17, tzinfo=UTC)) == "2027-03-01T17:00:00+00:00"
    with pytest.raises(GraphQLError):
        scalar.parse_value("next Tuesday")


async def test_an_instant_sent_with_an_offset_reads_back_in_utc(api: Api) -> None:
    _, buyer = await register(api, "BUYER", "Offset Buyer")
    local = (api.market.now() + timedelta(days=20)).astimezone(timezone(timedelta(hours=-5)))
    rfp = await create_rfp(api, buyer, submissionDeadline=local.isoformat())
    assert "submissionDeadline" in rfp, rfp
    read = rfp["submissionDeadline"]
    assert read.endswith("+00:00")
    assert datetime.fromisoformat(read) == local.replace(microsecond=local.microsecond // 1000 * 1000)
