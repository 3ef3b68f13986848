"""Put the BigCommerce OpenAPI files the tests read into `specs/bigcommerce/`, verified.

Their licence is not stated upstream (specs/bigcommerce/SOURCES.md), so the repository carries a
pinned manifest (`specs/bigcommerce/manifest.json`: upstream repository, commit, path and sha256 of
each file) instead of the files. For each file this takes the first source whose bytes match the
manifest's sha256:

1. the copy already in `specs/bigcommerce/` (git-ignored: a cache);
2. `--from DIR`, default `../shared/specs/bigcommerce` beside the checkout (the team's copy);
3. the upstream repository at the pinned commit, over HTTPS.

A file whose bytes do not match is never used. Exits 1, naming what is missing and how to get it,
when a file could not be had. `--pin COMMIT` moves the manifest to another upstream commit (network
needed): see specs/README.md.

Standard library only, so it runs before anything is installed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SPECS_DIR = REPO_ROOT / "specs" / "bigcommerce"
MANIFEST = SPECS_DIR / "manifest.json"
DEFAULT_SOURCE = REPO_ROOT.parent / "shared" / "specs" / "bigcommerce"
DOWNLOAD_TIMEOUT_SECONDS = 30


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_manifest(path: Path = MANIFEST) -> dict:
    return json.loads(path.read_text())


def missing_files(specs_dir: Path = SPECS_DIR) -> list[str]:
    """Manifest files absent from `specs_dir`, or whose bytes differ from the pinned sha256."""
    manifest = load_manifest(specs_dir / "manifest.json")
    return [
        entry["name"]
        for entry in manifest["files"]
        if not _matches(specs_dir / entry["name"], entry["sha256"])
    ]


def _matches(path: Path, digest: str) -> bool:
    return path.is_file() and sha256(path.read_bytes()) == digest


def _download(url: str) -> bytes | None:
    try:
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_SECONDS) as response:  # noqa: S310 (fixed https URL)
            return response.read()
    except (urllib.error.URLError, OSError) as error:
        print(f"  could not download {url}: {error}", file=sys.stderr)
        return None


def _write_atomically(path: Path, data: bytes) -> None:
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as tmp:
        tmp.write(data)
    os.replace(tmp.name, path)


def fetch(specs_dir: Path, source: Path, offline: bool) -> list[str]:
    """Fill `specs_dir` from the cache, `source` or upstream; return the names still missing."""
    manifest = load_manifest(specs_dir / "manifest.json")
    still_missing = []
    for entry in manifest["files"]:
        target, digest = specs_dir / entry["name"], entry["sha256"]
        if _matches(target, digest):
            continue
        data = None
        local = source / entry["name"]
        if local.is_file() and sha256(local.read_bytes()) == digest:
            data = local.read_bytes()
        elif not offline:
            url = manifest["raw_url"].format(commit=manifest["commit"], path=entry["path"])
            downloaded = _download(url)
            if downloaded is not None and sha256(downloaded) != digest:
                print(f"  {url}: sha256 differs from the manifest; not used", file=sys.stderr)
            elif downloaded is not None:
                data = downloaded
        if data is None:
            still_missing.append(entry["name"])
        else:
            _write_atomically(target, data)
    return still_missing


def pin(specs_dir: Path, commit: str) -> None:
    """Point the manifest at another upstream commit: download each file there, record its hash."""
    path = specs_dir / "manifest.json"
    manifest = load_manifest(path)
    for entry in manifest["files"]:
        url = manifest["raw_url"].format(commit=commit, path=entry["path"])
        data = _download(url)
        if data is None:
            raise SystemExit(
                f"pin {commit}: {entry['path']} could not be downloaded; nothing changed"
            )
        entry.update(sha256=sha256(data), bytes=len(data))
        entry.pop("git_blob", None)  # The old blob id no longer describes the file.
    manifest["commit"] = commit
    path.write_text(json.dumps(manifest, indent=2) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--from",
        dest="source",
        type=Path,
        default=DEFAULT_SOURCE,
        help="a folder holding the files (default: ../shared/specs/bigcommerce)",
    )
    parser.add_argument("--offline", action="store_true", help="never download")
    parser.add_argument("--specs-dir", type=Path, default=SPECS_DIR, help=argparse.SUPPRESS)
    parser.add_argument("--pin", metavar="COMMIT", help="re-pin the manifest to an upstream commit")
    args = parser.parse_args(argv)
    if args.pin:
        pin(args.specs_dir, args.pin)
    missing = fetch(args.specs_dir, args.source, args.offline)
    manifest = load_manifest(args.specs_dir / "manifest.json")
    if missing:
        print(
            f"BigCommerce OpenAPI specs: {len(missing)} of {len(manifest['files'])} files missing "
            f"from {args.specs_dir} ({', '.join(missing)}). Put ../shared/specs/bigcommerce "
            f"beside the checkout, or give --from DIR, or allow HTTPS to {manifest['repository']} "
            f"(commit {manifest['commit'][:12]}), then run `make specs` again.",
            file=sys.stderr,
        )
        return 1
    count = len(manifest["files"])
    print(f"BigCommerce OpenAPI specs: {count} files in {args.specs_dir}, sha256 verified")
    return 0


if __name__ == "__main__":
    sys.exit(main())
