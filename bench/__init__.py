"""The benchmark harness: `python -m bench --help` (docs/performance.md)."""
