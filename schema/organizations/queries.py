"""Organization reads: who is calling."""

from __future__ import annotations

import strawberry

from schema import enums  # noqa: F401  (registers the enums used below)
from schema.common import described_field
from schema.context import ContextInfo, context_of
from schema.organizations.types import Organization, Viewer


@strawberry.type
class OrganizationQuery:
    @described_field(
        description="Who is calling: null without an Authorization header (a bad or revoked key is "
        "UNAUTHENTICATED, never null)."
    )
    def viewer(self, info: ContextInfo) -> Viewer | None:
        viewer = context_of(info).viewer
        return Viewer(record=viewer, organization=Organization.of(viewer)) if viewer else None
