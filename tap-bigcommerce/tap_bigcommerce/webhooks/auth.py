"""Authenticating webhook deliveries: the custom header secret and Standard Webhooks signatures.

BigCommerce sends back the headers given when the hook was registered, so a secret header
proves the sender knows the registration. Where BigCommerce also signs deliveries (Standard
Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256 of
"{id}.{timestamp}.{body}">`), the signature is checked too, with a replay window. Every
comparison is constant-time.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

SIGNATURE_HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")
DEFAULT_TOLERANCE_SECONDS = 300


class AuthenticationError(Exception):
    """The delivery is not from BigCommerce (the message says why, never the secret)."""


def signing_key(secret: str) -> bytes:
    """Standard Webhooks secrets are `whsec_<base64 key>`; BigCommerce's is the client secret."""
    if secret.startswith("whsec_"):
        try:
            return base64.b64decode(secret.removeprefix("whsec_"), validate=True)
        except binascii.Error as exc:
            msg = "the signing secret starts with whsec_ but is not valid base64"
            raise ValueError(msg) from exc
    return secret.encode()


def sign(key: bytes, message_id: str, timestamp: int, body: bytes) -> str:
    """The `v1,<signature>` value a sender puts in `webhook-signature`."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


@dataclass(frozen=True)
class WebhookAuthenticator:
    header_name: str = "X-Webhook-Secret"
    header_secret: str | None = None
    signing_secret: str | None = None
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS
    clock: Callable[[], float] = field(default=time.time)

    def __post_init__(self) -> None:
        if not self.header_secret and not self.signing_secret:
            msg = "configure a webhook header secret, a signing secret, or both"
            raise ValueError(msg)
        if self.signing_secret:
            signing_key(self.signing_secret)  # fail at start on a malformed secret

    def check_header(self, headers: Mapping[str, str]) -> None:
        """Before reading the body: the registration's custom header must match."""
        if not self.header_secret:
            return
        presented = headers.get(self.header_name.lower(), "")
        if not hmac.compare_digest(presented.encode(), self.header_secret.encode()):
            msg = f"missing or wrong {self.header_name} header"
            raise AuthenticationError(msg)

    def check_signature(self, headers: Mapping[str, str], body: bytes) -> None:
        """After reading the body: verify a Standard Webhooks signature where one is present."""
        present = [name for name in SIGNATURE_HEADERS if headers.get(name)]
        if not present:
            if self.signing_secret and not self.header_secret:
                msg = "unsigned delivery (webhook-signature headers are required)"
                raise AuthenticationError(msg)
            return
        if not self.signing_secret:
            return  # signed, but no key to check it with: the header secret authenticated it
        if len(present) != len(SIGNATURE_HEADERS):
            msg = "incomplete Standard Webhooks headers"
            raise AuthenticationError(msg)
        message_id = headers["webhook-id"]
        try:
            timestamp = int(headers["webhook-timestamp"])
        except ValueError as exc:
            msg = "webhook-timestamp is not a Unix time"
            raise AuthenticationError(msg) from exc
        if abs(self.clock() - timestamp) > self.tolerance_seconds:
            msg = "webhook-timestamp is outside the replay window"
            raise AuthenticationError(msg)
        expected = sign(signing_key(self.signing_secret), message_id, timestamp, body)
        expected_bytes = expected.removeprefix("v1,").encode()
        for candidate in headers["webhook-signature"].split():
            version, _, signature = candidate.partition(",")
            if version == "v1" and hmac.compare_digest(signature.encode(), expected_bytes):
                return
        msg = "bad webhook-signature"
        raise AuthenticationError(msg)
