"""Install the plugins as a user would: each alone, then all three in a new Meltano project.

Each plugin is built on its own (sdist, then the wheel from the sdist, so the sdist must be
complete) and installed into an empty virtualenv where only the package index can supply its
dependencies; a sibling it still needed would fail the install, and a bare sibling name would pull
someone else's project from PyPI. Then a new Meltano project adds the three plugins from the
`hub/` definitions, changed in one key only: `pip_url` points at the folder its `#subdirectory=`
names. `meltano install` and `meltano run` against the sandbox emulators follow.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from map_bigcommerce_iterable.normalise import normalise_email
from map_bigcommerce_iterable.settings import DEFAULT_PURCHASE_STATUS_IDS
from sandbox.bigcommerce.testing import running_bigcommerce
from sandbox.iterable.testing import running_iterable

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT / "scripts"))

import plugin_definitions  # noqa: E402

pytestmark = pytest.mark.e2e

HUB_PIP_URL = re.compile(
    rf"^git\+{re.escape(plugin_definitions.REPO_URL)}\.git#subdirectory=(?P<folder>[\w.-]+)$"
)
PLUGIN_NAMES = {plugin.name for plugin in plugin_definitions.PLUGINS}
COMMAND_TIMEOUT_SECONDS = 240
# The plugins' other commands (argparse, not the SDK): each reports the plugin's version too.
OTHER_COMMANDS = {
    "tap-bigcommerce": [(["tap-bigcommerce-webhooks"], "tap-bigcommerce-webhooks")],
    "target-iterable": [(["target-iterable", "replay"], "target-iterable replay")],
}
# Meltano's plugin type of each Hub folder.
PLUGIN_TYPES = {"extractors": "extractor", "mappers": "mapper", "loaders": "loader"}


@dataclass(frozen=True)
class Distribution:
    name: str  # the plugin, its executable and its distribution name
    folder: Path  # where the Hub's pip_url (#subdirectory=) installs it from
    plugin_type: str
    hub_definition: dict[str, Any]

    @property
    def version(self) -> str:
        project = tomllib.loads((self.folder / "pyproject.toml").read_text())["project"]
        return str(project["version"])

    @property
    def import_name(self) -> str:
        return str(self.hub_definition["namespace"])


def _distributions() -> list[Distribution]:
    found = []
    for plugin in plugin_definitions.PLUGINS:
        definition = yaml.safe_load(plugin.path.read_text())
        match = HUB_PIP_URL.match(definition["pip_url"])
        assert match, f"{plugin.path}: pip_url is not this repository's subdirectory"
        found.append(
            Distribution(plugin.name, REPO_ROOT / match["folder"], plugin.plugin_type, definition)
        )
    return found


DISTRIBUTIONS = {distribution.name: distribution for distribution in _distributions()}


def _uv() -> str:
    """The uv `make` provides (`uv run` names itself in $UV), with its cache."""
    found = os.environ.get("UV") or shutil.which("uv") or str(REPO_ROOT / ".tools" / "bin" / "uv")
    assert Path(found).exists(), f"no uv executable at {found}"
    return found


def _run(command: list[str | Path], cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT_SECONDS,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{' '.join(map(str, command))} failed:\n{output[-4000:]}"
    return result.stdout


def _outside_the_workspace() -> dict[str, str]:
    """The environment without the dev virtualenv, as a user's shell would be."""
    env = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    env["MELTANO_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    return env


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each plugin built alone, as a package index would publish it."""
    dist = tmp_path_factory.mktemp("dist")
    built = {}
    for name, distribution in DISTRIBUTIONS.items():
        out = dist / name
        # --no-sources: the workspace's tool.uv.sources must play no part in a published build.
        _run(
            [_uv(), "build", "--no-sources", "--quiet", "--out-dir", out, distribution.folder], dist
        )
        (wheel,) = out.glob("*.whl")
        built[name] = wheel
    return built


@pytest.mark.parametrize("name", sorted(DISTRIBUTIONS))
def test_plugin_installs_alone_into_an_empty_virtualenv(
    name: str, wheels: dict[str, Path], tmp_path: Path
) -> None:
    distribution = DISTRIBUTIONS[name]
    env = _outside_the_workspace()
    venv = tmp_path / "venv"
    _run([_uv(), "venv", "--quiet", "--python", sys.executable, venv], tmp_path, env)
    python, bin_dir = venv / "bin" / "python", venv / "bin"
    _run([_uv(), "pip", "install", "--quiet", "--python", python, wheels[name]], tmp_path, env)

    installed = json.loads(
        _run([_uv(), "pip", "list", "--python", python, "--format", "json"], tmp_path, env)
    )
    siblings = {package["name"] for package in installed} & (PLUGIN_NAMES - {name})
    assert not siblings, f"{name} pulled in {siblings} (from PyPI: not this repository's)"

    version = _run([bin_dir / name, "--version"], tmp_path, env)
    assert version.startswith(f"{name} v{distribution.version}, Meltano SDK v"), version
    about = json.loads(_run([bin_dir / name, "--about", "--format=json"], tmp_path, env))
    assert (about["name"], about["version"]) == (name, distribution.version)
    for command, prog in OTHER_COMMANDS.get(name, ()):
        output = _run([bin_dir / command[0], *command[1:], "--version"], tmp_path, env)
        assert output.strip() == f"{prog} v{distribution.version}"

    # Every module imports with only the declared dependencies (the contract copy included).
    package = distribution.import_name
    every_module = (  # but __main__, which would run the CLI
        f"import importlib, pkgutil, {package}\n"
        f"for module in pkgutil.walk_packages({package}.__path__, '{package}.'):\n"
        "    if not module.name.endswith('.__main__'):\n"
        "        importlib.import_module(module.name)\n"
        f"print({package}.contract.operation_schema('users')['type'])"
    )
    assert _run([python, "-c", every_module], tmp_path, env).strip() == "object"


@dataclass
class Project:
    root: Path
    env: dict[str, str]
    install_seconds: float

    def meltano(self, *args: str) -> str:
        return _run(["meltano", *args], self.root, self.env)


@pytest.fixture(scope="module")
def hub_project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A new Meltano project with the three plugins added from their Hub definitions."""
    workdir = tmp_path_factory.mktemp("meltano")
    env = _outside_the_workspace()
    _run(["meltano", "init", "project", "--no-usage-stats"], workdir, env)
    root = workdir / "project"
    for name, distribution in DISTRIBUTIONS.items():
        local = {**distribution.hub_definition, "pip_url": str(distribution.folder)}
        reference = workdir / f"{name}.yml"
        reference.write_text(yaml.safe_dump(local, sort_keys=True))
        plugin_type = PLUGIN_TYPES[distribution.plugin_type]
        add = ["meltano", "add", "--no-install", "--plugin-type", plugin_type, "--from-ref"]
        _run([*add, str(reference), name], root, env)
    _add_hub_mappings(root / "meltano.yml")
    started = time.monotonic()
    _run(["meltano", "install"], root, env)
    return Project(root, env, time.monotonic() - started)


def _add_hub_mappings(meltano_yml: Path) -> None:
    """`meltano add` leaves a mapper's `mappings` out; the README has users copy the Hub's."""
    project = yaml.safe_load(meltano_yml.read_text())
    for mapper in project["plugins"]["mappers"]:
        assert "mappings" not in mapper, "meltano add now keeps mappings: drop this step"
        mapper["mappings"] = DISTRIBUTIONS[mapper["name"]].hub_definition["mappings"]
    meltano_yml.write_text(yaml.safe_dump(project, sort_keys=False))


def test_meltano_installs_the_hub_pip_urls(hub_project: Project) -> None:
    project = yaml.safe_load((hub_project.root / "meltano.yml").read_text())
    added = {
        plugin["name"]: plugin["pip_url"]
        for plugins in project["plugins"].values()
        for plugin in plugins
    }
    assert added == {name: str(d.folder) for name, d in DISTRIBUTIONS.items()}
    for name, distribution in DISTRIBUTIONS.items():
        # The plugin's own venv holds this version of it (its CLI runs in the pipeline test).
        venv = hub_project.root / ".meltano" / distribution.plugin_type / name / "venv"
        dist_info = f"{name.replace('-', '_')}-{distribution.version}.dist-info"
        assert list(venv.glob(f"lib/python*/site-packages/{dist_info}")), f"{name} not in {venv}"
    print(f"meltano install of the 3 plugins: {hub_project.install_seconds:.0f} s")


def test_a_new_project_runs_the_pipeline_against_the_sandbox(hub_project: Project) -> None:
    (mapping,) = DISTRIBUTIONS["map-bigcommerce-iterable"].hub_definition["mappings"]
    with (
        running_bigcommerce(seed=5, orders=20, rate_limit_quota=100_000) as bigcommerce,
        running_iterable() as iterable,
    ):
        env = {
            **hub_project.env,
            "TAP_BIGCOMMERCE_API_URL": bigcommerce.api_url,
            "TAP_BIGCOMMERCE_STORE_HASH": bigcommerce.store_hash,
            "TAP_BIGCOMMERCE_ACCESS_TOKEN": bigcommerce.access_token,
            "TARGET_ITERABLE_API_URL": iterable.api_url,
            "TARGET_ITERABLE_API_KEY": iterable.api_key,
        }
        pipeline = ("tap-bigcommerce", mapping["name"], "target-iterable")
        _run(["meltano", "run", *pipeline], hub_project.root, env)

        orders = bigcommerce.emulator.store.orders
        purchase_orders = {
            order.id: order
            for order in orders.records(orders.ids())
            if order.status_id in DEFAULT_PURCHASE_STATUS_IDS and not order.is_deleted
        }
        purchased = {p["dataFields"]["orderId"] for p in iterable.emulator.purchases()}
        dead_lettered = _dead_lettered_orders(hub_project.root / "dead-letters")
        assert purchased, "no purchase reached Iterable"
        assert purchased <= set(purchase_orders)
        # The one documented reason to leave an order out: a guest with no usable email.
        for missing in set(purchase_orders) - purchased - dead_lettered:
            order = purchase_orders[missing]
            email = order.billing_address.email
            assert order.customer_id == 0, f"order {missing} of a customer never reached Iterable"
            assert normalise_email(email) is None, f"guest order {missing} ({email}) was lost"
        assert iterable.emulator.users(), "no user reached Iterable"
        assert iterable.emulator.catalog_items("products"), "no catalog item reached Iterable"

    state = json.loads(
        hub_project.meltano("state", "get", "dev:tap-bigcommerce-to-target-iterable")
    )
    assert "orders" in state["singer_state"]["bookmarks"]


def _dead_lettered_orders(folder: Path) -> set[Any]:
    """Orders the mapper (an `orders` record) or the target (a `purchases` record) refused."""
    orders: set[Any] = set()
    for path in folder.glob("*.jsonl"):
        for line in path.read_text().splitlines():
            letter = json.loads(line)
            if letter["stream"] == "orders":
                orders.add(letter["record"].get("id"))
            elif letter["stream"] == "purchases":
                orders.add(letter["record"]["dataFields"]["orderId"])
    return orders
