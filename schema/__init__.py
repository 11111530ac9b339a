"""The GraphQL schema, one folder per domain (organizations, rfps, proposals, scores, audit), each
with its types, inputs, queries and mutations; the roots are merged here. Knows nothing of MongoDB or
HTTP: resolvers reach the market through the Protocols of schema/context.py.

A new domain adds its Query and Mutation classes to the two lists below, and nothing else here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from schema.addenda.mutations import AddendumMutation
from schema.clarifications.mutations import ClarificationMutation
from schema.debriefs.mutations import DebriefMutation
from schema.live.subscriptions import LiveSubscription
from schema.nodes import NodeQuery
from schema.organizations.mutations import OrganizationMutation
from schema.organizations.queries import OrganizationQuery
from schema.organizations.types import Organization
from schema.proposals.mutations import ProposalMutation
from schema.rfps.mutations import RfpMutation
from schema.rfps.queries import RfpQuery
from schema.rfps.types import Proposal, Rfp
from schema.scalars import CanonicalDecimal
from schema.scores.queries import ScoreQuery
from schema.webhooks.mutations import WebhookMutation

# The order of the roots is the order of their fields in the exported schema.
Query = merge_types("Query", (NodeQuery, OrganizationQuery, RfpQuery, ScoreQuery))
Mutation = merge_types(
    "Mutation",
    (
        OrganizationMutation,
        RfpMutation,
        ProposalMutation,
        ClarificationMutation,
        AddendumMutation,
        DebriefMutation,
        WebhookMutation,
    ),
)
Subscription = merge_types("Subscription", (LiveSubscription,))


def build_schema(
    extensions: Sequence[type[SchemaExtension] | Callable[[], SchemaExtension]] = (),
) -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[Organization, Rfp, Proposal],
        extensions=list(extensions),
        config=StrawberryConfig(auto_camel_case=True),
        scalar_overrides={Decimal: CanonicalDecimal},
    )


schema = build_schema()
