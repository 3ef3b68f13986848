"""The webhook receiver will not run without a secret, and compares secrets in constant time.

Missing, wrong and replayed credentials are rows of the bad input catalogue (401 each).
"""

from __future__ import annotations

import ast
import inspect
import os
import subprocess
import textwrap

import pytest

from tap_bigcommerce.webhooks import auth
from tap_bigcommerce.webhooks.cli import SECRET_ENV, SIGNING_SECRET_ENV

from .pipeline import executable

pytestmark = pytest.mark.reliability


def test_serve_refuses_to_start_without_a_secret() -> None:
    env = {k: v for k, v in os.environ.items() if k not in (SECRET_ENV, SIGNING_SECRET_ENV)}
    result = subprocess.run(
        [executable("tap-bigcommerce-webhooks"), "serve", "--port", "0"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert "configure a webhook header secret, a signing secret, or both" in result.stderr


def test_secrets_and_signatures_are_compared_in_constant_time() -> None:
    """Every comparison in the authenticator goes through hmac.compare_digest, none through ==."""
    source = textwrap.dedent(inspect.getsource(auth.WebhookAuthenticator))
    tree = ast.parse(source)
    compared = [
        node for node in ast.walk(tree)
        if isinstance(node, ast.Compare)
        and any(isinstance(op, ast.Eq | ast.NotEq) for op in node.ops)
    ]  # fmt: skip
    digests = [
        node for node in ast.walk(tree)
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "hmac.compare_digest"
    ]  # fmt: skip
    # Only counts and the signature scheme's name are compared with == (no secret).
    assert sorted(ast.unparse(node) for node in compared) == [
        "len(present) != len(SIGNATURE_HEADERS)",
        "version == 'v1'",
    ]
    assert len(digests) == 2  # the header secret, and each offered signature
