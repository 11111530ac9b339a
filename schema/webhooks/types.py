"""Webhook types: the endpoint, its payloads and its delivery log."""

from __future__ import annotations

from datetime import datetime

import strawberry

from market.webhooks import DeliveryRecord, WebhookRecord
from schema.common import Node, UserError, local_id, to_global_id
from schema.context import ContextInfo, context_of


@strawberry.type(description="One attempt history of sending one event to one webhook.")
class WebhookDelivery:
    id: strawberry.ID = strawberry.field(description="Also sent as X-Rfpmarket-Delivery: de-duplicate by it.")
    event: str
    status: str = strawberry.field(description="PENDING, DELIVERED or FAILED (retry limit reached).")
    attempts: int
    last_status_code: int | None
    created_at: datetime
    delivered_at: datetime | None

    @classmethod
    def of(cls, record: DeliveryRecord) -> WebhookDelivery:
        return cls(
            id=strawberry.ID(record.id),
            event=record.event,
            status=record.status,
            attempts=record.attempts,
            last_status_code=record.last_status_code,
            created_at=record.created_at,
            delivered_at=record.delivered_at,
        )


@strawberry.type(name="Webhook")
class Webhook(Node):
    url: str
    events: list[str]
    created_at: datetime

    @classmethod
    def of(cls, record: WebhookRecord) -> Webhook:
        return cls(
            id=to_global_id("Webhook", record.id),
            url=record.url,
            events=list(record.events),
            created_at=record.created_at,
        )

    @strawberry.field
    async def deliveries(self, info: ContextInfo) -> list[WebhookDelivery]:
        """The latest deliveries (at most 100), newest first."""
        context = context_of(info)
        found = await context.market.webhooks.deliveries(context.viewer, local_id(self.id, "Webhook"))
        return [WebhookDelivery.of(record) for record in found]


@strawberry.type
class CreateWebhookPayload:
    webhook: Webhook | None
    secret: str | None = strawberry.field(description="Shown once: sign-checking needs it.")
    user_errors: list[UserError]


@strawberry.type
class WebhookDeliveryPayload:
    delivery: WebhookDelivery | None
    user_errors: list[UserError]
