"""Issue 15: which webhook URLs production accepts, the signature scheme, the back-off."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from market.webhooks import next_attempt, signature, url_problem


@pytest.mark.parametrize(
    ("url", "production", "allowed"),
    [
        ("https://hooks.example.com/rfp", True, True),
        ("http://hooks.example.com/rfp", True, False),  # https only in production
        ("https://127.0.0.1/hook", True, False),
        ("https://localhost/hook", True, False),
        ("https://10.1.2.3/hook", True, False),
        ("https://192.168.0.5/hook", True, False),
        ("https://169.254.169.254/latest/meta-data", True, False),  # cloud metadata
        ("https://[::1]/hook", True, False),
        ("https://[fd00::1]/hook", True, False),
        ("https://8.8.8.8/hook", True, True),
        ("http://127.0.0.1:8080/hook", False, True),  # development and tests: loopback is fine
        ("ftp://example.com/x", False, False),
        ("https://user:pw@example.com/x", False, False),
        ("https://example.com:99999/x", False, False),
    ],
)
def test_url_rules(url: str, production: bool, allowed: bool) -> None:
    assert (url_problem(url, production) is None) is allowed


def test_signature_is_hmac_sha256_over_timestamp_and_body() -> None:
    body = b'{"id":"x"}'
    expected = hmac.new(b"whsec_1", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert signature("whsec_1", 1_700_000_000, body) == f"v1={expected}"
    assert signature("whsec_2", 1_700_000_000, body) != signature("whsec_1", 1_700_000_000, body)


def test_back_off_doubles_and_is_capped() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    delays = [next_attempt(now, attempts, 10) - now for attempts in (1, 2, 3, 4)]
    assert delays == [timedelta(seconds=s) for s in (10, 20, 40, 80)]
    assert next_attempt(now, 40, 10) - now == timedelta(days=1)
