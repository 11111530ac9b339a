"""The marketplace use cases, one service per domain (organizations, rfps, proposals, ranking),
composed by market.MarketService. Business problems come back as `Outcome` errors, never HTTP errors."""
