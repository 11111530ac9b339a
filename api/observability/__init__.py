"""What an operator sees: structured logs, Prometheus metrics, OpenTelemetry traces, honest configuration
and GraphiQL served from the app's own copies. README "Operating rfpmarket" describes the result."""
