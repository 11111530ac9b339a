"""Webhook inputs."""

from __future__ import annotations

import strawberry


@strawberry.input(description="A webhook endpoint to register for the viewer's organization.")
class CreateWebhookInput:
    url: str = strawberry.field(
        description="The endpoint: https in production, never a private, loopback or link-local address."
    )
    events: list[str] = strawberry.field(description='Event names such as "rfp.closed", "proposal.awarded".')


@strawberry.input(description="Names one of the viewer's webhooks.")
class WebhookIdInput:
    webhook_id: strawberry.ID = strawberry.field(description="One of the viewer's webhooks (global id).")


@strawberry.input(description="Names one delivery of one of the viewer's webhooks.")
class WebhookDeliveryIdInput:
    delivery_id: strawberry.ID = strawberry.field(description="A delivery of one of the viewer's webhooks.")
