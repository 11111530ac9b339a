"""The GraphQL schema, one folder per domain (organizations, rfps, proposals, scores, audit), each
with its types, inputs, queries and mutations; the roots are merged here. Knows nothing of MongoDB or
HTTP: resolvers reach the market through the Protocols of schema/context.py.

A new domain adds its Query and Mutation classes to the two lists below, and nothing else here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal

import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types.base import get_object_definition

from schema.addenda.mutations import AddendumMutation
from schema.clarifications.mutations import ClarificationMutation
from schema.debriefs.mutations import DebriefMutation
from schema.evaluation.mutations import EvaluationMutation
from schema.live.subscriptions import LiveSubscription
from schema.members.mutations import MemberMutation
from schema.nodes import NodeQuery
from schema.organizations.mutations import OrganizationMutation
from schema.organizations.types import Organization
from schema.proposals.mutations import ProposalMutation
from schema.rfps.mutations import RfpMutation
from schema.rfps.queries import RfpQuery
from schema.rfps.types import Proposal, Rfp
from schema.scalars import DATE_TIME, DECIMAL
from schema.scores.queries import ScoreQuery
from schema.viewer import ViewerQuery
from schema.webhooks.mutations import WebhookMutation

# The order of the roots is the order of their fields in the exported schema.
Query = merge_types("Query", (NodeQuery, ViewerQuery, RfpQuery, ScoreQuery))
Mutation = merge_types(
    "Mutation",
    (
        OrganizationMutation,
        RfpMutation,
        ProposalMutation,
        ClarificationMutation,
        AddendumMutation,
        DebriefMutation,
        MemberMutation,
        EvaluationMutation,
        WebhookMutation,
    ),
)
Subscription = merge_types("Subscription", (LiveSubscription,))
# merge_types takes no description: set it on the merged definitions.
get_object_definition(Query, strict=True).description = (
    "Reads. Authenticate with `Authorization: Bearer <key>`: anonymous callers see nothing (viewer and "
    "objects null, lists empty); a bad or revoked key is UNAUTHENTICATED."
)
get_object_definition(Mutation, strict=True).description = (
    "Writes. Each takes one `input` and returns a payload whose userErrors say why nothing was written; "
    "only registerOrganization is open to anonymous callers."
)
get_object_definition(Subscription, strict=True).description = (
    "Live events over WebSocket (graphql-transport-ws on /graphql); authenticate in connection_init's "
    "payload or the Authorization header. Each event says what changed: refetch the page you show."
)


def build_schema(
    extensions: Sequence[type[SchemaExtension] | Callable[[], SchemaExtension]] = (),
) -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[Organization, Rfp, Proposal],
        extensions=list(extensions),
        config=StrawberryConfig(auto_camel_case=True, scalar_map={Decimal: DECIMAL, datetime: DATE_TIME}),
    )


schema = build_schema()
