"""Loopback emulators of the BigCommerce and Iterable APIs."""
