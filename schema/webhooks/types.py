"""Webhook types: the endpoint, its payloads and its delivery log."""

from __future__ import annotations

from datetime import datetime

import strawberry

from market.webhooks import DeliveryRecord, DeliveryStatus, WebhookRecord
from schema.common import Node, UserError, described_field, local_id, to_global_id
from schema.context import ContextInfo, context_of
from schema.enums import described_enum

described_enum(
    DeliveryStatus,
    "WebhookDeliveryStatus",
    "Where a webhook delivery stands.",
    {
        "PENDING": "Not delivered yet: the next attempt is due (exponential back-off) or under way.",
        "DELIVERED": "The endpoint answered 2xx.",
        "FAILED": "The retry limit was reached without a 2xx answer; replayWebhookDelivery sends it again.",
    },
)


@strawberry.type(description="One attempt history of sending one event to one webhook.")
class WebhookDelivery:
    id: strawberry.ID = strawberry.field(description="Also sent as X-Rfpmarket-Delivery: de-duplicate by it.")
    event: str = strawberry.field(description='The event name, e.g. "rfp.closed".')
    status: DeliveryStatus = strawberry.field(description="Where the delivery stands.")
    attempts: int = strawberry.field(description="Attempts made so far (a replay starts again at 0).")
    last_status_code: int | None = strawberry.field(
        description="The HTTP status of the last attempt; null before one, or when it got no answer."
    )
    created_at: datetime = strawberry.field(description="When the event was recorded for this webhook (UTC).")
    delivered_at: datetime | None = strawberry.field(description="When a 2xx answer came (UTC), else null.")

    @classmethod
    def of(cls, record: DeliveryRecord) -> WebhookDelivery:
        return cls(
            id=strawberry.ID(record.id),
            event=record.event,
            status=DeliveryStatus(record.status),
            attempts=record.attempts,
            last_status_code=record.last_status_code,
            created_at=record.created_at,
            delivered_at=record.delivered_at,
        )


@strawberry.type(
    name="Webhook",
    description="An endpoint that receives the organization's events as signed POSTs; its owner only.",
)
class Webhook(Node):
    url: str = strawberry.field(description="The endpoint deliveries are POSTed to.")
    events: list[str] = strawberry.field(description='The event names it receives, e.g. "proposal.awarded".')
    created_at: datetime = strawberry.field(description="When it was registered (UTC).")

    @classmethod
    def of(cls, record: WebhookRecord) -> Webhook:
        return cls(
            id=to_global_id("Webhook", record.id),
            url=record.url,
            events=list(record.events),
            created_at=record.created_at,
        )

    @described_field(description="The latest deliveries (at most 100), newest first.")
    async def deliveries(self, info: ContextInfo) -> list[WebhookDelivery]:
        context = context_of(info)
        found = await context.market.webhooks.deliveries(context.viewer, local_id(self.id, "Webhook"))
        return [WebhookDelivery.of(record) for record in found]


@strawberry.type(description="The webhook and, after create or rotate, its secret (shown once).")
class CreateWebhookPayload:
    webhook: Webhook | None = strawberry.field(description="The webhook; null when userErrors say why not.")
    secret: str | None = strawberry.field(description="Shown once: sign-checking needs it.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was done; empty on success.")


@strawberry.type(description="The delivery a replay queued.")
class WebhookDeliveryPayload:
    delivery: WebhookDelivery | None = strawberry.field(description="The delivery, queued to be sent again.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was done; empty on success.")
