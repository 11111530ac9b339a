"""The GraphQL schema: types, inputs, enums and roots. Knows nothing of MongoDB or HTTP."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.schema.config import StrawberryConfig

from schema.mutation import Mutation
from schema.query import Query
from schema.scalars import CanonicalDecimal
from schema.types import Organization, Proposal, Rfp


def build_schema(
    extensions: Sequence[type[SchemaExtension] | Callable[[], SchemaExtension]] = (),
) -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        types=[Organization, Rfp, Proposal],
        extensions=list(extensions),
        config=StrawberryConfig(auto_camel_case=True),
        scalar_overrides={Decimal: CanonicalDecimal},
    )


schema = build_schema()
