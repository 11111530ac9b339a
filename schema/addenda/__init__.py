"""The addenda domain of the GraphQL schema: amendments of an OPEN RFP and proposal confirmations."""
