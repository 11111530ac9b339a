"""The organizations domain of the GraphQL schema."""
