"""Singer target for Iterable."""
