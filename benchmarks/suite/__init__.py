"""The benchmark suite behind `make bench` (`benchmarks/run.py` drives it)."""
