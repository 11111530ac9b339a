"""The ASGI entry point for production servers: `uvicorn api.asgi:app --workers N`.

Production names its database: MONGODB_URI is required here (the embedded database is for
`rfpmarket serve` on one machine). Start-up waits for it up to RFPMARKET_DB_START_TIMEOUT_SECONDS,
then exits with one line rather than a driver traceback."""

from __future__ import annotations

import sys

from api.embedded import database_answers
from api.http.app import create_app
from api.observability import config_check, wiring

settings = config_check.settings_or_exit()
wiring.configure(settings)
if not settings.mongodb_uri:
    raise RuntimeError("set MONGODB_URI for api.asgi:app; `rfpmarket serve` runs the embedded database")
if not database_answers(settings.mongodb_uri, settings.db_start_timeout_seconds):
    print(
        f"rfpmarket: the database did not answer within {settings.db_start_timeout_seconds:g}s; exiting",
        file=sys.stderr,
    )
    sys.exit(1)
app = create_app(settings, settings.mongodb_uri)
