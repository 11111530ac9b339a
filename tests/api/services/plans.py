"""What the plan tests share: the read commands a request sends, kept whole to `explain` them."""

from __future__ import annotations

from typing import Any

from pymongo import monitoring

SCANNED_COMMANDS = {"find", "aggregate", "count", "distinct"}
# Only what explain needs: the driver's session, cluster time and cursor options go.
EXPLAINED_FIELDS = {
    "find",
    "filter",
    "sort",
    "hint",
    "aggregate",
    "pipeline",
    "count",
    "distinct",
    "key",
    "query",
    "limit",
    "projection",
}


class Reads(monitoring.CommandListener):
    """Keeps every read command a request sends, whole, to `explain` it afterwards."""

    def __init__(self) -> None:
        self.commands: list[dict[str, Any]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name in SCANNED_COMMANDS:
            self.commands.append({k: v for k, v in event.command.items() if k in EXPLAINED_FIELDS})

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass
