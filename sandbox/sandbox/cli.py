"""`sandbox serve`: both emulators in one process, on loopback, until interrupted."""

from __future__ import annotations

import argparse
import json
import re
import signal
import sys
import threading
from collections.abc import Callable
from contextlib import ExitStack
from types import FrameType
from typing import Any

from sandbox.bigcommerce.app import build_app as build_bigcommerce_app
from sandbox.common.server import serve_in_thread
from sandbox.iterable.app import build_app as build_iterable_app
from sandbox.iterable.rate_limits import DEFAULT_RATE_LIMITS

_STORE_HASH = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def _at_least(minimum: float, convert: Callable[[str], Any] = int) -> Callable[[str], Any]:
    """An argparse type: the converted value, refused below `minimum`."""

    def parse(text: str) -> Any:
        value = convert(text)
        if value < minimum:
            msg = f"must be >= {minimum}, got {value}"
            raise argparse.ArgumentTypeError(msg)
        return value

    return parse


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        msg = f"must be a port number (0 = any free port), got {value}"
        raise argparse.ArgumentTypeError(msg)
    return value


def _store_hash(text: str) -> str:
    if not _STORE_HASH.match(text):
        msg = f"must be letters, digits, '-' or '_' (at most 64), got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return text


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sandbox", description=__doc__)
    commands = parser.add_subparsers(dest="command", metavar="{serve}")
    serve = commands.add_parser("serve", help="serve the BigCommerce and Iterable emulators")
    serve.add_argument("--seed", type=int, default=1, help="store generator seed (default 1)")
    serve.add_argument("--orders", type=_at_least(0), default=1000, help="orders in the store")
    serve.add_argument("--bigcommerce-port", type=_port, default=0, help="0 = a free port")
    serve.add_argument("--iterable-port", type=_port, default=0, help="0 = a free port")
    serve.add_argument(
        "--project-type",
        choices=["email", "user_id", "hybrid"],
        default="email",
        help="Iterable project type (identity rules)",
    )
    serve.add_argument("--store-hash", type=_store_hash, default="sandbox1")
    serve.add_argument(
        "--rate-limit-quota", type=_at_least(1), default=150, help="BigCommerce requests per window"
    )
    serve.add_argument("--rate-limit-window-ms", type=_at_least(1), default=30000)
    serve.add_argument(
        "--webhook-retry-scale",
        type=_at_least(0, float),
        default=0.01,
        help="multiplier on BigCommerce's webhook retry delays (1 = real: 60 s, 180 s, ...)",
    )
    serve.add_argument(
        "--iterable-export-rate-per-minute",
        type=_at_least(0, float),
        default=DEFAULT_RATE_LIMITS["export/data.json"] * 60,
        help="Iterable export/data.json requests per minute (default 4, Iterable's own limit; "
        "the demo and tests raise it so reconciliation does not wait)",
    )
    serve.add_argument("--json", action="store_true", help="print one JSON line with the URLs")
    return parser


def serve(args: argparse.Namespace) -> int:
    bigcommerce_app, bigcommerce = build_bigcommerce_app(
        seed=args.seed,
        orders=args.orders,
        store_hash=args.store_hash,
        rate_limit_quota=args.rate_limit_quota,
        rate_limit_window_ms=args.rate_limit_window_ms,
        webhook_retry_scale=args.webhook_retry_scale,
    )
    iterable_app, iterable = build_iterable_app(
        project_type=args.project_type,
        rate_limits={"export/data.json": args.iterable_export_rate_per_minute / 60},
    )
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    with ExitStack() as stack:
        stack.callback(bigcommerce.close)
        bc_server = stack.enter_context(serve_in_thread(bigcommerce_app, args.bigcommerce_port))
        it_server = stack.enter_context(serve_in_thread(iterable_app, args.iterable_port))
        description = {
            "bigcommerce": {
                "api_url": bc_server.url,
                "store_hash": bigcommerce.store_hash,
                "access_token": bigcommerce.access_token,
            },
            "iterable": {"api_url": it_server.url, "api_key": iterable.api_key},
        }
        if args.json:
            print(json.dumps(description), flush=True)
        else:
            _print_human(description, args)
        while not stop.wait(0.5):
            pass
    return 0


def _print_human(description: dict[str, dict[str, str]], args: argparse.Namespace) -> None:
    bc, it = description["bigcommerce"], description["iterable"]
    lines = [
        f"BigCommerce emulator (seed {args.seed}, {args.orders} orders)",
        f"  api_url:      {bc['api_url']}",
        f"  store_hash:   {bc['store_hash']}",
        f"  access_token: {bc['access_token']}",
        f"  e.g. curl -H 'X-Auth-Token: {bc['access_token']}' "
        f"{bc['api_url']}/stores/{bc['store_hash']}/v2/orders",
        f"Iterable emulator (project type {args.project_type})",
        f"  api_url:      {it['api_url']}",
        f"  api_key:      {it['api_key']}",
        "Press Ctrl+C to stop.",
    ]
    print("\n".join(lines), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "serve":
        return serve(args)
    parser.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
