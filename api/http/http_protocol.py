"""uvicorn's HTTP protocol with a header-read timeout, which uvicorn itself does not have.

Without it a client that opens a connection and sends its request line and headers a byte at a time
(slowloris) holds the connection forever: uvicorn's keep-alive timer only runs between requests, and
the application (with its request deadline) is not called until the headers are complete. Here a
connection must deliver complete headers within HEADER_TIMEOUT_SECONDS of opening or of its
request's first byte, or it is closed; request line and headers together may not exceed
MAX_HEADER_BYTES (the h11 parser has `h11_max_incomplete_event_size` for this; httptools has nothing).
"""

from __future__ import annotations

import asyncio
from typing import Any

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from api.settings import get_settings

MAX_HEADER_BYTES = 16 * 1024


class HeaderTimeoutProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.header_timeout_seconds = get_settings().header_timeout_seconds
        self.header_timer: asyncio.TimerHandle | None = None
        self.header_bytes = 0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_header_timer()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.header_bytes = 0
        self._start_header_timer()

    def on_url(self, url: bytes) -> None:
        self._count_header_bytes(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count_header_bytes(len(name) + len(value))
        super().on_header(name, value)

    def _count_header_bytes(self, size: int) -> None:
        self.header_bytes += size
        if self.header_bytes > MAX_HEADER_BYTES:
            # The parser stops; uvicorn answers a parser error with a 400 and closes the connection.
            raise httptools.HttpParserError("request line and headers too large")

    def on_headers_complete(self) -> None:
        self._cancel_header_timer()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_timer()
        super().connection_lost(exc)

    def _start_header_timer(self) -> None:
        self._cancel_header_timer()
        self.header_timer = self.loop.call_later(self.header_timeout_seconds, self._headers_too_slow)

    def _cancel_header_timer(self) -> None:
        if self.header_timer is not None:
            self.header_timer.cancel()
            self.header_timer = None

    def _headers_too_slow(self) -> None:
        self.header_timer = None
        # Only a connection still waiting for headers: a request being served is the deadline's.
        if self.cycle is None or self.cycle.response_complete:
            self.transport.close()
