"""Developers' harnesses shared by the tests and the benchmarks (never shipped in a bundle or package)."""
