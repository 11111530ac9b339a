"""The rfps domain of the GraphQL schema."""
