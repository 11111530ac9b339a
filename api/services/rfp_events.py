"""The hook RFP events go through, for the live events of the subscriptions issue (15) to wire.

Issue 16's features call `record_rfp_event` after their transaction commits (kinds of contract-next's
`RfpEventKind`: CLARIFICATION_PUBLISHED, AMENDED, DEADLINE_CHANGED). Until subscriptions land it
records nothing: the audit trail, written in the same transaction as each change, is the record.
"""

from __future__ import annotations

from datetime import datetime


async def record_rfp_event(rfp_id: str, kind: str, at: datetime) -> None:
    """Publishes an RFP event to live subscribers; a no-op until the subscriptions issue wires it."""
    del rfp_id, kind, at
