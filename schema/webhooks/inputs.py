"""Webhook inputs."""

from __future__ import annotations

import strawberry


@strawberry.input
class CreateWebhookInput:
    url: str
    events: list[str] = strawberry.field(description='Event names such as "rfp.closed", "proposal.awarded".')


@strawberry.input
class WebhookIdInput:
    webhook_id: strawberry.ID


@strawberry.input
class WebhookDeliveryIdInput:
    delivery_id: strawberry.ID
