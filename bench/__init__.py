"""Benchmarks: `python -m bench [section ...]` (or `make bench`). Each measures its baseline
in the same run and prints the ratio, so that figures from different machines compare."""
