"""The private singer-sdk members the plugins still use, each pinned to the SDK code it relies on.

singer-sdk offers no public hook for these (see `GUARDED`); a new SDK version may rename, remove
or change them without notice. Each test here fails naming the member, the plugin code that uses
it and what to do, instead of a pipeline failing in some odd way after an upgrade. The scan at the
end fails when plugin code starts using a private member that is not listed here.
"""

from __future__ import annotations

import ast
import hashlib
import importlib
import inspect
import pkgutil
import re
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import version
from types import ModuleType
from typing import Any

import pytest
from singer_sdk import Target
from singer_sdk.sinks import Sink

PLUGIN_PACKAGES = ("tap_bigcommerce", "map_bigcommerce_iterable", "target_iterable")
# What `abc.ABCMeta` puts in every class of an abstract hierarchy: Python's, not the SDK's.
ABC_MACHINERY = {"_abc_impl"}
SUPPORTED_SDK = "singer-sdk~=0.54.9 (the plugins' pyproject.toml and READMEs)"


@dataclass(frozen=True)
class Guarded:
    owner: type  # the singer-sdk class that defines the member
    name: str
    used_in: str  # the plugin module relying on it
    why: str  # why no public hook does
    sdk_code: str  # sha256 (first 16 hex) of the SDK code it relies on: see `sdk_code_digest`


GUARDED = (
    Guarded(
        Target,
        "_drain_all",
        "target_iterable.target",
        "sinks drain in stages (users before events...); `drain_all` is public but drains all "
        "sinks at once through this method",
        "0ba19865181d269c",
    ),
    Guarded(
        Target,
        "_write_state_message",
        "target_iterable.target",
        "STATE waits while events wait for their users; the SDK writes STATE only here",
        "daf360d2558f1780",
    ),
    Guarded(
        Target,
        "_process_state_message",
        "target_iterable.target",
        "a STATE is handed to the gate as it arrives; no public per-message hook for STATE",
        "d6be9c0a4f75ad32",
    ),
    Guarded(
        Target,
        "_process_record_message",
        "target_iterable.target",
        "after each record: did the SDK drain everything (max record age)? no public hook",
        "d4954260a8614aef",
    ),
    Guarded(
        Target,
        "_process_batch_message",
        "target_iterable.target",
        "a BATCH counts as records read before a STATE (the ledger check); no public hook",
        "48af495bd3d3ef62",
    ),
    Guarded(
        Target,
        "_sinks_active",
        "target_iterable.target",
        "the sinks whose records are not settled; the SDK has no public list of its sinks",
        "dadf998a916edc69",
    ),
    Guarded(
        Target,
        "_sinks_to_clear",
        "target_iterable.target",
        "sinks replaced by a new SCHEMA still hold records to settle; no public list either",
        "b972b07190623488",
    ),
    Guarded(
        Target,
        "_latest_state",
        "target_iterable.target",
        "the STATE the SDK just accepted (it drops duplicates); not exposed publicly",
        "b6b49e8819a5458b",
    ),
    Guarded(
        Target,
        "_last_full_drain_at",
        "target_iterable.target",
        "tells whether the SDK drained every sink on its own (max record age) after a record",
        "96626cedb8f7fdb2",
    ),
    Guarded(
        Sink,
        "_parse_timestamps_in_record",
        "target_iterable.sinks",
        "records go to Iterable as received; the SDK parses date-time strings unconditionally",
        "7ff3892aa43d2bba",
    ),
)


def _sdk_classes(cls: type) -> Iterator[type]:
    return (base for base in cls.__mro__ if base.__module__.startswith("singer_sdk"))


def _assigns(function: Any, name: str) -> bool:
    try:
        source = inspect.getsource(function)
    except (OSError, TypeError):
        return False
    return re.search(rf"\bself\.{re.escape(name)}\s*(:[^=\n]+)?=[^=]", source) is not None


def sdk_code(owner: type, name: str) -> list[str]:
    """The SDK source a plugin relies on: the method itself, or every method assigning the
    instance attribute."""
    member = owner.__dict__.get(name)
    if callable(member):
        return [textwrap.dedent(inspect.getsource(member))]
    return [
        textwrap.dedent(inspect.getsource(function))
        for cls in _sdk_classes(owner)
        for function in vars(cls).values()
        if inspect.isfunction(function) and _assigns(function, name)
    ]


def sdk_code_digest(owner: type, name: str) -> str:
    return hashlib.sha256("\n".join(sdk_code(owner, name)).encode()).hexdigest()[:16]


@pytest.mark.parametrize("member", GUARDED, ids=lambda m: f"{m.owner.__name__}.{m.name}")
def test_guarded_sdk_member_is_unchanged(member: Guarded) -> None:
    where = f"{member.owner.__module__}.{member.owner.__name__}.{member.name}"
    code = sdk_code(member.owner, member.name)
    assert code, (
        f"singer-sdk {version('singer-sdk')} no longer has {where}, which {member.used_in} "
        f"relies on ({member.why}). Supported: {SUPPORTED_SDK}."
    )
    assert sdk_code_digest(member.owner, member.name) == member.sdk_code, (
        f"singer-sdk {version('singer-sdk')} changed {where}, which {member.used_in} relies on "
        f"({member.why}). Read the new SDK code, adapt {member.used_in} (or use a public hook if "
        f"the SDK now has one), then record the new digest "
        f"{sdk_code_digest(member.owner, member.name)!r} in {__name__}.GUARDED. "
        f"Supported: {SUPPORTED_SDK}."
    )


def _plugin_modules() -> Iterator[ModuleType]:
    for package_name in PLUGIN_PACKAGES:
        package = importlib.import_module(package_name)
        yield package
        for info in pkgutil.walk_packages(package.__path__, f"{package_name}."):
            if not info.name.endswith(".__main__"):
                yield importlib.import_module(info.name)


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _sdk_owner(cls: type, name: str) -> type | None:
    """The SDK class among `cls`'s bases that defines or assigns `name`, if any."""
    for base in _sdk_classes(cls):
        if name in vars(base) or any(
            inspect.isfunction(function) and _assigns(function, name)
            for function in vars(base).values()
        ):
            return base
    return None


def _private_uses(cls: type) -> set[tuple[type, str]]:
    """Private SDK members a plugin class overrides, or reads through `self` or `super()`."""
    names = {name for name in vars(cls) if _is_private(name) and name not in ABC_MACHINERY}
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _is_private(node.attr):
            target = node.value
            via_self = isinstance(target, ast.Name) and target.id == "self"
            via_super = (
                isinstance(target, ast.Call)
                and isinstance(target.func, ast.Name)
                and target.func.id == "super"
            )
            if via_self or via_super:
                names.add(node.attr)
    found = set()
    for name in names:
        owner = _sdk_owner(cls, name)
        if owner is not None:
            found.add((owner, name))
    return found


def _private_sdk_imports(module: ModuleType) -> set[str]:
    """`from singer_sdk._x import y` or `from singer_sdk.x import _y` in a plugin module."""
    tree = ast.parse(inspect.getsource(module))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("singer_sdk"):
            parts = (node.module or "").split(".")
            names = [alias.name for alias in node.names]
            if any(_is_private(part) for part in parts) or any(map(_is_private, names)):
                found.add(f"{module.__name__}: from {node.module} import {', '.join(names)}")
    return found


def test_every_private_sdk_member_in_use_is_guarded() -> None:
    in_use: dict[tuple[type, str], set[str]] = {}
    imports: set[str] = set()
    for module in _plugin_modules():
        imports |= _private_sdk_imports(module)
        for cls in vars(module).values():
            if (
                inspect.isclass(cls)
                and cls.__module__ == module.__name__
                and any(_sdk_classes(cls))
            ):
                for use in _private_uses(cls):
                    in_use.setdefault(use, set()).add(module.__name__)
    guarded = {(member.owner, member.name) for member in GUARDED}
    unguarded = {
        f"{owner.__name__}.{name} (in {', '.join(sorted(modules))})"
        for (owner, name), modules in in_use.items()
        if (owner, name) not in guarded
    }
    assert not unguarded, (
        "Plugin code uses private singer-sdk members: use a public hook, or add each to "
        f"GUARDED in {__name__} with the reason:\n" + "\n".join(sorted(unguarded))
    )
    assert not imports, "Imports from private singer-sdk modules:\n" + "\n".join(sorted(imports))
    unused = {f"{owner.__name__}.{name}" for owner, name in guarded - set(in_use)}
    assert not unused, f"No longer used, remove from GUARDED: {sorted(unused)}"


def test_the_scan_sees_private_overrides_and_reads() -> None:
    class Sneaky(Target):
        name = "sneaky"

        def _drain_all(self, sink_list: Any, parallelism: int) -> None:
            super()._drain_all(sink_list, parallelism)

        def drain_one(self, sink: Sink) -> None:
            self._own_note = self._latest_state  # ours: not the SDK's

    assert _private_uses(Sneaky) == {(Target, "_drain_all"), (Target, "_latest_state")}
