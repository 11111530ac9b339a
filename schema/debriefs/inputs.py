"""GraphQL inputs of debrief settings."""

from __future__ import annotations

import strawberry


@strawberry.input(description="Debrief settings of an RFP; omitted fields keep their value.")
class ConfigureDebriefsInput:
    rfp_id: strawberry.ID = strawberry.field(description="The RFP's global id (its buyer only).")
    published: bool | None = strawberry.field(
        default=None, description="Whether each tenderer reads its debrief once AWARDED (default true)."
    )
    publish_award: bool | None = strawberry.field(
        default=None, description="Whether debriefs name the winner and its total (default false)."
    )
    comment: str | None = strawberry.field(
        default=None, description="The buyer's comment in every debrief, 1-5,000 characters."
    )
