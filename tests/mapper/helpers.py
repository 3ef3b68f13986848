"""Running the mapper (in-process or as the real CLI) and reading what it wrote."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from contextlib import redirect_stdout
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema

from map_bigcommerce_iterable.mapper import BigCommerceToIterableMapper
from target_iterable.contract import operation_schema
from target_iterable.contract.state_marker import MARKER_BOOKMARK
from target_iterable.target import TargetIterable

from .records import to_lines

DATA = Path(__file__).parent / "data"
OUTPUT_STREAMS = ("users", "events", "purchases", "carts", "catalog_items")


def run_in_process(messages: list[dict], config: dict[str, Any]) -> list[str]:
    """Feed messages through the mapper class; return the output lines."""
    mapper = BigCommerceToIterableMapper(config=config)
    out = io.StringIO()
    with redirect_stdout(out):
        mapper.listen(io.StringIO(to_lines(messages)))
    return out.getvalue().splitlines()


def run_cli(input_path: Path, config_path: Path) -> list[str]:
    """The real `map-bigcommerce-iterable` executable, as Meltano runs it."""
    executable = Path(sys.executable).parent / "map-bigcommerce-iterable"
    result = subprocess.run(
        [str(executable), "--config", str(config_path), "--input", str(input_path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.splitlines()


def parse(lines: list[str]) -> list[dict[str, Any]]:
    """The messages, STATE values without the store id the mapper adds (see `state_marker`)."""
    messages = [json.loads(line, parse_float=Decimal) for line in lines]
    for message in messages:
        bookmarks = (
            message.get("value", {}).get("bookmarks") if message["type"] == "STATE" else None
        )
        if isinstance(bookmarks, dict):
            bookmarks.pop(MARKER_BOOKMARK, None)
            if not bookmarks:
                del message["value"]["bookmarks"]
    return messages


def records(lines: list[str], stream: str) -> list[dict[str, Any]]:
    return [
        message["record"]
        for message in parse(lines)
        if message["type"] == "RECORD" and message["stream"] == stream
    ]


def validate_output(lines: list[str]) -> None:
    """Every SCHEMA is the contract's; every RECORD is valid against it and follows its SCHEMA."""
    announced: set[str] = set()
    for message in (json.loads(line) for line in lines):
        if message["type"] == "SCHEMA":
            assert message["stream"] in OUTPUT_STREAMS
            assert message["schema"] == operation_schema(message["stream"])
            announced.add(message["stream"])
        elif message["type"] == "RECORD":
            stream = message["stream"]
            assert stream in announced, f"RECORD on {stream} before its SCHEMA"
            jsonschema.Draft7Validator(operation_schema(stream)).validate(message["record"])


def load_into_iterable(
    lines: list[str], api_url: str, api_key: str, folder: Path
) -> list[dict[str, Any]]:
    """The target, in this process, loads mapper output into an Iterable (emulator); its dead
    letters. The ledger lives in `folder`, so later calls are later runs."""
    letters = folder / "target-dead-letters.jsonl"
    letters.unlink(missing_ok=True)
    config = {
        "api_key": api_key,
        "api_url": api_url,
        "dead_letter_path": str(letters),
        "database_url": f"sqlite:///{folder / 'ledger.sqlite'}",
    }
    with redirect_stdout(io.StringIO()):
        TargetIterable(config=config).listen(io.StringIO("\n".join(lines) + "\n"))
    if not letters.exists():
        return []
    return [json.loads(line) for line in letters.read_text().splitlines() if line.strip()]
