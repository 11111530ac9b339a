"""Fixtures of the service tests that explain what a request sends (tests/api/services/plans.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from api.settings import Settings
from tests.api.services.plans import Reads
from tests.conftest import Api, Clock, ServeApp


@pytest.fixture
def reads() -> Reads:
    return Reads()


@pytest.fixture
async def explained_api(
    serve_app: ServeApp, settings: Settings, clock: Clock, reads: Reads
) -> AsyncIterator[Api]:
    """The app on the session's database, every read command it sends kept in `reads`."""
    async with serve_app(settings, clock=clock, listeners=[reads]) as served:
        yield served
