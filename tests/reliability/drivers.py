"""Feeding one catalogue input to the real component it enters, and observing what happened.

Each driver runs the real code in-process (the CLIs' own entry points where the input is a file),
so that the 60-odd rows stay fast; the fault matrix and the security test run the executables.
"""

from __future__ import annotations

import io
import json
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import click
import requests
from singer_sdk.exceptions import ConfigValidationError, RecordsWithoutSchemaException
from singer_sdk.singerlib.exceptions import InvalidInputLine

from map_bigcommerce_iterable.mapper import BigCommerceToIterableMapper
from map_bigcommerce_iterable.normalise import NormalisationError
from sandbox.common.server import serve_in_thread
from sandbox.iterable.testing import RunningIterable
from tap_bigcommerce.inbox import Inbox
from tap_bigcommerce.tap import TapBigCommerce
from tap_bigcommerce.webhooks.app import DEFAULT_PATH, build_app
from tap_bigcommerce.webhooks.auth import WebhookAuthenticator, sign, signing_key
from target_iterable.contract.state_marker import MARKER_BOOKMARK
from target_iterable.target import TargetIterable, UnknownStreamError

from .catalogue import GOOD, BadInput, Enters, Observation, Request, tap_records
from .pipeline import read_text

# Errors a component raises on bad input by design (each names what is wrong).
STOPPING_ERRORS = (
    NormalisationError,
    InvalidInputLine,
    RecordsWithoutSchemaException,
    UnknownStreamError,
)
HEADER, HEADER_SECRET, SIGNING_SECRET = "X-Webhook-Secret", "catalogue-secret", "catalogue-signing"
WEBHOOK_MAX_BODY = 64 * 1024


def config_error(component: type, config: dict[str, Any]) -> str | None:
    try:
        component(config=config)
    except ConfigValidationError as error:
        return " ".join(str(e) for e in error.errors) or str(error)
    return None


def tap_config(**overrides: Any) -> dict[str, Any]:
    return {"store_hash": "abc123", "access_token": "t0k", "api_url": "http://127.0.0.1:9",
            **overrides}  # fmt: skip


def state_file_error(text: str, workdir: Path) -> str | None:
    config, state = workdir / "tap-config.json", workdir / "state.json"
    config.write_text(json.dumps(tap_config()))
    state.write_text(text)
    try:
        TapBigCommerce.cli.main(
            ["--config", str(config), "--state", str(state)], standalone_mode=False
        )
    except click.ClickException as error:
        return error.format_message()
    return None


@dataclass
class StreamRig:
    """An Iterable emulator shared by the stream rows (reset before each) and a scratch folder."""

    iterable: RunningIterable
    workdir: Path

    def target_config(self, name: str) -> dict[str, Any]:
        return {
            "api_key": self.iterable.api_key,
            "api_url": self.iterable.api_url,
            "dead_letter_path": str(self.workdir / f"{name}.jsonl"),
            # A fresh project each run (the emulator is reset), so a fresh delivery ledger too.
            "database_url": f"sqlite:///{self.workdir / f'{name}-{uuid.uuid4().hex}.ledger'}",
            "retry_initial_delay": 0.01,
            "retry_max_delay": 0.05,
        }

    def run_target(self, lines: str, name: str) -> Observation:
        self.iterable.emulator.reset()
        config = self.target_config(name)
        error = None
        try:
            with redirect_stdout(io.StringIO()):
                TargetIterable(config=config).listen(io.StringIO(lines))
        except STOPPING_ERRORS as stopped:
            error = str(stopped)
        letters_path = Path(config["dead_letter_path"])
        letters = [json.loads(line) for line in read_text(letters_path).splitlines()]
        emulator = self.iterable.emulator
        return Observation(
            error=error,
            users={
                str(u.get("email") or u.get("userId")): u.get("dataFields", {})
                for u in emulator.users()
            },
            purchases=emulator.purchases(),
            events=emulator.events(),
            dead_letters=letters,
        )


def target_lines(bad: list[dict[str, Any]] | str) -> str:
    companion = [
        {
            "type": "SCHEMA",
            "stream": "users",
            "schema": {"type": "object", "properties": {}},
            "key_properties": [],
        },
        {"type": "RECORD", "stream": "users", "record": {"email": GOOD, "dataFields": {"n": 1}}},
    ]
    head = "".join(json.dumps(m) + "\n" for m in companion)
    if isinstance(bad, str):
        return head + bad + "\n"
    return head + "".join(json.dumps(m) + "\n" for m in bad)


FINAL_STATE = {"bookmarks": {"catalogue": {"replication_key_value": "after the bad input"}}}


def mapper_lines(bad: list[tuple[str, dict[str, Any]]] | str) -> str:
    items: list[Any] = [
        ("store_settings", tap_records.store_settings()),
        ("customers", tap_records.customer(999, GOOD)),
    ]
    end = tap_records.to_lines([tap_records.state(FINAL_STATE)])
    if isinstance(bad, str):
        return tap_records.to_lines(tap_records.messages(*items)) + bad + "\n" + end
    return tap_records.to_lines(tap_records.messages(*items, *bad)) + end


def _without_marker(state: dict[str, Any]) -> dict[str, Any]:
    """A forwarded STATE without the store id the mapper adds (see `state_marker`)."""
    bookmarks = {k: v for k, v in state.get("bookmarks", {}).items() if k != MARKER_BOOKMARK}
    rest = {k: v for k, v in state.items() if k != "bookmarks"}
    return {**rest, "bookmarks": bookmarks} if "bookmarks" in state else rest


def run_mapper_then_target(rig: StreamRig, bad: Any, name: str) -> Observation:
    letters_path = rig.workdir / f"{name}-mapper.jsonl"
    config = {
        "database_url": f"sqlite:///{rig.workdir / (name + '.sqlite')}",
        "state_interval_seconds": 0,
        "dead_letter_path": str(letters_path),
    }
    out = io.StringIO()
    try:
        with redirect_stdout(out):
            BigCommerceToIterableMapper(config=config).listen(io.StringIO(mapper_lines(bad)))
    except STOPPING_ERRORS as stopped:
        return Observation(error=str(stopped))
    mapped = out.getvalue()
    states = [m for m in map(json.loads, mapped.splitlines()) if m["type"] == "STATE"]
    seen = rig.run_target(mapped, name)
    mapper_letters = [json.loads(line) for line in read_text(letters_path).splitlines()]
    return replace(
        seen,
        dead_letters=mapper_letters + (seen.dead_letters or []),
        state_passed=any(_without_marker(state["value"]) == FINAL_STATE for state in states),
    )


@dataclass
class Receiver:
    url: str
    inbox: Inbox


@contextmanager
def webhook_receiver(workdir: Path) -> Iterator[Receiver]:
    inbox = Inbox(f"sqlite:///{workdir / 'catalogue-inbox.sqlite'}")
    authenticator = WebhookAuthenticator(
        header_name=HEADER, header_secret=HEADER_SECRET, signing_secret=SIGNING_SECRET
    )
    app = build_app(inbox, authenticator, max_body_bytes=WEBHOOK_MAX_BODY)
    try:
        with serve_in_thread(app) as server:
            yield Receiver(f"{server.url}{DEFAULT_PATH}", inbox)
    finally:
        inbox.close()


def post_deliveries(receiver: Receiver, requests_to_send: list[Request]) -> Observation:
    """Each delivery signed and carrying the secret, unless the row says otherwise."""
    before = receiver.inbox.count()

    def post(request: Request) -> int:
        body, overrides = request
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        stamp = int(time.time()) + int(overrides.get("webhook-timestamp", "0"))
        headers = {
            "Content-Type": "application/json",
            HEADER: HEADER_SECRET,
            "webhook-id": "msg_1",
            "webhook-timestamp": str(stamp),
            "webhook-signature": sign(signing_key(SIGNING_SECRET), "msg_1", stamp, data),
        }
        headers.update({k: v for k, v in overrides.items() if k != "webhook-timestamp"})
        headers = {k: v for k, v in headers.items() if v}
        return requests.post(receiver.url, data=data, headers=headers, timeout=10).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(post, requests_to_send))
    return Observation(statuses=statuses, stored=receiver.inbox.count() - before)


def observe(item: BadInput, rig: StreamRig, receiver: Receiver, name: str) -> Observation:
    built = item.build()
    if item.enters is Enters.TAP_CONFIG:
        return Observation(error=config_error(TapBigCommerce, tap_config(**built)))
    if item.enters is Enters.MAPPER_CONFIG:
        database = f"sqlite:///{tempfile.mkdtemp(dir=rig.workdir)}/store.sqlite"
        config = {"database_url": database, **built}
        return Observation(error=config_error(BigCommerceToIterableMapper, config))
    if item.enters is Enters.TARGET_CONFIG:
        config = {**rig.target_config(name), **built}
        return Observation(error=config_error(TargetIterable, config))
    if item.enters is Enters.STATE_FILE:
        return Observation(error=state_file_error(built, Path(tempfile.mkdtemp(dir=rig.workdir))))
    if item.enters is Enters.MAPPER_STREAM:
        return run_mapper_then_target(rig, built, name)
    if item.enters is Enters.TARGET_STREAM:
        return rig.run_target(target_lines(built), name)
    return post_deliveries(receiver, built)
