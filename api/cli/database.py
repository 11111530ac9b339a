"""The database a command works on: MONGODB_URI, or the embedded one over the data folder."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path

from api.embedded import running
from api.observability import config_check
from api.settings import Settings


@contextlib.contextmanager
def database_uri(settings: Settings, data_dir: Path | None) -> Iterator[str]:
    """MONGODB_URI when set; otherwise an embedded SecantusDB over the data folder, stopped on exit."""
    if settings.mongodb_uri:
        yield settings.mongodb_uri
        return
    config_check.refuse_embedded_in_production(settings)
    folder = (data_dir or settings.data_dir) / "db"
    print(f"starting the embedded database (SecantusDB) in {folder} ...", file=sys.stderr)
    with running(folder, settings.db_start_timeout_seconds) as database:
        yield database.uri
