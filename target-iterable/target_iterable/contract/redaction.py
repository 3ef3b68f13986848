"""Keeps secrets out of everything the target writes: logs, errors and dead letters."""

from __future__ import annotations

import logging

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


class RedactingFilter(logging.Filter):
    """Rewrites a log record whose message holds a secret (the SDK may log records at DEBUG)."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self._redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self._redactor.text(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def redact_log_handlers(redactor: Redactor) -> None:
    """Add the filter to every handler of the root logger (where the SDK's handlers live)."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter(redactor))
