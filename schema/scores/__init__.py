"""The scores domain of the GraphQL schema."""
