"""The debriefs domain of the GraphQL schema: what each tenderer learns once an RFP is awarded."""
