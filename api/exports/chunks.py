"""Text pieces to HTTP-sized byte chunks: one ASGI message per row would cost more than the row."""

from __future__ import annotations

from collections.abc import AsyncIterator

CHUNK_BYTES = 64 * 1024


async def chunked(pieces: AsyncIterator[str], size: int = CHUNK_BYTES) -> AsyncIterator[bytes]:
    buffer: list[str] = []
    buffered = 0
    async for piece in pieces:
        buffer.append(piece)
        buffered += len(piece)
        if buffered >= size:
            yield "".join(buffer).encode()
            buffer, buffered = [], 0
    if buffer:
        yield "".join(buffer).encode()
