"""Benchmarks (``make bench``): each prints a one-line summary with a ratio measured in the same
run, and the run rewrites the figures section of docs/benchmarks.md. Nothing here is imported by
the CMS or the portal; the data generator bypasses the publishing guards and is for benchmark
databases only."""
