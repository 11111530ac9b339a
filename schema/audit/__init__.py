"""The audit domain of the GraphQL schema."""
