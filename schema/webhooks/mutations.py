"""Webhook writes: register, rotate the secret, delete; replay a delivery."""

from __future__ import annotations

from typing import Annotated

import strawberry

from market.vocabulary import Outcome
from market.webhooks import WebhookRecord
from schema.common import described_mutation, local_id, user_errors
from schema.context import ContextInfo, context_of
from schema.webhooks.inputs import CreateWebhookInput, WebhookDeliveryIdInput, WebhookIdInput
from schema.webhooks.types import CreateWebhookPayload, Webhook, WebhookDelivery, WebhookDeliveryPayload


def _payload(outcome: Outcome[tuple[WebhookRecord, str]]) -> CreateWebhookPayload:
    if outcome.value is None:
        return CreateWebhookPayload(webhook=None, secret=None, user_errors=user_errors(outcome.errors))
    record, secret = outcome.value
    return CreateWebhookPayload(webhook=Webhook.of(record), secret=secret, user_errors=[])


INPUT = strawberry.argument(description="What to do; see the input type.")


@strawberry.type
class WebhookMutation:
    @described_mutation(
        description="Registers an endpoint for the organization's events; the secret is shown once."
    )
    async def create_webhook(
        self, info: ContextInfo, input: Annotated[CreateWebhookInput, INPUT]
    ) -> CreateWebhookPayload:
        context = context_of(info)
        return _payload(await context.market.webhooks.create_webhook(context.viewer, input.url, input.events))

    @described_mutation(description="A new secret, shown once; the old one stops signing at once.")
    async def rotate_webhook_secret(
        self, info: ContextInfo, input: Annotated[WebhookIdInput, INPUT]
    ) -> CreateWebhookPayload:
        context = context_of(info)
        webhook_id = local_id(input.webhook_id, "Webhook")
        return _payload(await context.market.webhooks.rotate_secret(context.viewer, webhook_id))

    @described_mutation(description="Deletes the endpoint; its pending deliveries are not sent.")
    async def delete_webhook(
        self, info: ContextInfo, input: Annotated[WebhookIdInput, INPUT]
    ) -> CreateWebhookPayload:
        context = context_of(info)
        outcome = await context.market.webhooks.delete_webhook(
            context.viewer, local_id(input.webhook_id, "Webhook")
        )
        if outcome.value is None:
            return CreateWebhookPayload(webhook=None, secret=None, user_errors=user_errors(outcome.errors))
        return CreateWebhookPayload(webhook=Webhook.of(outcome.value), secret=None, user_errors=[])

    @described_mutation(description="Sends a delivery again, with the same delivery id.")
    async def replay_webhook_delivery(
        self, info: ContextInfo, input: Annotated[WebhookDeliveryIdInput, INPUT]
    ) -> WebhookDeliveryPayload:
        context = context_of(info)
        outcome = await context.market.webhooks.replay_delivery(context.viewer, str(input.delivery_id))
        if outcome.value is None:
            return WebhookDeliveryPayload(delivery=None, user_errors=user_errors(outcome.errors))
        return WebhookDeliveryPayload(delivery=WebhookDelivery.of(outcome.value), user_errors=[])
