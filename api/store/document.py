"""What a stored document is to the code: a dict of BSON values keyed by field name."""

from __future__ import annotations

from typing import Any

Document = dict[str, Any]
