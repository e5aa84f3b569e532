"""Benchmarks: each module runs with one command and merges its figures into bench/results.json."""
