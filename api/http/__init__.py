"""The HTTP edge: the Starlette app, the GraphQL view, request limits, errors, auth and the per-request
context with its dataloaders. The only place that knows HTTP."""
