"""What a server failure looks like to a client, and what a client error is: shared by the fuzz tests."""

from __future__ import annotations

import base64
from typing import Any

import httpx

from market.vocabulary import ErrorCode
from tests.conftest import Api
from tests.helpers import open_rfp, register, submit

# Python-isms that mean an exception's text reached the client unmasked.
LEAKS = ("Traceback", "object has no attribute", "NoneType", "pymongo", "bson.", "KeyError", "Errno")


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


def server_failures(response: httpx.Response) -> list[str]:
    """What makes a response a server error; empty for a success or a clean client error."""
    if response.status_code >= 500:
        return [f"HTTP {response.status_code}"]
    try:
        body = response.json()
    except ValueError:
        return [f"not JSON: {response.text[:200]}"]
    problems = []
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        message = str(error.get("message", ""))
        if code == "INTERNAL_SERVER_ERROR" or "Internal server error" in message:
            problems.append(f"internal error: {message}")
        elif any(leak in message for leak in LEAKS):
            problems.append(f"unmasked error: {message}")
    return problems


def status_mismatch(response: httpx.Response) -> str | None:
    """application/graphql-response+json: 200 with `data` once executed, 400 without it when not."""
    if response.status_code not in (200, 400):
        return f"status {response.status_code}"
    if ("data" in response.json()) != (response.status_code == 200):
        return f"status {response.status_code} does not match the data entry"
    return None


# Codes of errors that are the caller's fault: bad arguments, limits, and the payloads' own error codes.
CLIENT_CODES = frozenset({"BAD_USER_INPUT", "QUERY_TOO_COMPLEX", *(code.value for code in ErrorCode)})


def assert_client_error(body: dict[str, Any], *, expect_errors: bool = False) -> None:
    """No server failure, and any `errors` are the caller's: coded as such, or request errors (no path)."""
    assert not server_failures_in(body), body
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        assert code in CLIENT_CODES or "path" not in error, body
    if expect_errors:
        assert body.get("errors"), body


def server_failures_in(body: dict[str, Any]) -> list[str]:
    return server_failures(httpx.Response(200, json=body))


async def parties(api: Api) -> tuple[str, str, str, str]:
    """(buyer key, vendor key, open RFP id, proposal id)."""
    _, buyer = await register(api, "BUYER")
    _, vendor = await register(api, "VENDOR")
    rfp_id = await open_rfp(api, buyer)
    proposal = await submit(api, vendor, rfp_id)
    return buyer, vendor, rfp_id, proposal["proposal"]["id"]
