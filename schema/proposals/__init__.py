"""The proposals domain of the GraphQL schema."""
