"""The `rfpmarket` command: serve, seed, rescore, export, export-schema (entry point: main.main)."""
