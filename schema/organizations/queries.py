"""Organization reads: who is calling."""

from __future__ import annotations

import strawberry

from schema import enums  # noqa: F401  (registers the enums used below)
from schema.context import ContextInfo, context_of
from schema.organizations.types import Organization, Viewer


@strawberry.type
class OrganizationQuery:
    @strawberry.field
    def viewer(self, info: ContextInfo) -> Viewer | None:
        viewer = context_of(info).viewer
        return Viewer(record=viewer, organization=Organization.of(viewer)) if viewer else None
