"""The ASGI entry point for production servers: `uvicorn api.asgi:app --workers N`.

Production names its database: MONGODB_URI is required here (the embedded database is for
`rfpmarket serve` on one machine)."""

from __future__ import annotations

from api.app import create_app
from api.settings import get_settings

settings = get_settings()
if not settings.mongodb_uri:
    raise RuntimeError("set MONGODB_URI for api.asgi:app; `rfpmarket serve` runs the embedded database")
app = create_app(settings, settings.mongodb_uri)
