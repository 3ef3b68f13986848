"""Loopback emulator of the BigCommerce REST API (v2 and v3)."""
