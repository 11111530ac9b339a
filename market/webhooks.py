"""Webhooks, pure: the event names, which endpoint URLs are allowed, the signature, the back-off.

Signature (the scheme Stripe and GitHub use): X-Rfpmarket-Signature is "v1=" + hex
HMAC-SHA256(secret, f"{timestamp}.{body}"), timestamp in unix seconds (X-Rfpmarket-Timestamp).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from urllib.parse import urlsplit

from market.live import ProposalEventKind, RfpEventKind

# "rfp.closed", "proposal.submitted", ...: one name per live event kind.
EVENT_NAMES = frozenset(
    [f"rfp.{kind.value.lower()}" for kind in RfpEventKind]
    + [f"proposal.{kind.value.lower()}" for kind in ProposalEventKind]
)
MAX_EVENTS = len(EVENT_NAMES)
MAX_URL_LENGTH = 2_000


def rfp_event_name(kind: RfpEventKind) -> str:
    return f"rfp.{kind.value.lower()}"


def proposal_event_name(kind: ProposalEventKind) -> str:
    return f"proposal.{kind.value.lower()}"


def url_problem(url: str, production: bool) -> str | None:
    """Why the endpoint URL is refused, or None. Production: https only, never a private, loopback,
    link-local or reserved address literal (a hostname is resolved and checked by the service).
    Development and tests may use http and loopback, for a receiver on the same machine."""
    if len(url) > MAX_URL_LENGTH:
        return f"at most {MAX_URL_LENGTH} characters"
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018  (raises on a malformed port)
    except ValueError:
        return "not a valid URL"
    if not host or parts.scheme not in ("https", "http"):
        return "an http(s) URL with a host is needed"
    if parts.username or parts.password:
        return "credentials in the URL are not allowed; sign with the secret instead"
    if production and parts.scheme != "https":
        return "only https URLs are allowed"
    if production and (host == "localhost" or address_is_private(host)):
        return "private, loopback and link-local addresses are not allowed"
    return None


def address_is_private(host: str) -> bool:
    """True for an address literal that is not a public unicast address; False for names."""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return not address.is_global or address.is_multicast


def events_problem(events: list[str]) -> tuple[int, str] | None:
    """(index, why) of the first unknown event name, or None."""
    if not events:
        return 0, "name at least one event"
    for index, name in enumerate(events):
        if name not in EVENT_NAMES:
            return index, f"unknown event; one of {', '.join(sorted(EVENT_NAMES))}"
    return None


def signature(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"v1={digest}"


def next_attempt(now: datetime, attempts: int, base_seconds: float) -> datetime:
    """Exponential back-off: base, 2 x base, 4 x base, ... capped at one day."""
    return now + timedelta(seconds=min(base_seconds * 2 ** max(attempts - 1, 0), 86_400))


@dataclass(frozen=True)
class WebhookRecord:
    id: str
    organization_id: str
    url: str
    events: tuple[str, ...]
    created_at: datetime


class DeliveryStatus(str, Enum):
    """Where a delivery stands; the store keeps the same words."""

    PENDING = "PENDING"
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"


@dataclass(frozen=True)
class DeliveryRecord:
    id: str
    webhook_id: str
    event: str
    status: str  # PENDING, DELIVERED, FAILED
    attempts: int
    last_status_code: int | None
    created_at: datetime
    delivered_at: datetime | None
