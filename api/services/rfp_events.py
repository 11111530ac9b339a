"""The hook RFP events go through after their change commits (issue 16's clarifications and addenda
call it with contract-next's `RfpEventKind`: CLARIFICATION_PUBLISHED, AMENDED, DEADLINE_CHANGED).

Live delivery does not need it: every such change writes its audit event in the change's own
transaction ("clarificationPublished", "clarificationAnswered", "amended" with its changed fields),
and each instance's change stream turns that audit event into the RFP events
(market/live.rfp_event_kinds) for subscribers and webhooks (api/services/live.py, webhooks.py).
Publishing from here instead, after the commit, would lose the event when the process dies between
commit and hook, and would send it once per instance; so the hook records nothing itself.
"""

from __future__ import annotations

from datetime import datetime


async def record_rfp_event(rfp_id: str, kind: str, at: datetime) -> None:
    """Called after the commit; the event already travels as the change's audit event (see above)."""
    del rfp_id, kind, at
