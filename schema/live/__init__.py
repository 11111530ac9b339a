"""Live updates: the Subscription root (rankingChanged, rfpEvents, myProposalEvents)."""
