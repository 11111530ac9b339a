"""GraphQL inputs of debrief settings."""

from __future__ import annotations

import strawberry


@strawberry.input
class ConfigureDebriefsInput:
    rfp_id: strawberry.ID
    published: bool | None = strawberry.field(
        default=None, description="Whether each tenderer reads its debrief once AWARDED (default true)."
    )
    publish_award: bool | None = strawberry.field(
        default=None, description="Whether debriefs name the winner and its total (default false)."
    )
    comment: str | None = strawberry.field(default=None, description="The buyer's comment in every debrief.")
