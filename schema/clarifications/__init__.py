"""The clarifications domain of the GraphQL schema: questions on an RFP and their answers."""
