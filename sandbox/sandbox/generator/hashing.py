"""Cheap, stable pseudo-random numbers derived from (seed, record number, purpose).

Per-record values must not depend on generation order, so that order N of a million-order store
can be built on demand. `random.Random` is too slow to seed a million times while indexing;
splitmix64 over the mixed key is fast and stable across Python versions.
"""

from __future__ import annotations

import hashlib

_MASK = (1 << 64) - 1


def _splitmix64(value: int) -> int:
    value = (value + 0x9E3779B97F4A7C15) & _MASK
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & _MASK
    return value ^ (value >> 31)


def salt(purpose: str) -> int:
    """A stable 64-bit number for a purpose name (hash() is randomised per process)."""
    return int.from_bytes(hashlib.blake2b(purpose.encode(), digest_size=8).digest(), "big")


def mix(seed: int, number: int, purpose_salt: int) -> int:
    """A 64-bit value determined only by the three inputs."""
    return _splitmix64(_splitmix64((seed * 0x100000001B3) ^ purpose_salt) ^ number)


def unit(seed: int, number: int, purpose_salt: int) -> float:
    """A float in [0, 1) determined only by the three inputs."""
    return mix(seed, number, purpose_salt) / float(1 << 64)


def rng_seed(seed: int, number: int, purpose: str) -> int:
    """A seed for `random.Random` for one record."""
    return mix(seed, number, salt(purpose))
