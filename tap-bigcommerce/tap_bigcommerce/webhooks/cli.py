"""`tap-bigcommerce-webhooks`: receive BigCommerce webhooks into the inbox, and register them.

    tap-bigcommerce-webhooks serve --port 8080 --inbox-url sqlite:///bigcommerce-webhooks.sqlite
    tap-bigcommerce-webhooks register --config tap-config.json --destination https://host/webhooks/bigcommerce

Secrets come from the environment, never from arguments (which `ps` shows):
TAP_BIGCOMMERCE_WEBHOOK_SECRET (the custom header value) and, optionally,
TAP_BIGCOMMERCE_WEBHOOK_SIGNING_SECRET (the app's client secret, for Standard Webhooks signatures).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import uvicorn

from tap_bigcommerce import __version__
from tap_bigcommerce.api import BigCommerceAPI, RetrySettings, StoreSettings
from tap_bigcommerce.config import (
    DEFAULT_INBOX_URL,
    InvalidConfigError,
    check_api_url,
    is_loopback_host,
)
from tap_bigcommerce.inbox import Inbox
from tap_bigcommerce.webhooks.app import DEFAULT_MAX_BODY_BYTES, DEFAULT_PATH, build_app
from tap_bigcommerce.webhooks.auth import WebhookAuthenticator
from tap_bigcommerce.webhooks.register import FOLLOW_SCOPES, register_hooks

# Names of environment variables, not secrets.
SECRET_ENV = "TAP_BIGCOMMERCE_WEBHOOK_SECRET"  # noqa: S105
SIGNING_SECRET_ENV = "TAP_BIGCOMMERCE_WEBHOOK_SIGNING_SECRET"  # noqa: S105
INBOX_URL_ENV = "TAP_BIGCOMMERCE_INBOX_URL"
DEFAULT_HEADER = "X-Webhook-Secret"


class UsageError(Exception):
    """A missing or invalid option; the message names it."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tap-bigcommerce-webhooks",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s v{__version__}")
    commands = parser.add_subparsers(dest="command", metavar="{serve,register}")

    serve = commands.add_parser("serve", help="run the webhook receiver")
    serve.add_argument("--host", default="127.0.0.1", help="interface to listen on")
    serve.add_argument("--port", type=int, default=8080, help="port to listen on")
    serve.add_argument("--path", default=DEFAULT_PATH, help="URL path receiving deliveries")
    serve.add_argument(
        "--inbox-url",
        default=os.environ.get(INBOX_URL_ENV, DEFAULT_INBOX_URL),
        help=f"SQLAlchemy URL of the inbox (env {INBOX_URL_ENV})",
    )
    serve.add_argument(
        "--secret-header",
        default=DEFAULT_HEADER,
        help="name of the custom header carrying the secret",
    )
    serve.add_argument(
        "--max-body-bytes",
        type=int,
        default=DEFAULT_MAX_BODY_BYTES,
        help="larger deliveries are rejected with 413",
    )

    register = commands.add_parser(
        "register", help="create the hook subscriptions (orders, customers, subscribers, ...)"
    )
    register.add_argument(
        "--config",
        required=True,
        type=Path,
        help="the tap's config JSON (store_hash, access_token, api_url)",
    )
    register.add_argument(
        "--destination",
        required=True,
        help="public HTTPS URL of the receiver (BigCommerce uses port 443)",
    )
    register.add_argument(
        "--secret-header",
        default=DEFAULT_HEADER,
        help="name of the custom header carrying the secret",
    )
    register.add_argument(
        "--scope",
        action="append",
        dest="scopes",
        help=f"scope to subscribe (repeatable; default: {', '.join(FOLLOW_SCOPES)})",
    )
    return parser


def _secret(name: str, *, required: bool) -> str | None:
    value = os.environ.get(name) or None
    if required and value is None:
        msg = f"set the environment variable {name}"
        raise UsageError(msg)
    return value


def serve(args: argparse.Namespace) -> int:
    authenticator = WebhookAuthenticator(
        header_name=args.secret_header,
        header_secret=_secret(SECRET_ENV, required=False),
        signing_secret=_secret(SIGNING_SECRET_ENV, required=False),
    )
    inbox = Inbox(args.inbox_url)
    app = build_app(inbox, authenticator, path=args.path, max_body_bytes=args.max_body_bytes)
    print(
        f"Receiving BigCommerce webhooks on http://{args.host}:{args.port}{args.path}",
        file=sys.stderr,
        flush=True,
    )
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)
    inbox.close()
    return 0


def _store_settings(config_path: Path) -> StoreSettings:
    try:
        config: dict[str, Any] = json.loads(config_path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        msg = f"--config {config_path}: {exc}"
        raise UsageError(msg) from exc
    for key in ("store_hash", "access_token"):
        if not config.get(key):
            msg = f"--config {config_path}: setting {key!r} is required"
            raise UsageError(msg)
    api_url = str(config.get("api_url", "https://api.bigcommerce.com"))
    try:
        check_api_url(api_url)
    except InvalidConfigError as exc:
        msg = f"--config {config_path}: {exc}"
        raise UsageError(msg) from exc
    return StoreSettings(
        api_url=api_url,
        store_hash=config["store_hash"],
        access_token=config["access_token"],
        user_agent=config.get("user_agent", "tap-bigcommerce-webhooks"),
        timeout_seconds=float(config.get("request_timeout", 60)),
        retry=RetrySettings(max_retries=int(config.get("max_retries", 5))),
    )


def register(args: argparse.Namespace) -> int:
    secret = _secret(SECRET_ENV, required=True)
    destination = urlsplit(args.destination)
    if destination.scheme != "https" and not (
        destination.scheme == "http" and is_loopback_host(destination.hostname)
    ):
        # The webhook secret travels in a header of every delivery: never in clear text.
        msg = (
            "--destination must be an https:// URL (plain http:// only to a loopback address, "
            f"for the sandbox), got {args.destination!r}"
        )
        raise UsageError(msg)
    if destination.scheme != "https":
        print(
            "warning: BigCommerce only delivers to https:// destinations on port 443",
            file=sys.stderr,
        )
    api = BigCommerceAPI(_store_settings(args.config))
    results = register_hooks(
        api, args.destination, {args.secret_header: str(secret)}, args.scopes or FOLLOW_SCOPES
    )
    for result in results:
        print(f"{result.action:9} {result.scope} (hook {result.hook_id})")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "serve":
            return serve(args)
        if args.command == "register":
            return register(args)
    except (UsageError, ValueError) as exc:
        print(f"tap-bigcommerce-webhooks: {exc}", file=sys.stderr)
        return 2
    parser.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
