"""One structured log format for the app, strawberry and uvicorn (structlog over the standard library).

JSON lines in production (or RFPMARKET_LOG_FORMAT=json), readable lines in development. Every line
written while a request runs carries its `request_id` (structlog's context variables), so a support
ticket quoting the X-Request-Id response header finds every line of that request. Keys are never
logged: no header is, and the caller appears only as its kind (buyer, vendor, anonymous).
"""

from __future__ import annotations

import logging
import re
import sys
from typing import IO, Any

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

from api.settings import Settings

# uvicorn's loggers configure themselves unless told not to; they go through the root handler instead.
UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")
# uvicorn formats its access line before any formatter sees it: '%s - "%s %s HTTP/%s" %d'.
UVICORN_ACCESS = re.compile(
    r'^(?P<client>\S+) - "(?P<method>\S+) (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d+)$'
)


def _logger_name(logger: WrappedLogger, method: str, event: EventDict) -> EventDict:
    record = event.get("_record")
    if record is not None and "logger" not in event:
        event["logger"] = record.name
    return event


def _uvicorn_access_fields(logger: WrappedLogger, method: str, event: EventDict) -> EventDict:
    """uvicorn's access line as fields (client, method, path, status) instead of a formatted string."""
    record = event.get("_record")
    if record is not None and record.name == "uvicorn.access":
        match = UVICORN_ACCESS.match(str(event.get("event", "")))
        if match:
            event.update(match.groupdict(), status=int(match["status"]), event="access")
    return event


def shared_processors() -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        _logger_name,
        _uvicorn_access_fields,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]


def renderer(json_lines: bool) -> Processor:
    if json_lines:
        return structlog.processors.JSONRenderer()
    return structlog.dev.ConsoleRenderer(colors=False)


def configure_logging(settings: Settings, stream: IO[str] | None = None) -> logging.Handler:
    """Route every logger through one handler with the chosen format; returns that handler."""
    json_lines = (settings.log_format or ("json" if settings.production else "console")) == "json"
    final: list[Processor] = [structlog.stdlib.ProcessorFormatter.remove_processors_meta]
    if json_lines:
        final.append(structlog.processors.dict_tracebacks)  # a traceback is a field, not extra lines
    final.append(renderer(json_lines))
    formatter = structlog.stdlib.ProcessorFormatter(foreign_pre_chain=shared_processors(), processors=final)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for existing in [h for h in root.handlers if getattr(h, "_rfpmarket", False)]:
        root.removeHandler(existing)
    handler._rfpmarket = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    for name in UVICORN_LOGGERS:
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
    return handler


def get_logger(name: str) -> Any:
    return structlog.stdlib.get_logger(name)


def _route_structlog_to_stdlib() -> None:
    """structlog's loggers hand their events to the standard library's handlers (configure_logging's),
    at import: a logger used before configure_logging must not cache structlog's default printer."""
    structlog.configure(
        processors=[*shared_processors(), structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


_route_structlog_to_stdlib()
