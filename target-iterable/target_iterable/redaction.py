"""Keeps secrets out of everything the target writes: logs, errors and dead letters."""

from __future__ import annotations

REDACTED = "***"


class Redactor:
    """Replaces every occurrence of the configured secrets with `***`."""

    def __init__(self, *secrets: str) -> None:
        # Longest first, so a secret containing another is replaced whole.
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def text(self, value: str) -> str:
        for secret in self._secrets:
            value = value.replace(secret, REDACTED)
        return value
