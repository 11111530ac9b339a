"""Benchmarks: `python -m bench.<name>`; each appends its figure to bench/RESULTS.md."""
